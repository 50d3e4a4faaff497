"""`python manage.py import_responses --cycle CYCLE FILE.csv [--replace [--republish]] [--dry-run]`: past answers in."""

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Import a past cycle's answers from a CSV (rater_employee_id,provider_department,dimension,score; other "
        "columns are ignored) into a closed historical cycle. All or nothing. Then requests the roll-up of the "
        "cycle (and of the next one, whose deltas change); without a broker (REDIS_URL unset) it runs next, in "
        "this command, and the output says so."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 CSV file with a header row")
        parser.add_argument("--cycle", required=True, help="cycle name, YYYY-Qn")
        parser.add_argument("--replace", action="store_true", help="replace the answers the cycle already holds")
        parser.add_argument(
            "--republish",
            action="store_true",
            help="with --replace, allow replacing a cycle whose results are already published (a second version "
            "is published, which a reader of both can compare: see SECURITY.md)",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def progress(self, message):
        # Only on a terminal: scripts and logs get the summary line alone.
        if self.stderr.isatty():
            # Plain text: Django styles stderr as errors by default, and progress is not one.
            self.stderr.write(f"{time.monotonic() - self.started:6.1f}s  {message}", style_func=lambda text: text)

    def handle(self, *args, file, cycle, replace, republish, dry_run, **options):
        self.started = time.monotonic()
        self.reported = False
        self.rollup_started = None
        # Imported here, not at the top: they load pandas (and Celery), which `--help` should not pay for.
        from surveys.importers import ImportRejected, org_lookup, parse_responses
        from surveys.services.answers import ImportRefused, answers_import, cycle_refusal

        if republish and not replace:
            raise CommandError("--republish goes with --replace: it allows replacing a published cycle's answers")
        refusal = cycle_refusal(cycle_name=cycle, replace=replace, republish=republish)
        if refusal:
            raise CommandError(refusal)
        self.progress(f"reading {file}")
        try:
            with open(file, "rb") as handle:
                # In a list handed over by pop(): the parser then holds the only reference, and the
                # file's bytes (263 MB at 7.2 M rows) go once read, before the validation's arrays.
                content = [handle.read()]
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        self.progress(f"validating {len(content[0]) / 1e6:.1f} MB")
        try:
            parsed = parse_responses(content.pop(), lookup=org_lookup(), frame=False)  # numpy columns: no pandas
            if not parsed.ok:
                raise ImportRejected(parsed.errors)
            self.progress(f"{len(parsed.data['score']):,} answers valid; {'checking' if dry_run else 'writing'}")
            summary = answers_import(
                parsed.data,
                cycle_name=cycle,
                replace=replace,
                republish=republish,
                dry_run=dry_run,
                # Without a broker, the roll-ups run right after this, on commit, in this process.
                committed=lambda summary: self.imported(summary, rollup_next=True),
            )
        except ImportRejected as exc:
            self.stderr.write("\n".join(str(error) for error in exc.errors))  # one write: there may be a million
            raise CommandError(f"{file}: {len(exc.errors)} problem(s); nothing was imported") from exc
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc

        if summary.dry_run:
            self.stdout.write(f"Dry run, nothing written: would have imported {self.summary_line(summary)}")
            return
        # Said at commit; unless a caller's transaction is still open (the commit, and the roll-ups, are its).
        self.imported(summary, rollup_next=False)
        if self.rollup_started is not None:
            elapsed = time.monotonic() - self.rollup_started
            self.stdout.write(f"Rolled up {', '.join(summary.rollups_requested)} in {elapsed:.1f}s.")
        elif summary.rollups_requested:
            self.stdout.write(f"Roll-up requested for {', '.join(summary.rollups_requested)}.")

    def imported(self, summary, *, rollup_next: bool):
        """Say what was imported, once: as soon as it committed, before its roll-ups are sent, or
        run next in this process (`rollup_next`, without a broker)."""
        if self.reported:
            return
        self.reported = True
        self.stdout.write(f"Imported {self.summary_line(summary)} in {time.monotonic() - self.started:.1f}s")
        self.stdout.flush()
        # Celery loads only now (~0.1 s): it sends (or runs) the roll-ups, which follow the import.
        from surveys.tasks import tasks_run_in_process

        if summary.rollups_requested and rollup_next and tasks_run_in_process():
            self.stdout.write(
                f"Rolling up {', '.join(summary.rollups_requested)} next, in this process (no broker configured)."
            )
            self.rollup_started = time.monotonic()
        self.stdout.flush()  # seen now, not when the roll-up is over (stdout is buffered when piped)

    @staticmethod
    def summary_line(summary):
        return (
            f"{summary.answers:,} answers from {summary.respondents:,} respondents about "
            f"{summary.providers} department(s) into {'new ' if summary.cycle_created else ''}cycle {summary.cycle}"
            + (f", replacing {summary.replaced:,} answers" if summary.replaced else "")
            + (f" and {summary.replaced_self_views:,} self-view answers" if summary.replaced_self_views else "")
        )
