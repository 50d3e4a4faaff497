"""`manage.py open_cycle CYCLE [--closes YYYY-MM-DD]`: open a survey round for answers."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from surveys.services.cycles import CycleError, cycle_open


class Command(BaseCommand):
    help = "Create the cycle if needed and open it for answers (only one cycle is open at a time)."

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, YYYY-Qn (e.g. 2026-Q3).")
        parser.add_argument("--closes", help="Last day for answers, YYYY-MM-DD (default: 21 days from today).")

    def handle(self, *args, cycle, closes=None, **options):
        closes_on = None
        if closes:
            try:
                closes_on = datetime.date.fromisoformat(closes)
            except ValueError as exc:
                raise CommandError(f"--closes {closes!r} is not a date: use YYYY-MM-DD.") from exc
        try:
            opened = cycle_open(name=cycle, closes_on=closes_on)
        except CycleError as exc:
            raise CommandError(str(exc)) from exc
        eligible = sum(opened.headcounts.values_list("eligible", flat=True))
        self.stdout.write(
            self.style.SUCCESS(
                f"Cycle {opened.name} is open until the end of {opened.closes_on.isoformat()}; "
                f"{eligible} active employees can answer at /survey/."
            )
        )
