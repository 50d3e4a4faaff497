"""HR's scorecard downloads /reports/<cycle>/scorecards.csv, .xlsx and .pdf (reports/downloads.py):
who may download what, when, and that the file is byte for byte the one `manage.py export_scorecards` writes."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command

from reports.models import RollupRun
from reports.services import rollup_cycle
from surveys.models import Cycle
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers, full_survey

pytestmark = pytest.mark.django_db

CSV_URL = "/reports/2026-Q3/scorecards.csv"
XLSX_URL = "/reports/2026-Q3/scorecards.xlsx"
PDF_URL = "/reports/2026-Q3/scorecards.pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published_cycle(name="2026-Q3", **fields):
    return CycleFactory(name=name, status=Cycle.Status.PUBLISHED, min_group_size=3, **fields)


def rate(cycle, rater, provider, *, raters: int, score: int = 4, first: int = 1) -> list:
    """`raters` distinct respondents of `rater` giving `provider` the same score on every dimension."""
    return [row for r in range(first, first + raters) for row in full_survey(r, rater, provider, score, expectation=4)]


@pytest.fixture
def rolled_up(org):
    """Published 2026-Q3 (minimum group size 3): IT rated by three Sales people, Sales management
    rated by only two of its staff (suppressed)."""
    cycle = published_cycle()
    sales, it = org["sales"], org["it"]
    add_answers(cycle, rate(cycle, sales, it, raters=3, score=4) + rate(cycle, sales, sales, raters=2, first=10))
    rollup_cycle(cycle_id=cycle.id)
    return cycle


def command_output(tmp_path, fmt: str) -> bytes:
    path = tmp_path / f"out.{fmt}"
    call_command("export_scorecards", "2026-Q3", "--format", fmt, "-o", str(path), stdout=io.StringIO())
    return path.read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def downloaded_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"), newline="")))


def test_hr_downloads_the_csv_byte_for_byte_as_the_export_command_writes_it(client, hr, rolled_up, tmp_path):
    client.force_login(hr.user)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-scorecards.csv"'
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response.streaming  # the CSV streams row by row
    content = b"".join(response.streaming_content)
    assert content == command_output(tmp_path, "csv")
    assert content.startswith(b"cycle,department,scope,dimension,respondents,ratings,mean,")
    assert b"2026-Q3,IT,supplier,overall,3,18,4.00,100.0,4.00,0.00,,1,false\r\n" in content


def test_hr_downloads_the_pdf_as_the_export_command_writes_it(client, hr, rolled_up, tmp_path):
    client.force_login(hr.user)
    response = client.get(PDF_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-scorecards.pdf"'
    # Same bytes but for the creation day printed on the summary page (both are today).
    assert response.content == command_output(tmp_path, "pdf")


def test_hr_downloads_one_departments_pdf_page(client, hr, rolled_up):
    client.force_login(hr.user)
    response = client.get("/reports/2026-Q3/departments/it/scorecard.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-it-scorecard.pdf"'
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 1 and pages[0].extract_text().startswith("IT\n")
    assert client.get("/reports/2026-Q3/departments/nowhere/scorecard.pdf").status_code == 404


def test_hr_downloads_the_xlsx_byte_for_byte_as_the_export_command_writes_it(
    client, hr, rolled_up, tmp_path, monkeypatch
):
    class FrozenDatetime(datetime.datetime):
        # xlsxwriter stamps the workbook's creation second into docProps/core.xml: pin it for both.
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=tz)

    monkeypatch.setattr("xlsxwriter.core.datetime", FrozenDatetime)
    client.force_login(hr.user)
    response = client.get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="chainsurvey-2026-Q3-scorecards.xlsx"'
    assert response.content[:2] == b"PK"
    assert response.content == command_output(tmp_path, "xlsx")


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL, "/reports/2031-Q1/scorecards.csv"])
def test_signed_out_visitor_is_sent_to_login_and_gets_no_data(client, rolled_up, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


REFUSED = [
    *[(persona, url) for persona in ("employee", "manager", "outsider") for url in (CSV_URL, XLSX_URL, PDF_URL)],
    *[(persona, "/reports/2031-Q1/scorecards.csv") for persona in ("employee", "manager", "executive", "outsider")],
    ("executive", CSV_URL),  # the CSV, for BI tools, is HR's export
    # A department's PDF is for whoever sees its scorecard: not an employee, nor another department's manager.
    ("employee", "/reports/2026-Q3/departments/sales/scorecard.pdf"),
    ("manager", "/reports/2026-Q3/departments/it/scorecard.pdf"),
    ("manager", "/reports/2026-Q3/departments/nowhere/scorecard.pdf"),  # existing or not: 403 alike
]


@pytest.mark.parametrize(("persona", "url"), REFUSED)
def test_people_who_may_not_download_a_file_get_403_and_no_data(client, request, rolled_up, persona, url):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))
    response = client.get(url)
    assert response.status_code == 403
    assert not response.has_header("Content-Disposition")
    assert b"supplier" not in response.content and b"2026-Q3" not in response.content


def test_executives_download_the_workbook_and_pdf_the_command_writes(client, executive, rolled_up, tmp_path):
    client.force_login(executive.user)
    for url, fmt in ((XLSX_URL, "xlsx"), (PDF_URL, "pdf")):
        response = client.get(url)
        assert response.status_code == 200
        if (
            fmt == "pdf"
        ):  # the workbook stamps its creation second: compared byte for byte with a frozen clock elsewhere
            assert response.content == command_output(tmp_path, fmt)
    dashboard = client.get("/reports/2026-Q3/").content.decode()
    assert XLSX_URL in dashboard and PDF_URL in dashboard and CSV_URL not in dashboard


def test_a_manager_downloads_their_own_departments_pdf_from_its_page(client, org, rolled_up):
    from surveys.roles import Role
    from tests.factories import EmployeeFactory

    it_manager = EmployeeFactory(department=org["it"], role=Role.MANAGER)
    client.force_login(it_manager.user)
    url = "/reports/2026-Q3/departments/it/scorecard.pdf"
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    page = client.get("/reports/2026-Q3/departments/it/").content.decode()
    assert url in page and XLSX_URL not in page and CSV_URL not in page


@pytest.mark.parametrize("name", ["2031-Q1", "2026-Q5", "2026-q3", "26-Q3", "garbage", "2026-Q3%0A"])
def test_unknown_or_malformed_cycle_is_404_for_hr(client, hr, rolled_up, name):
    client.force_login(hr.user)
    response = client.get(f"/reports/{name}/scorecards.csv")
    assert response.status_code == 404
    assert not response.has_header("Content-Disposition")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Cycle.Status.DRAFT},
        {"status": Cycle.Status.OPEN},
        {"status": Cycle.Status.CLOSED},  # closed, rolled up, but not published yet
    ],
    ids=["draft", "open", "closed-unpublished"],
)
def test_cycle_whose_results_are_not_visible_is_404_for_hr_with_a_message(client, hr, org, fields):
    cycle = CycleFactory(name="2026-Q3", min_group_size=3, status=Cycle.Status.CLOSED)
    add_answers(cycle, rate(cycle, org["sales"], org["it"], raters=3))
    rollup_cycle(cycle_id=cycle.id)
    # Then put in the status under test: an open cycle is never rolled up (`rollup` refuses it), so
    # its snapshot here stands for one that exists nonetheless, which the download must not show.
    Cycle.objects.filter(pk=cycle.pk).update(**fields)
    client.force_login(hr.user)
    for url in (CSV_URL, XLSX_URL):
        response = client.get(url)
        assert response.status_code == 404
        assert not response.has_header("Content-Disposition")
        assert "are not published yet" in response.content.decode()
        assert b"supplier" not in response.content


def test_closed_historical_cycle_is_downloadable_once_rolled_up(client, hr, org):
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, is_historical=True, min_group_size=3)
    add_answers(cycle, rate(cycle, org["sales"], org["it"], raters=3))
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(hr.user)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert [row["department"] for row in downloaded_rows(response)] == ["IT"] * 7


def test_visible_cycle_whose_rollup_is_running_shows_being_computed_and_no_file(client, hr, org):
    cycle = published_cycle()
    add_answers(cycle, rate(cycle, org["sales"], org["it"], raters=3))
    RollupRun.objects.create(cycle=cycle, state=RollupRun.State.STARTED)
    client.force_login(hr.user)
    for url in (CSV_URL, XLSX_URL):
        response = client.get(url)
        assert response.status_code == 409
        assert response["Content-Type"].startswith("text/html")
        assert not response.has_header("Content-Disposition")
        assert "are being computed" in response.content.decode()


def test_visible_cycle_never_rolled_up_says_so_and_gives_no_file(client, hr, org):
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED, is_historical=True)
    add_answers(cycle, rate(cycle, org["sales"], org["it"], raters=3))
    client.force_login(hr.user)
    response = client.get(CSV_URL)
    assert response.status_code == 409
    assert not response.has_header("Content-Disposition")
    assert "have not been computed yet" in response.content.decode()


def test_department_below_the_minimum_group_size_downloads_with_empty_figures(client, hr, org):
    cycle = published_cycle()  # minimum group size 3
    small = DepartmentFactory(name="Legal", slug="legal")
    add_answers(
        cycle, rate(cycle, org["sales"], org["it"], raters=3) + rate(cycle, org["sales"], small, raters=2, first=20)
    )
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(hr.user)
    rows = downloaded_rows(client.get(CSV_URL))
    legal = [row for row in rows if row["department"] == "Legal"]
    assert len(legal) == 7
    figures = ("respondents", "ratings", "mean", "favorable_pct", "expectation_mean", "gap", "delta", "rank")
    for row in legal:
        assert row["suppressed"] == "true"
        assert {column: row[column] for column in figures} == dict.fromkeys(figures, "")
    it_overall = next(row for row in rows if row["department"] == "IT" and row["dimension"] == "overall")
    assert (it_overall["respondents"], it_overall["mean"], it_overall["suppressed"]) == ("3", "4.00", "false")


def test_formula_looking_department_names_are_escaped_in_the_download(client, hr, org):
    cycle = published_cycle()
    names = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"]
    providers = [DepartmentFactory(name=name, slug=f"formula-{i}") for i, name in enumerate(names)]
    add_answers(cycle, [row for provider in providers for row in rate(cycle, org["sales"], provider, raters=3)])
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(hr.user)
    rows = downloaded_rows(client.get(CSV_URL))
    assert {row["department"] for row in rows} == {"'" + name for name in names}


def test_post_is_not_allowed(client, hr, rolled_up):
    client.force_login(hr.user)
    assert client.post(CSV_URL).status_code == 405


@pytest.mark.parametrize("departments", [2, 40], ids=["two-departments", "forty-departments"])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # The session with its user, one statement (accounts.sessions; their roles come with them:
        # surveys.roles, no permission queries), the cycle
        # with its roll-up state, the exporter's cycle, the scorecard rows (read while the CSV streams).
        (CSV_URL, 4),
        # ... then for the workbook and the PDF, instead of the scorecard rows: the book's cycle,
        # department rows, response rates, trend rows, comment counts, link matrix, summary (twice:
        # weakest and previous cycle), dimensions, company rows; what the commitments add to the
        # book (reports.panels): the visible cycles, the commitments, dimension labels, the
        # commitments exporter's cycle, and (the workbook's sheet only) its rows.
        (XLSX_URL, 17),
        (PDF_URL, 16),
    ],
    ids=["csv", "xlsx", "pdf"],
)
def test_download_runs_a_fixed_number_of_queries_whatever_the_org_size(
    client, hr, org, departments, url, queries, django_assert_num_queries
):
    cycle = published_cycle()
    providers = [DepartmentFactory(name=f"Provider {i:02d}", slug=f"provider-{i}") for i in range(departments)]
    add_answers(cycle, [row for provider in providers for row in rate(cycle, org["sales"], provider, raters=3)])
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(hr.user)
    with django_assert_num_queries(queries):
        response = client.get(url)
        content = body(response)
    assert response.status_code == 200
    if url == CSV_URL:
        assert len(content.decode().splitlines()) == 1 + departments * 7
    else:
        assert len(content) > 1000
