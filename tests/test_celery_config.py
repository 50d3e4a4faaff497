"""chainsurvey.celery and its settings: tasks run in-process without REDIS_URL, Redis is broker and
result store with it, and the beat schedule re-runs stalled roll-ups."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tests.test_settings import settings_with_env


def test_without_redis_url_tasks_run_in_process(monkeypatch):
    conf = settings_with_env(monkeypatch, REDIS_URL=None)

    assert conf["CELERY_TASK_ALWAYS_EAGER"] is True
    assert conf["CELERY_BROKER_URL"].startswith("memory://")
    assert conf["CELERY_RESULT_BACKEND"] is None


def test_with_redis_url_redis_is_broker_and_result_store(monkeypatch):
    conf = settings_with_env(monkeypatch, REDIS_URL="redis://cache.internal:6379/3")

    assert conf["CELERY_TASK_ALWAYS_EAGER"] is False
    assert conf["CELERY_BROKER_URL"] == conf["CELERY_RESULT_BACKEND"] == "redis://cache.internal:6379/3"
    assert conf["CELERY_TASK_ACKS_LATE"] is True


def test_stalled_rollups_are_looked_for_at_half_the_threshold(monkeypatch):
    conf = settings_with_env(monkeypatch, CHAINSURVEY_ROLLUP_STALE_AFTER="240")

    assert conf["CHAINSURVEY_ROLLUP_STALE_AFTER"] == 240
    entry = conf["CELERY_BEAT_SCHEDULE"]["rerun-stale-rollups"]
    assert entry["task"] == "reports.tasks.rerun_stale_rollups"
    assert entry["schedule"] == 120


def test_stale_threshold_defaults_to_ten_minutes(monkeypatch):
    assert settings_with_env(monkeypatch)["CHAINSURVEY_ROLLUP_STALE_AFTER"] == 600


@pytest.mark.parametrize("value", ["0", "-5"])
def test_stale_threshold_must_be_positive(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="CHAINSURVEY_ROLLUP_STALE_AFTER"):
        settings_with_env(monkeypatch, CHAINSURVEY_ROLLUP_STALE_AFTER=value)


def test_every_scheduled_task_is_registered_with_the_app():
    from chainsurvey.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled
    assert scheduled <= set(app.tasks)


def worker_app_reads(code: str, **environment):
    """What `code` prints as JSON in a fresh process that loads the worker's app as `celery -A
    chainsurvey worker` does (its tasks imported), with `environment` set."""
    env = {**os.environ, **environment, "DJANGO_SETTINGS_MODULE": "chainsurvey.settings"}
    setup = (
        "import json, django; django.setup(); from chainsurvey.celery import app; app.loader.import_default_modules(); "
    )
    out = subprocess.run(
        [sys.executable, "-c", setup + code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_worker_app_reads_redis_url_from_the_environment():
    # What `celery -A chainsurvey worker` loads, in a fresh process with REDIS_URL set.
    broker, backend, eager, tasks = worker_app_reads(
        "c = app.conf; print(json.dumps([c.broker_url, c.result_backend, c.task_always_eager, sorted(app.tasks)]))",
        REDIS_URL="redis://cache.internal:6379/3",
    )

    assert (broker, backend, eager) == ("redis://cache.internal:6379/3", "redis://cache.internal:6379/3", False)
    assert {
        "reports.tasks.rollup_cycle",
        "reports.tasks.rerun_stale_rollups",
        "surveys.tasks.close_due_cycles",
        "surveys.tasks.move_ballots",
    } <= set(tasks)


def test_the_beat_sweeps_the_ballot_box_every_minute(monkeypatch):
    entry = settings_with_env(monkeypatch)["CELERY_BEAT_SCHEDULE"]["move-ballots"]

    assert entry["task"] == "surveys.tasks.move_ballots"
    assert entry["schedule"] == 60


def test_heavy_tasks_have_queues_of_their_own_which_a_plain_worker_consumes():
    # What `celery -A chainsurvey worker` (no -Q) declares and consumes, and where each task goes,
    # for a deployment that names its queue.
    declared, routes = worker_app_reads(
        "names = sorted(n for n in app.tasks if not n.startswith('celery.')); "
        "print(json.dumps([sorted(app.amqp.queues), {n: app.amqp.router.route({}, n)['queue'].name for n in names}]))",
        REDIS_URL="redis://cache.internal:6379/3",
        CHAINSURVEY_CELERY_QUEUE="acme",
    )

    assert declared == ["acme", "acme.exports", "acme.rollups"]
    assert routes.pop("reports.tasks.rollup_cycle") == "acme.rollups"
    assert routes.pop("reports.tasks.export_scorecards") == "acme.exports"
    assert {"surveys.tasks.move_ballots", "invitations.tasks.send_due_notices"} <= set(routes)
    assert set(routes.values()) == {"acme"}
