"""News for the company's chat: an optional incoming webhook (CHAINSURVEY_WEBHOOK_URL — a Slack
incoming webhook, or a Teams workflow that posts a request's `text` to a channel).

Two kinds of news, each a sentence and a link, never a figure: a cycle's results are published
(surveys.signals.results_published), and a department publishes its first commitment on a
cycle's results (actions.services). Messages are posted by a Celery task after the transaction
that caused them commits, with retries and backoff while the chat service is down or refuses;
without the setting nothing is sent.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from invitations.mail import absolute_url
from surveys.models import Cycle, Department


def results_published(cycle: Cycle) -> str:
    return (
        f"The {cycle.name} Chain Survey results are published: every department can see how its "
        f"internal customers rate it, and the top of the company starts the commitments. "
        f"{absolute_url(reverse('actions:index'))}"
    )


def commitments_published(department: Department, cycle: Cycle) -> str:
    return (
        f"{department.name} published its commitments on the {cycle.name} results. "
        f"{absolute_url(reverse('actions:index'))}"
    )


def announce(text: str) -> None:
    """Post `text` once the current transaction commits (at once outside one); no-op unless set up."""
    if not settings.CHAINSURVEY_WEBHOOK_URL:
        return
    from .tasks import post_to_chat

    transaction.on_commit(lambda: post_to_chat.delay(text=text))


def on_results_published(sender, cycle: Cycle, **kwargs) -> None:
    announce(results_published(cycle))
