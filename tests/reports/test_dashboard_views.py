"""The executive dashboard /reports/[<cycle>/] and department pages /reports/<cycle>/departments/<slug>/:
who sees what, the contract's labels, no figure of a hidden group anywhere, a fixed number of
queries whatever the company's size, and a cache that a new roll-up replaces."""

import io
import json
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from reports.exporters import render_scorecards
from reports.models import CompanyResult, CycleSummary, DepartmentResult
from reports.services import rollup_cycle
from surveys.dimensions import ROW_DIMENSIONS
from surveys.models import Comment, Cycle, Dimension
from tests.factories import CycleFactory, DepartmentFactory
from tests.reports.builders import add_answers, full_survey
from tests.reports.snapshots import CANARY_STRINGS, build_company

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def company(org):
    """12 departments (Sales and IT among them) over 3 published cycles; 2020-Q3 is the latest."""
    return build_company(departments=10, cycles=3, include=(org["sales"], org["it"]))


def json_payloads(content: bytes) -> dict:
    """Every json_script payload of a page, by element id."""
    text = content.decode()
    found = re.findall(r'<script id="([^"]+)" type="application/json">(.*?)</script>', text, flags=re.S)
    return {key: json.loads(value) for key, value in found}


# ---- Who may see what ----


@pytest.mark.parametrize(
    "url", ["/reports/", "/reports/2020-Q3/", "/reports/2020-Q3/departments/sales/", "/reports/2020-Q3/departments/it/"]
)
def test_an_employee_gets_403_and_no_result_data(client, employee, company, url):
    client.force_login(employee.user)
    response = client.get(url)
    assert response.status_code == 403
    assert b"Weakest" not in response.content and b"heatmap" not in response.content


def test_the_heatmap_dimensions_are_for_executives_and_hr_only(client, employee, manager, executive, company):
    for person in (employee, manager):
        client.force_login(person.user)
        assert client.get("/reports/2020-Q3/heatmap.json").status_code == 403
    client.force_login(executive.user)
    assert client.get("/reports/2020-Q3/heatmap.json").status_code == 200
    assert client.get("/reports/1999-Q1/heatmap.json").status_code == 404


def test_an_account_that_is_nobody_in_the_org_gets_403(client, outsider, company):
    client.force_login(outsider.user if hasattr(outsider, "user") else outsider)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/2020-Q3/departments/sales/").status_code == 403


def test_a_manager_sees_their_own_department_and_nothing_else(client, manager, company):
    client.force_login(manager.user)

    own = client.get("/reports/2020-Q3/departments/sales/")
    assert own.status_code == 200
    assert b"<h1" in own.content and b"Sales" in own.content

    assert client.get("/reports/2020-Q3/departments/it/").status_code == 403
    assert client.get("/reports/2020-Q3/departments/no-such-department/").status_code == 403
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/2020-Q3/").status_code == 403
    # Their page links to no other department's page (they could not open it anyway).
    assert b"/departments/it/" not in own.content


def test_executives_and_hr_see_the_dashboard_and_every_department(client, executive, hr, company):
    for person in (executive, hr):
        client.force_login(person.user)
        assert client.get("/reports/").status_code == 200
        assert client.get("/reports/2020-Q2/").status_code == 200
        assert client.get("/reports/2020-Q3/departments/it/").status_code == 200
        assert client.get("/reports/2020-Q3/departments/unit-03/").status_code == 200
        assert client.get("/reports/2020-Q3/departments/no-such-department/").status_code == 404


def test_only_hr_gets_the_downloads_beside_the_dashboard(client, executive, hr, company):
    client.force_login(hr.user)
    body = client.get("/reports/").content.decode()
    assert (
        "Downloads" in body and "/reports/2020-Q3/scorecards.csv" in body and "/reports/2020-Q3/scorecards.xlsx" in body
    )
    assert "/reports/2020-Q3/scorecards.csv" in client.get("/reports/2020-Q3/departments/it/").content.decode()

    client.force_login(executive.user)
    assert "scorecards.csv" not in client.get("/reports/").content.decode()


# ---- Which cycle ----


