"""News for the company's chat (actions.webhook): a real HTTP server on 127.0.0.1 receives what the
Celery task posts (tasks run in-process in tests, retries included)."""

import datetime
import http.server
import json
import re
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from actions.services import Draft, commitment_create
from reports.services import rollup_cycle
from surveys.models import Cycle
from surveys.services.cycles import cycle_publish
from tests.factories import CycleFactory
from tests.reports.builders import add_answers, full_survey
from tests.test_settings import settings_with_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(settings):
    """A chat service on a free port: records every POST; answers the statuses in `replies` first."""
    received, replies = [], []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(replies.pop(0) if replies else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CHAINSURVEY_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/hooks/abc"
    yield received, replies
    server.shutdown()


def closed_rolled_up(org, name="2026-Q3"):
    cycle = CycleFactory(name=name, status=Cycle.Status.CLOSED, min_group_size=3)
    add_answers(cycle, [row for r in range(1, 5) for row in full_survey(r, org["sales"], org["it"], 2 + r % 3)])
    rollup_cycle(cycle_id=cycle.id)
    return cycle


def no_figure(text: str) -> bool:
    return not re.search(r"\d[.,]\d|\d+ ?%", text)


def test_publishing_results_posts_one_message_with_no_figure(org, chat, django_capture_on_commit_callbacks):
    received, _ = chat
    cycle = closed_rolled_up(org)
    with django_capture_on_commit_callbacks(execute=True):
        cycle_publish(cycle=cycle)
    assert len(received) == 1
    text = received[0]["text"]
    assert "The 2026-Q3 Chain Survey results are published" in text and "/actions/" in text
    assert no_figure(text)


def test_a_departments_first_commitment_is_announced_once(company, chat, django_capture_on_commit_callbacks):
    received, _ = chat
    draft = Draft(
        scope="supplier",
        dimension="ownership",
        text="We answer every request within a day.",
        owner=company["executive"],
        due=timezone.localdate() + datetime.timedelta(days=60),
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            commitment_create(
                cycle=company["q2"], department=company["executive_office"], draft=draft, by=None, publish=True
            )
    assert [m["text"] for m in received] == [
        "Executive Office published its commitments on the 2026-Q2 results. http://localhost:8000/actions/"
    ]


def test_a_refusing_chat_service_is_retried_until_it_takes_the_message(chat):
    from actions.tasks import post_to_chat

    received, replies = chat
    replies.append(503)
    # As a worker runs it (apply, not eager propagation): the refusal is a retry, which lands.
    result = post_to_chat.apply(kwargs={"text": "The 2026-Q3 results are published."}, throw=False)
    assert result.successful() and result.result == 200
    assert received == [{"text": "The 2026-Q3 results are published."}] * 2


def test_an_unreachable_chat_service_is_retried_not_lost(settings):
    from celery.exceptions import Retry

    from actions.tasks import post_to_chat

    settings.CHAINSURVEY_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    with pytest.raises(Retry):
        post_to_chat.apply(kwargs={"text": "x"}, throw=True)


def test_without_a_webhook_nothing_is_posted(org, chat, settings, django_capture_on_commit_callbacks):
    received, _ = chat
    settings.CHAINSURVEY_WEBHOOK_URL = ""
    cycle = closed_rolled_up(org)
    with django_capture_on_commit_callbacks(execute=True):
        cycle_publish(cycle=cycle)
    assert received == []


def test_a_webhook_that_is_not_an_http_url_stops_the_app_without_echoing_it(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="CHAINSURVEY_WEBHOOK_URL must be an http") as refused:
        settings_with_env(monkeypatch, CHAINSURVEY_WEBHOOK_URL="hooks.slack.com/services/SECRET")
    assert "SECRET" not in str(refused.value)
