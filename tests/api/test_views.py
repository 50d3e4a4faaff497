"""/api/v1/ against the CSV exports of the same cycle: for each role, the same rows, the same
figures and the same hidden ones as `export_*` writes, cut to what that role sees on the web;
pages, errors and the number of queries."""

import csv
import io

import pytest
from django.core.management import call_command

from api.resources import RESOURCES
from reports.models import RollupRun
from surveys.models import Cycle

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cycles/2026-Q1"


def csv_rows(command: str, cycle: str = "2026-Q1") -> list[dict]:
    out = io.StringIO()
    call_command(command, cycle, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def every_row(api, key, url) -> list[dict]:
    """Every page of a list, followed through `next`."""
    rows, page = [], api(key, url, page_size=7)
    while True:
        assert page.status_code == 200, page.content
        body = page.json()
        rows += body["results"]
        if body["next"] is None:
            assert body["count"] == len(rows)
            return rows
        page = api(key, body["next"])


def same_cell(value, cell: str) -> bool:
    """A JSON value is the CSV's cell: null for empty, numbers as numbers (ints as ints), text as
    is (the CSV defuses formula-looking text with an apostrophe; JSON need not)."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int):
        return "." not in cell and int(cell) == value
    if isinstance(value, float):
        return cell != "" and float(cell) == value
    return cell in (value, "'" + value)


def assert_same(json_rows: list[dict], csv_rows: list[dict]):
    assert len(json_rows) == len(csv_rows) > 0
    for got, want in zip(json_rows, csv_rows, strict=True):
        assert list(got) == list(want)  # the CSV's columns, in its order
        wrong = {name: (got[name], want[name]) for name in want if not same_cell(got[name], want[name])}
        assert not wrong, f"{want}: {wrong}"


# ---- The same as the CSV, per role ----


@pytest.mark.parametrize("role", ["executive", "hr"])
def test_executives_and_hr_get_the_scorecard_csv_as_json(api, company, keys, role):
    expected = csv_rows("export_scorecards")
    assert any(row["suppressed"] == "true" for row in expected)  # hidden rows are part of the test
    got = every_row(api, keys[role], f"{BASE}/scorecards/")
    assert_same(got, expected)
    hidden = [row for row in got if row["suppressed"]]
    assert hidden and all(row["respondents"] is row["mean"] is row["rank"] is None for row in hidden)
    assert all(
        isinstance(row["ratings"], int) and isinstance(row["mean"], float) for row in got if not row["suppressed"]
    )


def test_a_manager_gets_their_own_departments_scorecard_rows_only(api, company, keys):
    expected = [row for row in csv_rows("export_scorecards") if row["department"] == "Sales"]
    assert {row["suppressed"] for row in expected} == {"true", "false"}
    assert_same(every_row(api, keys["manager"], f"{BASE}/scorecards/"), expected)


@pytest.mark.parametrize("role", ["executive", "hr"])
def test_executives_and_hr_get_the_links_csv_as_json(api, company, keys, role):
    expected = csv_rows("export_links")
    assert any(row["suppressed"] == "true" for row in expected)
    assert_same(every_row(api, keys[role], f"{BASE}/links/"), expected)


def test_a_manager_gets_the_links_that_rate_their_department_only(api, company, keys):
    # As their scorecard page shows them (reports.pages.department_data reads links by provider).
    expected = [row for row in csv_rows("export_links") if row["provider_department"] == "Sales"]
    assert {row["rater_department"] for row in expected} == {"IT", "Executive Office", "Sales"}
    assert_same(every_row(api, keys["manager"], f"{BASE}/links/"), expected)


@pytest.mark.parametrize("url", ["scorecards", "links"])
def test_an_employee_is_refused_the_scorecards_and_links_with_a_message(api, company, keys, url):
    response = api(keys["employee"], f"{BASE}/{url}/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "managers" in response.json()["detail"]
    # Refused before the cycle is looked at: an unknown cycle reads the same.
    assert api(keys["employee"], f"/api/v1/cycles/1999-Q1/{url}/").json() == response.json()


@pytest.mark.parametrize("role", ["executive", "hr"])
def test_executives_and_hr_get_the_commitments_csv_as_json(api, company, keys, role):
    expected = csv_rows("export_commitments")
    # Figures shown (IT's) and hidden (Sales's management, rated by two) are both part of the test.
    assert any(row["p_value"] for row in expected) and any(not row["before_mean"] for row in expected)
    assert_same(every_row(api, keys[role], f"{BASE}/commitments/"), expected)


MASKED = ("owner_email", "before_mean", "after_mean", "delta", "p_value")


def test_an_employee_gets_every_published_commitment_in_words_without_owners_or_figures(api, company, keys):
    # /actions/ shows everyone the commitments, their status and verdict in words: no owner, no figure.
    expected = [{**row, **dict.fromkeys(MASKED, "")} for row in csv_rows("export_commitments")]
    got = every_row(api, keys["employee"], f"{BASE}/commitments/")
    assert_same(got, expected)
    assert "improved" in {row["verdict"] for row in got}  # the verdict, in words, stays
    assert all(row[name] is None for row in got for name in MASKED)


def test_a_manager_sees_owners_and_figures_of_their_own_departments_commitments_only(api, company, keys):
    expected = [
        row if row["department"] == "Sales" else {**row, **dict.fromkeys(MASKED, "")}
        for row in csv_rows("export_commitments")
    ]
    got = every_row(api, keys["manager"], f"{BASE}/commitments/")
    assert_same(got, expected)
    assert any(row["department"] == "Sales" and row["owner_email"] == "mark@example.com" for row in got)


def test_the_cycles_list_names_what_each_role_may_read(api, company, keys):
    for role, lists in {
        "employee": ["commitments"],
        "manager": ["scorecards", "links", "commitments", "drivers"],
        "hr": ["scorecards", "links", "commitments", "drivers"],
    }.items():
        body = api(keys[role], "/api/v1/cycles/").json()
        assert [c["name"] for c in body["results"]] == ["2026-Q2", "2026-Q1"]
        first = body["results"][1]
        assert first["min_group_size"] == 3 and first["published_at"].endswith("Z")
        assert list(first["lists"]) == lists
        assert first["lists"]["commitments"] == "http://testserver/api/v1/cycles/2026-Q1/commitments/"


def test_the_root_points_to_the_cycles(api, company, keys):
    assert api(keys["employee"], "/api/v1/").json() == {"cycles": "http://testserver/api/v1/cycles/"}


# ---- Cycles that may not leave the app ----


def test_an_unknown_or_malformed_cycle_is_a_json_404(api, company, keys):
    for name in ("2030-Q1", "nonsense", "2026-Q1'--"):
        response = api(keys["hr"], f"/api/v1/cycles/{name}/scorecards/")
        assert response.status_code == 404
        assert "No cycle named" in response.json()["detail"]


@pytest.mark.parametrize("status", [Cycle.Status.OPEN, Cycle.Status.CLOSED])
def test_a_cycle_whose_results_are_not_published_gives_nothing(api, company, keys, status):
    Cycle.objects.create(name="2026-Q3", status=status, min_group_size=3)
    for url in ("scorecards", "links", "commitments"):
        response = api(keys["hr"], f"/api/v1/cycles/2026-Q3/{url}/")
        assert response.status_code == 404
        assert "not published" in response.json()["detail"]
    assert "2026-Q3" not in str(api(keys["hr"], "/api/v1/cycles/").json())


def test_a_published_cycle_whose_first_rollup_is_running_says_when_to_retry(api, company, keys):
    cycle = Cycle.objects.create(name="2026-Q3", status=Cycle.Status.PUBLISHED, min_group_size=3)
    RollupRun.objects.create(cycle=cycle, state=RollupRun.State.STARTED)
    response = api(keys["hr"], "/api/v1/cycles/2026-Q3/scorecards/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "rolled up" in response.json()["detail"]


# ---- Pages and bad input ----


def test_pages_follow_the_csv_order_and_cover_it_once(api, company, keys):
    whole = api(keys["hr"], f"{BASE}/links/", page_size=5000).json()
    assert whole["next"] is None
    assert every_row(api, keys["hr"], f"{BASE}/links/") == whole["results"]


@pytest.mark.parametrize("size", ["0", "-1", "abc", "5001", "1.5"])
def test_a_bad_page_size_is_a_json_400_that_says_what_is_allowed(api, company, keys, size):
    response = api(keys["hr"], f"{BASE}/links/", page_size=size)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("page_size must be a whole number from 1 to 5000")


@pytest.mark.parametrize("page", ["999", "0", "x"])
def test_a_page_that_does_not_exist_is_a_json_404(api, company, keys, page):
    response = api(keys["hr"], f"{BASE}/links/", page=page)
    assert response.status_code == 404
    assert response.json()["detail"].startswith(f"There is no page {page}")


def test_writes_are_refused_with_json(client, company, keys):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(f"{BASE}/scorecards/", {}, HTTP_AUTHORIZATION=f"Token {keys['hr']}")
        assert response.status_code == 405
        assert "not allowed" in response.json()["detail"]


def test_an_unknown_api_address_is_a_json_404_and_a_missing_slash_is_added(api, keys, company):
    response = api(keys["hr"], "/api/v1/nowhere/")
    assert response.status_code == 404
    assert "/api/v1/" in response.json()["detail"]
    moved = api(keys["hr"], f"{BASE}/links", page=2)
    assert moved.status_code == 301
    assert moved["Location"] == f"{BASE}/links/?page=2"


def test_an_unexpected_failure_is_a_json_500_and_is_logged(api, company, keys, monkeypatch, caplog):
    from reports.exporters.scorecards import ScorecardExporter

    def broken(self, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ScorecardExporter, "records", broken)
    response = api(keys["hr"], f"{BASE}/scorecards/")
    assert response.status_code == 500
    assert "logged" in response.json()["detail"] and "disk" not in response.content.decode()
    assert "disk on fire" in caplog.text


# ---- Cost ----


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_a_page_of_rows_costs_a_fixed_number_of_queries(api, company, keys, role, django_assert_num_queries):
    api(keys[role], f"{BASE}/links/")  # the token's last use is written once, not on every request
    # 1 the token, 2 the person with their role, 3 the cycle (rolled up?), 4 the cycle again (the
    # exporter), 5 the count, 6 the page.
    with django_assert_num_queries(6):
        response = api(keys[role], f"{BASE}/links/", page_size=3)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # nothing in between keeps a person's results
    # The cycles: 1 the token, 2 the person, 3 the count, 4 the page.
    with django_assert_num_queries(4):
        assert api(keys[role], "/api/v1/cycles/").status_code == 200


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_no_figure_of_a_hidden_row_leaves_through_the_api(client, org, manager, hr, role):
    """Hidden rows carry canary figures here (a real roll-up stores none): none may surface."""
    from api.tokens import token_create
    from tests.reports.snapshots import CANARY_STRINGS, build_company

    built = build_company(departments=20, cycles=2, hidden_share=0.5, include=(org["sales"],))
    person = {"hr": hr, "manager": manager}[role]
    key = token_create(user=person.user, name="canary").key
    name = built["latest"].name
    seen = 0
    for url in ("scorecards", "links"):
        response = client.get(f"/api/v1/cycles/{name}/{url}/", {"page_size": 5000}, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
        text, rows = response.content.decode(), response.json()["results"]
        for canary in (*CANARY_STRINGS, "7.654", '"rank":99,', '"ratings":17,'):
            assert canary not in text, f"a hidden figure ({canary}) leaked through {url}"
        hidden = [row for row in rows if row["suppressed"]]
        figures = [c.name for c in RESOURCES[url].columns if c.kind in ("int", "float")]
        assert hidden and all(row[name] is None for row in hidden for name in figures)
        seen += len(rows)
    assert seen > 0


@pytest.mark.parametrize("role", ["executive", "hr"])
def test_executives_and_hr_get_the_drivers_csv_as_json(api, company, keys, role):
    expected = csv_rows("export_drivers")
    assert expected and {row["tier"] for row in expected} == {"company"}  # a small company: no weights
    got = every_row(api, keys[role], f"{BASE}/drivers/")
    assert_same(got, expected)
    assert all(row["correlation"] is row["importance_pct"] is None for row in got if row["tier"] == "company")


def test_a_manager_gets_their_departments_and_the_companys_drivers(api, company, keys):
    expected = [row for row in csv_rows("export_drivers") if row["department"] in ("Sales", "")]
    assert {row["department"] for row in expected} == {"Sales", ""}
    assert_same(every_row(api, keys["manager"], f"{BASE}/drivers/"), expected)


def test_an_employee_gets_no_drivers(api, company, keys):
    response = api(keys["employee"], f"{BASE}/drivers/")
    assert response.status_code == 403 and "detail" in response.json()