def test_the_dashboard_shows_the_latest_published_cycle_and_the_picker_lists_only_visible_ones(
    client, executive, company
):
    CycleFactory(name="2020-Q4", status=Cycle.Status.CLOSED)  # closed, not published: never shown
    client.force_login(executive.user)

    body = client.get("/reports/").content.decode()

    assert "2020-Q3</h1>" in body
    assert 'value="2020-Q1"' in body and 'value="2020-Q4"' not in body
    assert client.get("/reports/2020-Q4/").status_code == 404
    assert client.get("/reports/1999-Q1/").status_code == 404


def test_the_cycle_picker_works_without_javascript(client, executive, company):
    client.force_login(executive.user)
    response = client.get("/reports/", {"cycle": "2020-Q1"})
    assert response.status_code == 302 and response.url == "/reports/2020-Q1/"
    assert client.get("/reports/", {"cycle": "nonsense"}).url == "/reports/"


def test_an_imported_historical_cycle_is_shown_without_publishing(client, executive, company):
    latest = company["latest"]
    Cycle.objects.filter(pk=latest.pk).update(status=Cycle.Status.CLOSED, is_historical=True)
    client.force_login(executive.user)
    assert client.get("/reports/2020-Q3/").status_code == 200


def test_with_no_published_results_the_dashboard_says_so(client, executive):
    client.force_login(executive.user)
    response = client.get("/reports/")
    assert response.status_code == 200
    assert b"No results yet" in response.content


# ---- What the dashboard says ----


def test_the_headline_names_the_weakest_department_and_link_under_the_contract_labels(client, executive, company):
    latest = company["latest"]
    shown = DepartmentResult.objects.filter(cycle=latest, scope="supplier", dimension="overall", suppressed=False)
    weakest = min(shown, key=lambda row: row.mean)
    client.force_login(executive.user)

    body = client.get("/reports/").content.decode()

    assert "Weakest department" in body and "Weakest link" in body
    headline = body[body.index("Weakest department") : body.index("Weakest link")]
    assert weakest.department.name in headline
    assert f"{weakest.mean:.2f}" in headline


def _card(body: str, label: str) -> str:
    """The headline card under `label`, up to the end of its body."""
    start = body.index(f'<h3 class="headline-label">{label}</h3>')
    return body[start : body.index("</div>", start)]


def test_on_a_tie_the_dashboard_names_the_weakest_department_and_link_the_workbook_names(client, executive, org):
    import openpyxl

    # Zeta Works is created first (the lower id, which the roll-up's tie-break prefers); by name,
    # Alpha Works would come first. Both get the same ratings from the same three Sales people.
    zeta = DepartmentFactory(name="Zeta Works", slug="zeta-works")
    alpha = DepartmentFactory(name="Alpha Works", slug="alpha-works")
    cycle = CycleFactory(name="2026-Q3", status=Cycle.Status.PUBLISHED, min_group_size=3)
    rows = []
    for provider, score in ((zeta, 2), (alpha, 2), (org["it"], 4)):
        rows += [row for r in (1, 2, 3) for row in full_survey(r, org["sales"], provider, score)]
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=cycle.id)
    client.force_login(executive.user)

    response = client.get("/reports/")
    body = response.content.decode()
    stream = io.BytesIO()
    render_scorecards(cycle_id=cycle.id, fmt="xlsx", stream=stream)
    summary = openpyxl.load_workbook(stream)["Summary"]

    assert (summary["C2"].value, summary["C3"].value) == ("Zeta Works", "Sales → Zeta Works")
    for label in ("Weakest department", "Weakest link"):
        assert "Zeta Works" in _card(body, label) and "Alpha Works" not in _card(body, label)
    heatmap = json_payloads(response.content)["heatmap-data"]
    assert heatmap["weakest"]["overall"] == [heatmap["names"].index("Sales"), heatmap["names"].index("Zeta Works")]


