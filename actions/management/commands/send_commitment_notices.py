"""`manage.py send_commitment_notices`: send the commitments' reminders and news due now, in-process.

The beat schedule does this every few minutes; this command is for a set-up without a worker.
"""

from django.core.management.base import BaseCommand, CommandError

from actions import notices
from invitations.mail import NoticeSendError


class Command(BaseCommand):
    help = "Send the commitments' reminders and news that are due now (each person gets each once)."

    def handle(self, *args, **options):
        try:
            outcome = notices.notices_send()
        except NoticeSendError as exc:
            raise CommandError(f"The mail server refused: {exc}. What was not sent is sent on the next run.") from exc
        if outcome.taken:
            self.stdout.write(f"Commitment notices: {outcome.sent} sent.")
        else:
            self.stdout.write("Nothing is due now.")
