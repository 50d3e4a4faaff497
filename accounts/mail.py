"""The mail helpers every email of the app goes through: absolute links, a message rendered from
`templates/emails/` (text with an HTML alternative), and sending a list over one connection.

They live here, in the lowest app, so that every layer can mail: the notice of an identity change
(accounts.identity) as well as invitations and reminders (invitations, which re-exports them as
`invitations.mail`) and the reminders and news about commitments (actions.notices). One mailer,
whatever the message.
"""

from collections.abc import Callable, Sequence
from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

# What a mail server or the network raises for a message that was not accepted.
SEND_ERRORS = (OSError,)  # smtplib.SMTPException is an OSError

T = TypeVar("T")


def absolute_url(path: str) -> str:
    """A link for an email: `path` on CHAINSURVEY_SITE_URL."""
    return f"{settings.CHAINSURVEY_SITE_URL}{path}"


def email_message(template: str, context: dict, *, to: str) -> EmailMultiAlternatives:
    """The email `emails/<template>`: its subject (`_subject.txt`, on one line), text (`.txt`) and
    HTML alternative (`.html`), rendered with `context`, to one address."""
    name = f"emails/{template}"
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject, render_to_string(f"{name}.txt", context), to=[to])
    message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
    return message


def send_in_order(items: Sequence[T], message_for: Callable[[T], EmailMessage]) -> tuple[list[T], Exception | None]:
    """Send one message per item, in order, over one connection to the mail server, stopping at
    the first refusal. Returns the items whose message the server accepted, and the refusal (None
    when every message went out); what to record of either is the caller's."""
    sent: list[T] = []
    try:
        with get_connection(fail_silently=False) as connection:
            for item in items:
                connection.send_messages([message_for(item)])
                sent.append(item)
    except SEND_ERRORS as exc:
        return sent, exc
    return sent, None
