"""`manage.py export_scorecards CYCLE --format csv|xlsx|pdf -o PATH`: the contract's scorecard export."""

import sys

from django.core.management.base import BaseCommand, CommandError

from reports.exporters import EXPORT_FORMATS, render_scorecards

from ._export import exportable, reads_snapshot, write_file

WHAT = {
    "csv": "the contract's CSV, one row per department, scope and dimension",
    "xlsx": "a workbook: Summary, Links, a sheet per department, Read-me",
    "pdf": "a summary page and one page per department",
}


class Command(BaseCommand):
    help = (
        "Export a cycle's scorecards (from its latest roll-up): "
        + "; ".join(f"{fmt}: {what}" for fmt, what in WHAT.items())
        + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, e.g. 2026-Q3.")
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        parser.add_argument(
            "-o", "--output", help="File to write (needed for xlsx and pdf); CSV goes to standard output without it."
        )

    @reads_snapshot
    def handle(self, *args, cycle, format, output, **options):
        if output in (None, "-") and format != "csv":
            raise CommandError(f"--format {format} needs -o PATH.")
        found = exportable(cycle)
        if output in (None, "-"):
            render_scorecards(cycle_id=found.id, fmt="csv", stream=self.stdout if self.stdout else sys.stdout)
            return
        count = write_file(
            output, format, lambda stream: render_scorecards(cycle_id=found.id, fmt=format, stream=stream)
        )
        what = "scorecard rows" if format == "csv" else "departments"
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} {what} of {found.name} to {output}."))
