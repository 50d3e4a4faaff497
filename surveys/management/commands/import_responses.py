"""`python manage.py import_responses --cycle CYCLE FILE.csv [--replace] [--dry-run]`: past answers in."""

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Import a past cycle's answers from a CSV (rater_employee_id,provider_department,dimension,score; other "
        "columns are ignored) into a closed historical cycle. All or nothing. Does not roll the cycle up."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 CSV file with a header row")
        parser.add_argument("--cycle", required=True, help="cycle name, YYYY-Qn")
        parser.add_argument("--replace", action="store_true", help="replace the answers the cycle already holds")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def progress(self, message):
        # Only on a terminal: scripts and logs get the summary line alone.
        if self.stderr.isatty():
            # Plain text: Django styles stderr as errors by default, and progress is not one.
            self.stderr.write(f"{time.monotonic() - self.started:6.1f}s  {message}", style_func=lambda text: text)

    def handle(self, *args, file, cycle, replace, dry_run, **options):
        self.started = time.monotonic()
        # Imported here, not at the top: they load pandas, which `--help` and `check` should not pay for.
        from surveys.importers import ImportRejected, org_lookup, parse_responses
        from surveys.services.answers import ImportRefused, answers_import, cycle_refusal

        refusal = cycle_refusal(cycle_name=cycle, replace=replace)
        if refusal:
            raise CommandError(refusal)
        self.progress(f"reading {file}")
        try:
            with open(file, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        self.progress(f"validating {len(content) / 1e6:.1f} MB")
        try:
            parsed = parse_responses(content, lookup=org_lookup())
            del content
            if not parsed.ok:
                raise ImportRejected(parsed.errors)
            self.progress(f"{len(parsed.data):,} answers valid; {'checking' if dry_run else 'writing'}")
            summary = answers_import(parsed.data, cycle_name=cycle, replace=replace, dry_run=dry_run)
        except ImportRejected as exc:
            self.stderr.write("\n".join(str(error) for error in exc.errors))  # one write: there may be a million
            raise CommandError(f"{file}: {len(exc.errors)} problem(s); nothing was imported") from exc
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc

        prefix = "Dry run, nothing written: would have imported" if summary.dry_run else "Imported"
        self.stdout.write(
            f"{prefix} {summary.answers:,} answers from {summary.respondents:,} respondents about "
            f"{summary.providers} department(s) into {'new ' if summary.cycle_created else ''}cycle {summary.cycle}"
            + (f", replacing {summary.replaced:,} answers" if summary.replaced else "")
            + (f" in {time.monotonic() - self.started:.1f}s" if not summary.dry_run else "")
        )
        if summary.rollups_requested:
            self.stdout.write(f"Roll-up requested for {', '.join(summary.rollups_requested)}.")
