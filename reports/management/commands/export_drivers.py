"""`manage.py export_drivers CYCLE -o PATH.csv`: the contract's drivers export."""

from django.core.management.base import BaseCommand

from reports.exporters import DriverExporter

from ._export import exportable, reads_snapshot, write_export


class Command(BaseCommand):
    help = "Export a cycle's drivers (which dimensions move the outcome answer) as CSV, from its latest roll-up."

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, e.g. 2026-Q3.")
        parser.add_argument("-o", "--output", help="CSV file to write; standard output without it.")

    @reads_snapshot
    def handle(self, *args, cycle, output, **options):
        found = exportable(cycle)
        count = write_export(DriverExporter(cycle_id=found.id), "csv", output, self.stdout)
        if output not in (None, "-"):
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} driver rows of {found.name} to {output}."))
