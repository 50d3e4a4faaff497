"""`manage.py seed_demo [--people N]`: build the demo company (idempotent) and print its accounts.

In actions, the highest app: the demo's story ends with its commitments (actions.demo), and
surveys, which builds the company and its quarters, never imports what sits above it."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a demo company with three published quarters and the current one open. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=None, help="Headcount (default 250).")

    def handle(self, *args, people, **options):
        from actions.demo import seed_demo  # pandas: loaded only when it runs
        from surveys.demo import DEFAULT_PEOPLE

        people = DEFAULT_PEOPLE if people is None else people
        if people < 20:
            raise CommandError("--people must be at least 20: smaller groups would all be suppressed.")
        result = seed_demo(people=people)
        if result.people_created or result.cycles_created or result.commitments_created:
            self.stdout.write(
                f"Demo company: {result.departments_created} departments and {result.people_created} people created; "
                f"cycles {', '.join(result.cycles_created) or 'none'} created ({result.answers_written} answers); "
                f"{result.commitments_created} commitments."
            )
        else:
            self.stdout.write("Demo company already in place: nothing changed.")
        self.stdout.write(self.style.SUCCESS(f"Sign in at /accounts/login/ with password {result.password!r} as:"))
        for role, name, email in result.accounts:
            self.stdout.write(f"  {role:<10} {email:<36} {name}")