def test_a_dimension_reworded_in_the_admin_is_what_the_figures_and_tables_say(client, executive, company):
    Dimension.objects.filter(slug="ownership").update(label="Owning the request")
    client.force_login(executive.user)

    shown = DepartmentResult.objects.filter(
        cycle=company["latest"], scope="supplier", dimension="ownership", suppressed=False
    ).first()

    dashboard = client.get("/reports/")
    department = client.get(f"/reports/2020-Q3/departments/{shown.department.slug}/")

    figures = json_payloads(dashboard.content)
    assert "Owning the request" in figures["fig-dimensions"]["layout"]["xaxis"]["ticktext"]
    assert {"slug": "ownership", "label": "Owning the request"} in figures["heatmap-data"]["dimensions"]
    assert "Owning the request" in json_payloads(department.content)["fig-dept-dimensions"]["data"][0]["x"]
    for page in (dashboard, department):
        assert '<th scope="col" class="text-end">Owning the request</th>' in page.content.decode()
        assert "Ownership" not in page.content.decode()


def test_the_company_line_is_shown_when_the_roll_up_stored_it_and_left_out_when_not(client, executive, org):
    build_company(departments=6, cycles=2, company_line=False, include=(org["sales"],))
    client.force_login(executive.user)
    body = client.get("/reports/").content.decode()
    assert "company figure not available" in body
    assert json_payloads(client.get("/reports/").content)["fig-trends"]["data"][-1]["name"] != "Company"

    cache.clear()
    latest = Cycle.objects.get(name="2020-Q2")
    CompanyResult.objects.create(
        cycle=latest, scope="management", dimension="overall", mean=3.987, respondents=40, suppressed=False
    )
    CompanyResult.objects.create(
        cycle=latest, scope="supplier", dimension="overall", mean=3.654, respondents=80, suppressed=False
    )
    body = client.get("/reports/").content.decode()
    assert "3.99" in body and "company figure not available" not in body
    assert "company 3.65" in body


def test_a_hidden_company_line_shows_the_label_and_no_value(client, executive, org):
    build_company(departments=6, cycles=1, company_line=False, include=(org["sales"],))
    CompanyResult.objects.create(
        cycle=Cycle.objects.get(name="2020-Q1"), scope="management", dimension="overall", mean=1.234, suppressed=True
    )
    client.force_login(executive.user)
    body = client.get("/reports/").content.decode()
    assert "1.23" not in body
    # The card says why there is no company figure, without telling which rule hid it or claiming a count.
    assert "the company figure is hidden to protect a small group" in body
    assert "fewer than" not in body


@pytest.mark.parametrize("hidden_share", [0.3, 0.7])
def test_no_figure_of_a_hidden_row_appears_in_any_page_or_payload(client, executive, org, hidden_share):
    """Hidden rows carry canary figures here (a real roll-up stores none): none may surface."""
    built = build_company(departments=30, cycles=3, hidden_share=hidden_share, include=(org["sales"],))
    client.force_login(executive.user)
    pages = [client.get("/reports/").content] + [
        client.get(f"/reports/2020-Q3/departments/{d.slug}/").content for d in built["departments"]
    ]
    for content in pages:
        text = content.decode()
        for canary in CANARY_STRINGS:
            assert canary not in text, f"a hidden figure ({canary}) leaked"
        for payload in json_payloads(content).values():
            assert "7.654" not in json.dumps(payload) and "101.7" not in json.dumps(payload)
    more = client.get("/reports/2020-Q3/heatmap.json")
    assert more.status_code == 200 and more["Content-Type"] == "application/json"
    for canary in CANARY_STRINGS:
        assert canary not in more.content.decode()
    heatmap = json_payloads(pages[0])["heatmap-data"]
    heatmap["cells"].update(more.json()["cells"])
    assert set(heatmap["cells"]) == set(ROW_DIMENSIONS)
    hidden_cells = [
        (dim, i, j)
        for dim, cells in heatmap["cells"].items()
        for i, row in enumerate(cells["hidden"])
        for j, flag in enumerate(row)
        if flag == 1
    ]
    assert hidden_cells, "the generated company has hidden links"
    for dim, i, j in hidden_cells:
        cells = heatmap["cells"][dim]
        assert (cells["mean"][i][j], cells["fav"][i][j], cells["n"][i][j], cells["delta"][i][j]) == (None,) * 4
    assert heatmap["hiddenLabel"] == "hidden to protect a small group"


