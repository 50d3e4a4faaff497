"""`manage.py send_notices`: send the invitations and reminders due now, in-process.

The beat schedule does this every few minutes; this command is for a set-up without a worker, or
to send at once after opening a cycle.
"""

from django.core.management.base import BaseCommand, CommandError

from invitations import services


class Command(BaseCommand):
    help = "Send the invitations and reminders of the open cycle that are due now (each person gets each once)."

    def handle(self, *args, **options):
        plan = services.notices_due()
        if plan.cycle_id is None:
            self.stdout.write("No cycle is open: nothing to send.")
            return
        for kind, pending in plan.pending.items():
            sent = 0
            try:
                while (batch := services.notices_send_batch(cycle_id=plan.cycle_id, kind=kind)).taken:
                    sent += batch.sent
            except services.NoticeSendError as exc:
                raise CommandError(
                    f"{sent} {kind}s sent, then the mail server refused: {exc}. The rest are kept and sent on the "
                    "next run."
                ) from exc
            self.stdout.write(f"{kind.capitalize()}s: {sent} sent (of {pending} due).")
        if not plan.pending:
            self.stdout.write("Nothing is due today.")
