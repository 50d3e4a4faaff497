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
from django.utils import translation

# What a mail server or the network raises for a message that was not accepted.
SEND_ERRORS = (OSError,)  # smtplib.SMTPException is an OSError

T = TypeVar("T")


def absolute_url(path: str) -> str:
    """A link for an email: `path` on CHAINSURVEY_SITE_URL."""
    return f"{settings.CHAINSURVEY_SITE_URL}{path}"


def language_of(person) -> str:
    """The language a person's emails are written in: the org file's `language` column, else their
    own choice in the navigation bar, else the site's default (as chainsurvey.middleware serves
    their pages, without a browser to ask). `person` is an Employee, or None (no one on file)."""
    supported = {code for code, _ in settings.LANGUAGES}
    for code in (getattr(person, "language", ""), getattr(person, "chosen_language", "")):
        if code in supported:
            return code
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def email_message(template: str, context: dict, *, to: str, language: str | None = None) -> EmailMultiAlternatives:
    """The email `emails/<template>`: its subject (`_subject.txt`, on one line), text (`.txt`) and
    HTML alternative (`.html`), rendered with `context`, to one address, in `language` (the
    recipient's, `language_of`; None: the site's default, never the language of whatever request or
    task happens to send it)."""
    name = f"emails/{template}"
    language = language or language_of(None)
    with translation.override(language):
        context = {**context, "email_language": language}
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        message = EmailMultiAlternatives(subject, render_to_string(f"{name}.txt", context), to=[to])
        message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
    message.extra_headers["Content-Language"] = language
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