# ---- Comments ----


def _comments(cycle, rater, provider, count, text="Helpful"):
    Comment.objects.bulk_create(
        Comment(cycle=cycle, rater_department=rater, provider_department=provider, text=f"{text} {i}")
        for i in range(count)
    )


def test_comments_show_only_from_ten_commenters_per_scope_and_never_by_rater_department(
    client, executive, org, company
):
    latest, sales, it, office = company["latest"], org["sales"], org["it"], org["executive_office"]
    _comments(latest, sales, it, 6, "Supplier remark")
    _comments(latest, office, it, 4, "Supplier remark from the office")  # 10 in the supplier scope together
    _comments(latest, it, it, 9, "Management remark")  # 9: too few
    client.force_login(executive.user)

    body = client.get("/reports/2020-Q3/departments/it/").content.decode()

    assert body.count("Supplier remark") == 10
    assert "Management remark" not in body
    comments = body[body.index('id="comments-title"') :]
    assert "Sales" not in comments and "Executive Office" not in comments


def test_the_comment_threshold_is_the_minimum_group_size_when_that_is_larger(client, executive, org, company):
    latest, sales, it = company["latest"], org["sales"], org["it"]
    Cycle.objects.filter(pk=latest.pk).update(min_group_size=12)
    _comments(latest, sales, it, 11, "Supplier remark")
    client.force_login(executive.user)
    assert "Supplier remark" not in client.get("/reports/2020-Q3/departments/it/").content.decode()


# ---- Queries and the cache ----


def _dashboard_queries(client, django_assert_num_queries, *, cached: bool):
    # The session with its user and their role (one statement: accounts.sessions); the visible cycles the first time
    # (remembered for a moment: reports/visible.py); then, unless cached: the cycle with its summary, departments, the
    # dimensions' labels, scorecard rows (the cycle's and the trend's), link rows, company rows, the company's driver
    # rows (7); the version of what the commitments panel shows (remembered for a moment: reports/panels.py) and the
    # panel itself: the top of the company, the commitments, dimension labels, the number of departments (5); the
    # departments' and dimensions' names the cache key names (remembered for a moment: reports/visible.py) (2); the
    # company's self-view figures, for the management blind spot (reports.blindspots) (1).
    with django_assert_num_queries(1 if cached else 17):
        assert client.get("/reports/").status_code == 200


@pytest.fixture
def remembered_for_the_test(monkeypatch):
    """What pages remember "for a moment" (two seconds) stays remembered for the whole test: on a
    loaded machine a second request can come more than two seconds after the first."""
    from reports import panels, visible

    monkeypatch.setattr(panels, "VERSIONS_SECONDS", 3600.0)
    monkeypatch.setattr(visible, "VISIBLE_CYCLES_SECONDS", 3600.0)


@pytest.mark.parametrize(
    "size", [(6, 2), (40, 8), (200, 8)], ids=["small", "40-departments-8-cycles", "200-departments-8-cycles"]
)
def test_the_dashboard_makes_a_fixed_number_of_queries_whatever_the_size(
    client, executive, django_assert_num_queries, size, remembered_for_the_test
):
    departments, cycles = size
    # At 200 departments the overall links only (the page carries no other dimension's): 40,000 rows.
    links = ("overall",) if departments > 40 else ROW_DIMENSIONS
    build_company(departments=departments, cycles=cycles, link_dimensions=links)
    client.force_login(executive.user)
    _dashboard_queries(client, django_assert_num_queries, cached=False)
    _dashboard_queries(client, django_assert_num_queries, cached=True)


