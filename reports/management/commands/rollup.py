"""`manage.py rollup CYCLE`: the Celery task's roll-up, run in-process."""

import time

from django.core.management.base import BaseCommand, CommandError

from reports import selectors

from ._cycles import cycle_named


class Command(BaseCommand):
    help = (
        "Roll up a cycle's answers in-process, replacing its earlier roll-up atomically. "
        "Refuses a cycle that is still open."
    )

    def add_arguments(self, parser):
        parser.add_argument("cycle", help="Cycle name, e.g. 2026-Q3.")

    def handle(self, *args, cycle, **options):
        from reports.services import CycleStillOpen, rollup_cycle  # numpy: loaded only when a roll-up runs

        found = cycle_named(cycle)
        if found.status == found.Status.OPEN:
            # Refused before anything is written; the service checks again under the cycle's lock.
            raise CommandError(str(CycleStillOpen(found)))
        started = time.perf_counter()
        try:
            run = rollup_cycle(cycle_id=found.id)
        except CycleStillOpen as refused:  # opened meanwhile
            raise CommandError(str(refused)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Rolled up {found.name}: {run.answers_count:,} answers in {elapsed:.2f} s (run {run.pk})."
            )
        )
        weakest = selectors.weakest(cycle=found)
        if weakest and weakest["department"]:
            company = weakest["company_mean"]
            company = "hidden" if company is None else f"{company:.2f}"  # hidden by the differencing rule
            self.stdout.write(
                f"Weakest department: {weakest['department']['department']} ({weakest['department']['mean']:.2f}; "
                f"company mean {company})"
            )
        if weakest and weakest["link"]:
            link = weakest["link"]
            self.stdout.write(f"Weakest link: {link['rater']} → {link['provider']} ({link['mean']:.2f})")
