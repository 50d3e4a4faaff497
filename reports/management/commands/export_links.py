"""`manage.py export_links CYCLE -o PATH.csv`: the contract's link export."""

from django.core.management.base import BaseCommand

from reports.exporters import LinkExporter

from ._export import exportable, reads_snapshot, write_export


class Command(BaseCommand):
    help = "Export a cycle's links (rater department → provider department) as CSV, from its latest roll-up."

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, e.g. 2026-Q3.")
        parser.add_argument("-o", "--output", help="CSV file to write; standard output without it.")

    @reads_snapshot
    def handle(self, *args, cycle, output, **options):
        found = exportable(cycle)
        count = write_export(LinkExporter(cycle_id=found.id), "csv", output, self.stdout)
        if output not in (None, "-"):
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} link rows of {found.name} to {output}."))