@pytest.mark.parametrize("size", [(6, 2), (40, 8)], ids=["small", "40-departments-8-cycles"])
def test_a_department_page_makes_a_fixed_number_of_queries_whatever_the_size(
    client, manager, org, django_assert_num_queries, size, remembered_for_the_test
):
    departments, cycles = size
    build_company(departments=departments, cycles=cycles, include=(org["sales"],))
    client.force_login(manager.user)
    url = f"/reports/{Cycle.objects.order_by('-name').first().name}/departments/sales/"
    # The session with its user, role and department (one statement: accounts.sessions); the departments and the
    # visible cycles the first time (remembered for a moment: reports/visible.py); unless cached: the cycle with its
    # summary, departments, the dimensions' labels, scorecard rows, its links, company rows, comments, its and the
    # company's driver rows with the cycle's outcome flag (the priority matrix) (8); the version of what the
    # commitments panel shows and the department's commitments (none here) (2); the dimensions' names the cache key
    # names (remembered for a moment) (1); the department's self-view figures, for its blind spots
    # (reports.blindspots) (1).
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_a_new_roll_up_replaces_the_cached_page(client, executive, company):
    latest = company["latest"]
    client.force_login(executive.user)
    client.get("/reports/")
    row = DepartmentResult.objects.get(cycle=latest, department__name="Sales", scope="supplier", dimension="overall")
    DepartmentResult.objects.filter(pk=row.pk).update(mean=4.987, suppressed=False)

    def departments_table():
        body = client.get("/reports/").content.decode()
        return body[body.index('id="departments-title"') : body.index('id="dimensions-title"')]

    assert "4.99" not in departments_table()  # the same snapshot: served from the cache

    # A roll-up writes a new summary row along with the new snapshot.
    summary = CycleSummary.objects.get(cycle=latest)
    summary.pk = None
    CycleSummary.objects.filter(cycle=latest).delete()
    summary.computed_at = timezone.now()
    summary.save()
    assert "4.99" in departments_table()


def test_a_department_renamed_shows_its_new_name_on_the_cached_dashboard_at_once(client, executive, company, org):
    client.force_login(executive.user)
    assert "Sales" in client.get("/reports/").content.decode()
    org["sales"].name = "Revenue Team"
    org["sales"].save()  # a rename in the admin: the names' version changes, so does every page key
    body = client.get("/reports/").content.decode()
    assert "Revenue Team" in body and ">Sales<" not in body


def test_a_department_renamed_is_found_under_its_new_address_at_once(client, executive, company, org):
    client.force_login(executive.user)
    latest = company["latest"].name
    assert client.get(f"/reports/{latest}/departments/sales/").status_code == 200
    sales = org["sales"]
    sales.slug = "sales-and-marketing"
    sales.save()
    assert client.get(f"/reports/{latest}/departments/sales-and-marketing/").status_code == 200
    assert client.get(f"/reports/{latest}/departments/sales/").status_code == 404


def test_a_cached_page_shows_each_person_their_own_name_and_a_sign_out_that_works(company, executive):
    from django.test import Client

    from surveys.roles import Role
    from tests.factories import EmployeeFactory

    other = EmployeeFactory(
        department=executive.department,
        role=Role.EXECUTIVE,
        user__full_name="Olga <Other>",
        user__email="o@example.com",
    )
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(executive.user)
    second.force_login(other.user)
    first_page = first.get("/reports/").content.decode()
    assert executive.user.get_full_name() in first_page
    first_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first_page).group(1)
    page = second.get("/reports/").content.decode()  # the same cached page, with Olga's parts
    assert "Olga &lt;Other&gt;" in page and executive.user.get_full_name() not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert first_token not in page
    assert second.post("/accounts/logout/", {"csrfmiddlewaretoken": first_token}).status_code == 403  # not hers
    assert second.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert second.get("/reports/").status_code == 302  # signed out: sent to the login page


def test_a_role_taken_away_applies_at_the_next_request_even_to_a_cached_page(client, company, executive):
    from django.contrib.auth.models import Group

    client.force_login(executive.user)
    assert client.get("/reports/").status_code == 200
    executive.user.groups.set([Group.objects.get(name="employee")])
    assert client.get("/reports/").status_code == 403


# ---- Links from home ----


