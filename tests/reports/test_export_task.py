"""HR's workbook and PDF through the export task (reports.export_task, reports.export_jobs) when a
broker is configured: the polling page, its status URL, the file (byte for byte the command's and
the in-request download's), who may see them, and their expiry. The broker is simulated: REDIS_URL
set, tasks run in-process (tests/conftest.py), so the task has run by the time the page answers,
unless a test holds it back."""

import datetime
import io
import re
import uuid

import pytest

from reports import export_jobs
from reports.export_task import export_scorecards
from reports.exporters import render_scorecards
from reports.services import rollup_cycle
from reports.tasks import purge_expired_exports
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.reports.builders import add_answers
from tests.reports.test_views import PDF_URL, XLSX_TYPE, XLSX_URL, command_output, published_cycle, rate

pytestmark = pytest.mark.django_db

DEPARTMENT_PDF_URL = "/reports/2026-Q3/departments/it/scorecard.pdf"


@pytest.fixture
def rolled_up(org):
    cycle = published_cycle()
    add_answers(cycle, rate(cycle, org["sales"], org["it"], raters=3, score=4))
    rollup_cycle(cycle_id=cycle.id)
    return cycle


@pytest.fixture
def export_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def broker(settings, export_root):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"  # never contacted: tasks run in-process
    settings.CHAINSURVEY_BACKGROUND_EXPORTS = True
    return export_root


@pytest.fixture
def frozen_xlsx_clock(monkeypatch):
    class FrozenDatetime(datetime.datetime):
        # xlsxwriter stamps the workbook's creation second into docProps/core.xml: pin it for all.
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=tz)

    monkeypatch.setattr("xlsxwriter.core.datetime", FrozenDatetime)


def status_url(response) -> str:
    found = re.search(rb'<meta http-equiv="refresh" content="2; url=(/reports/exports/[0-9a-f-]+/)">', response.content)
    assert found, response.content[:2000]
    return found.group(1).decode()


def download_through_the_task(client, url):
    asked = client.get(url)
    assert asked.status_code == 202
    assert asked.templates[0].name == "reports/export_status.html"
    assert not asked.has_header("Content-Disposition")
    status = status_url(asked)
    done = client.get(status)
    assert done.status_code == 200
    assert b'data-export-status="done"' in done.content
    file_url = f"{status}file"
    assert f'<meta http-equiv="refresh" content="0; url={file_url}">'.encode() in done.content
    return asked, done, client.get(file_url)


def file_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


# ---- No broker (the default): the request builds the file ----


