"""`manage.py export_scorecards CYCLE --format csv|xlsx|pdf -o PATH`: the contract's scorecard export."""

from django.core.management.base import BaseCommand, CommandError

from reports.exporters import EXPORT_FORMATS, ScorecardExporter

from ._cycles import cycle_named
from ._export import ensure_rolled_up, write_export


class Command(BaseCommand):
    help = "Export a cycle's scorecards (from its latest roll-up)."

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, e.g. 2026-Q3.")
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="File to write; CSV goes to standard output without it.")

    def handle(self, *args, cycle, format, output, **options):
        if format == "pdf":
            raise CommandError("PDF export is not available yet; use --format csv or --format xlsx.")
        found = cycle_named(cycle)
        ensure_rolled_up(found)
        count = write_export(ScorecardExporter(cycle_id=found.id), format, output, self.stdout)
        if output not in (None, "-"):
            self.stdout.write(self.style.SUCCESS(f"Wrote {count} scorecard rows of {found.name} to {output}."))