def test_home_links_executives_to_the_dashboard_and_managers_to_their_own_department(
    client, executive, manager, employee, company
):
    client.force_login(executive.user)
    assert 'href="/reports/"' in client.get("/").content.decode()

    client.force_login(manager.user)
    home = client.get("/").content.decode()
    assert 'href="/reports/2020-Q3/departments/sales/"' in home and 'href="/reports/"' not in home

    client.force_login(employee.user)
    assert "/reports/" not in client.get("/").content.decode()


def test_the_heatmap_key_says_what_every_colour_means_in_one_wording(client, executive, org):
    build_company(departments=6, cycles=1, company_line=False, include=(org["sales"],))
    client.force_login(executive.user)
    body = client.get("/reports/").content.decode()
    key = body[body.index('<ul class="colour-key') : body.index("</ul>", body.index('<ul class="colour-key'))]
    for words in (
        "or lower",
        "the company's typical score",
        "or higher",
        "hidden to protect a small group",
        "no ratings",
        "the weakest link",
    ):
        assert words in key
    assert "the middle department" not in body and "the company mean, orange" not in body


def test_a_comment_written_five_times_is_shown_once_with_its_count(client, executive, org, company):
    latest, sales, it = company["latest"], org["sales"], org["it"]
    Comment.objects.bulk_create(
        Comment(cycle=latest, rater_department=sales, provider_department=it, text="They close tickets as done.")
        for _ in range(5)
    )
    _comments(latest, sales, it, 5, "Supplier remark")
    client.force_login(executive.user)
    body = client.get("/reports/2020-Q3/departments/it/").content.decode()
    assert body.count("They close tickets as done.") == 1
    assert '<span aria-hidden="true">×5</span><span class="visually-hidden">(written 5 times)</span>' in body
    assert body.count("Supplier remark") == 5 and "×1" not in body


def test_the_change_card_says_it_is_the_company_mean_and_names_the_cycle_it_compares_with(client, executive, company):
    company_row = CompanyResult.objects.get(cycle=company["latest"], scope="supplier", dimension="overall")
    client.force_login(executive.user)
    body = client.get("/reports/").content.decode()
    card = _card(body, "Company mean since 2020-Q2")
    assert '<p class="headline-value">' + f"{company_row.delta:+.2f}".replace("-", "−") + "</p>" in card
    assert "The company's overall mean as a supplier, now" in card
    assert "Since the previous cycle" not in body
    # The first cycle has nothing to compare with, and says so.
    first = client.get("/reports/2020-Q1/").content.decode()
    assert "This is the first cycle: nothing to compare with." in _card(first, "Company mean since last time")
    assert "Significant changes since" not in first


def test_the_dashboard_shows_what_drives_the_verdict_in_both_scopes_or_says_why_not(client, executive, org):
    from reports.models import DriverResult, DriverSummary

    build_company(departments=6, cycles=1, include=(org["sales"],))
    cycle = Cycle.objects.get(name="2020-Q1")
    client.force_login(executive.user)
    assert "No outcome question in this cycle" in client.get("/reports/").content.decode()
    DriverSummary.objects.update_or_create(cycle=cycle, defaults={"outcome_answers": True})
    weights = {
        "willingness": 5.0,
        "ownership": 41.0,
        "responsiveness": 38.0,
        "reliability": 4.0,
        "courtesy": 4.0,
        "communication": 8.0,
    }
    for scope in ("supplier", "management"):
        DriverResult.objects.bulk_create(
            DriverResult(
                cycle=cycle,
                department=None,
                scope=scope,
                dimension=slug,
                observations=150,
                tier="weights",
                correlation=0.5,
                importance_pct=w,
                importance_low=w - 3,
                importance_high=w + 3,
                r2=0.6,
            )
            for slug, w in weights.items()
        )
    from django.core.cache import cache

    cache.clear()
    body = client.get("/reports/").content.decode()
    section = body[body.index('id="drivers"') : body.index("</section>", body.index('id="drivers"'))]
    assert "What makes service between departments feel good" in section
    assert "What makes management feel good to its own staff" in section
    assert section.count("Most of all: <strong>Ownership and Responsiveness</strong>") == 2
    assert 'id="fig-drivers-supplier"' in section and 'id="fig-drivers-management"' in section