@pytest.mark.parametrize(("url", "fmt"), [(XLSX_URL, "xlsx"), (PDF_URL, "pdf")])
def test_without_a_broker_the_request_returns_the_commands_bytes_and_stores_nothing(
    client, hr, rolled_up, export_root, frozen_xlsx_clock, tmp_path_factory, url, fmt
):
    client.force_login(hr.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == command_output(tmp_path_factory.mktemp("command"), fmt)
    assert list(export_root.iterdir()) == []


# ---- With a broker: the polling page, its status, the file ----


def test_with_a_broker_the_workbook_is_built_by_the_task_and_downloads_byte_for_byte(
    client, hr, rolled_up, broker, frozen_xlsx_clock, tmp_path_factory
):
    client.force_login(hr.user)
    asked, _, file = download_through_the_task(client, XLSX_URL)
    assert b"being built" in asked.content and b"<script>" not in asked.content
    assert file.status_code == 200
    assert file["Content-Type"] == XLSX_TYPE
    assert file["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-scorecards.xlsx"'
    assert "no-cache" in file["Cache-Control"] or "max-age=0" in file["Cache-Control"]
    assert file_bytes(file) == command_output(tmp_path_factory.mktemp("command"), "xlsx")


def test_with_a_broker_the_pdf_downloads_byte_for_byte(client, hr, rolled_up, broker, tmp_path_factory):
    client.force_login(hr.user)
    *_, file = download_through_the_task(client, PDF_URL)
    assert file["Content-Type"] == "application/pdf"
    assert file["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-scorecards.pdf"'
    assert file_bytes(file) == command_output(tmp_path_factory.mktemp("command"), "pdf")


def test_with_a_broker_one_departments_pdf_is_the_in_request_one(client, hr, rolled_up, org, broker):
    client.force_login(hr.user)
    *_, file = download_through_the_task(client, DEPARTMENT_PDF_URL)
    assert file["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-it-scorecard.pdf"'
    expected = io.BytesIO()
    render_scorecards(cycle_id=rolled_up.id, fmt="pdf", stream=expected, department_id=org["it"].id)
    assert file_bytes(file) == expected.getvalue()
    assert client.get("/reports/2026-Q3/departments/nowhere/scorecard.pdf").status_code == 404


def test_a_department_without_results_ends_in_no_file(client, hr, rolled_up, broker):
    client.force_login(hr.user)
    asked = client.get("/reports/2026-Q3/departments/human-resources/scorecard.pdf")
    assert asked.status_code == 202
    status = client.get(status_url(asked))
    assert status.status_code == 404
    assert b"no results" in status.content
    assert client.get(f"{status_url(asked)}file").status_code == 404


def test_the_cycle_check_still_comes_first(client, hr, org, broker):
    client.force_login(hr.user)
    published_cycle()  # never rolled up
    assert client.get(XLSX_URL).status_code == 409
    assert list(broker.iterdir()) == []


def test_while_the_task_runs_the_page_polls_itself_and_there_is_no_file_yet(client, hr, rolled_up, broker, monkeypatch):
    sent = []
    monkeypatch.setattr(export_scorecards, "delay", lambda **kwargs: sent.append(kwargs))
    client.force_login(hr.user)
    asked = client.get(XLSX_URL)
    assert asked.status_code == 202
    status = status_url(asked)
    export_id = status.split("/")[-2]
    # The task's arguments are plain ids, the format and the requester's language.
    assert sent == [
        {"export_id": export_id, "cycle_id": rolled_up.id, "fmt": "xlsx", "department_id": None, "language": "en"}
    ]
    polled = client.get(status)
    assert polled.status_code == 202 and status_url(polled) == status
    assert client.get(f"{status}file").status_code == 404
    export_scorecards(**sent[0])  # the worker gets to it
    assert b'data-export-status="done"' in client.get(status).content
    assert client.get(f"{status}file").status_code == 200
    # A late copy of the message finds the job done and leaves it alone.
    assert export_scorecards(**sent[0]) is None


def test_a_failing_export_says_so_and_gives_no_file(client, hr, rolled_up, broker, monkeypatch):
    sent = []
    monkeypatch.setattr(export_scorecards, "delay", lambda **kwargs: sent.append(kwargs))
    client.force_login(hr.user)
    status = status_url(client.get(PDF_URL))

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("reports.export_task.render_scorecards", broken)
    with pytest.raises(RuntimeError):
        export_scorecards(**sent[0])
    page = client.get(status)
    assert page.status_code == 200 and b"could not be built" in page.content and b"boom" not in page.content
    assert client.get(f"{status}file").status_code == 404


# ---- Who may see an export ----


@pytest.fixture
def hr_export(client, hr, rolled_up, broker):
    client.force_login(hr.user)
    url = status_url(client.get(PDF_URL))
    client.logout()
    return url


def test_another_hr_person_gets_403_for_someone_elses_export(client, org, hr_export):
    other = EmployeeFactory(department=DepartmentFactory(name="People", slug="people"), role=Role.HR)
    client.force_login(other.user)
    assert client.get(hr_export).status_code == 403
    file = client.get(f"{hr_export}file")
    assert file.status_code == 403 and not file.has_header("Content-Disposition")


@pytest.mark.parametrize("persona", ["employee", "manager", "executive", "outsider"])
def test_people_without_the_export_permission_get_403(client, request, hr_export, persona):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))
    assert client.get(hr_export).status_code == 403
    assert client.get(f"{hr_export}file").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, hr_export):
    assert client.get(hr_export).status_code == 302
    assert client.get(f"{hr_export}file").status_code == 302


def test_unknown_export_ids_are_404(client, hr, broker):
    client.force_login(hr.user)
    unknown = uuid.uuid4()
    assert client.get(f"/reports/exports/{unknown}/").status_code == 404
    assert client.get(f"/reports/exports/{unknown}/file").status_code == 404
    assert client.get("/reports/exports/not-an-id/").status_code == 404


# ---- Expiry ----


def test_expired_exports_are_deleted_and_gone(client, hr, hr_export, broker, settings):
    client.force_login(hr.user)
    assert client.get(f"{hr_export}file").status_code == 200
    assert len(list(broker.iterdir())) == 2  # the record and the file
    export_id = hr_export.split("/")[-2]
    job = export_jobs.load(export_id)
    assert job.expires - datetime.datetime.fromisoformat(job.created) == datetime.timedelta(seconds=3600)
    assert export_jobs.purge_expired(now=job.expires - datetime.timedelta(seconds=1)) == []
    assert len(list(broker.iterdir())) == 2
    assert export_jobs.purge_expired(now=job.expires) == [export_id]
    assert list(broker.iterdir()) == []
    assert client.get(hr_export).status_code == 404
    assert client.get(f"{hr_export}file").status_code == 404


def test_an_expired_export_is_not_served_before_the_purge_runs(client, hr, hr_export, broker, settings):
    client.force_login(hr.user)
    settings.CHAINSURVEY_EXPORT_EXPIRES_AFTER = 0
    assert client.get(f"{hr_export}file").status_code == 404
    assert list(broker.iterdir()) == []


def test_the_beat_task_purges_and_keeps_what_has_not_expired(client, hr, hr_export, broker, settings):
    assert purge_expired_exports() == []
    assert len(list(broker.iterdir())) == 2
    settings.CHAINSURVEY_EXPORT_EXPIRES_AFTER = 0
    assert purge_expired_exports() == [hr_export.split("/")[-2]]
    assert list(broker.iterdir()) == []


def test_the_purge_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-exports"]
    assert entry["task"] == purge_expired_exports.name == "reports.tasks.purge_expired_exports"
    assert export_scorecards.name == "reports.tasks.export_scorecards"
