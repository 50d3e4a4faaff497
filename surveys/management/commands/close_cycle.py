"""`manage.py close_cycle CYCLE`: end answering and start the roll-up."""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Cycle
from surveys.rollups import rollup_outlook
from surveys.services.cycles import CycleError, cycle_close


class Command(BaseCommand):
    help = "Close an open cycle and start its roll-up (through Celery when REDIS_URL is set)."

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, YYYY-Qn (e.g. 2026-Q3).")

    def handle(self, *args, cycle, **options):
        found = Cycle.objects.filter(name=cycle.strip()).first()
        if found is None:
            raise CommandError(f"There is no cycle named {cycle!r}.")
        try:
            closed = cycle_close(cycle=found, by="manage.py close_cycle")
        except CycleError as exc:
            raise CommandError(str(exc)) from exc
        # Read back from the run record, so it says what really happened to the roll-up request.
        as_expected, outlook = rollup_outlook(cycle_id=closed.pk)
        style = self.style.SUCCESS if as_expected else self.style.WARNING
        self.stdout.write(style(f"Cycle {closed.name} is closed; {outlook}"))
