"""`manage.py export_commitments CYCLE -o PATH.csv`: the contract's commitments export."""

from django.core.management.base import BaseCommand, CommandError

from actions.exporters import CommitmentExporter, CommitmentsUnavailable
from reports.management.commands._export import exportable, reads_snapshot, write_export


class Command(BaseCommand):
    help = "Export the published commitments on a cycle's results, with their verdicts, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, e.g. 2026-Q3.")
        parser.add_argument("-o", "--output", help="CSV file to write; standard output without it.")

    @reads_snapshot
    def handle(self, *args, cycle, output, **options):
        found = exportable(cycle)
        try:
            exporter = CommitmentExporter(cycle_id=found.id)
        except CommitmentsUnavailable as error:
            raise CommandError(str(error)) from None
        count = write_export(exporter, "csv", output, self.stdout)
        if output not in (None, "-"):
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} commitments of {found.name} to {output}."))
