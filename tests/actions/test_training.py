"""Training (actions.training): the starter content, marking a module done and taking it back, who
reads coaching guides, the counts rule for departments, the commitments a module page lists, the
admin, and a fixed number of queries per page."""

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from actions import training
from actions.models import Commitment, TrainingCompletion, TrainingModule
from surveys.dimensions import SERVICE_DIMENSIONS
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

STARTER = importlib.import_module("actions.migrations.0002_training_modules")


def people(department, n, *, role=Role.EMPLOYEE):
    return [EmployeeFactory(department=department, role=role) for _ in range(n)]


def mark(module, employees):
    for employee in employees:
        training.module_complete(module=module, employee=employee)


def page(client, url, user):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def module_links(html: str) -> set[str]:
    return set(re.findall(r'href="/training/([a-z0-9-]+)/"', html))


def counts_row(html: str, department: str) -> str:
    """The count text of a department's row in the first completion table of the page."""
    table = html.split('class="table table-sm mb-0 training-counts"', 1)[1].split("</table>", 1)[0]
    found = re.search(
        rf"<th scope=\"row\"[^>]*>{re.escape(department)}(?:\s*<span[^>]*>[^<]*</span>)?</th><td>([^<]*)</td>", table
    )
    assert found, f"no row for {department}"
    return found.group(1)


# ---- Starter content ----


@pytest.mark.parametrize("dimension", SERVICE_DIMENSIONS)
@pytest.mark.parametrize("kind", [TrainingModule.Kind.MODULE, TrainingModule.Kind.COACHING])
def test_every_dimension_has_a_module_for_everyone_and_a_coaching_guide(dimension, kind):
    module = TrainingModule.objects.get(dimension=dimension, kind=kind, is_active=True)
    assert module.slug == (dimension if kind == "module" else f"{dimension}-coaching")
    assert len(training.paragraphs(module.body)) >= 4
    assert len(training.lines(module.moments)) >= 4
    assert len(training.lines(module.self_check)) >= 4
    assert all(q.endswith("?") for q in training.lines(module.self_check))
    words = sum(len(getattr(module, f).split()) for f in ("summary", "body", "moments", "self_check"))
    assert 350 <= words <= 1000, f"{module.slug}: {words} words, not a 3 to 5 minute read"


@pytest.mark.parametrize("dimension", SERVICE_DIMENSIONS)
def test_each_coaching_guide_covers_before_in_and_after_the_meeting_and_what_not_to_do(dimension):
    guide = TrainingModule.objects.get(slug=f"{dimension}-coaching")
    starts = [p.split(".")[0] for p in training.paragraphs(guide.body)]
    assert {"Before the meeting", "In the meeting", "After the meeting"} <= set(starts)
    assert all(line.startswith("Don't") for line in training.lines(guide.moments))


def test_the_starter_migration_never_overwrites_hr_edits_and_is_reversible():
    edited = TrainingModule.objects.get(slug="ownership")
    edited.title = "Ownership, as HR put it"
    edited.save()
    STARTER.create_modules(django_apps, None)
    assert TrainingModule.objects.get(slug="ownership").title == "Ownership, as HR put it"
    assert TrainingModule.objects.count() == 12

    STARTER.remove_modules(django_apps, None)
    assert not TrainingModule.objects.exists()
    STARTER.create_modules(django_apps, None)
    assert TrainingModule.objects.count() == 12
    positions = list(TrainingModule.objects.values_list("slug", flat=True))
    assert positions[:4] == ["willingness", "willingness-coaching", "ownership", "ownership-coaching"]


# ---- Marking done, and taking it back ----


def test_marking_done_records_the_person_and_their_department_and_shows_it_to_them(client, employee):
    client.force_login(employee.user)
    response = client.post("/training/ownership/done/", {"done": "1"})
    assert response.status_code == 302 and response.url == "/training/ownership/"
    completion = TrainingCompletion.objects.get()
    assert (completion.module.slug, completion.employee, completion.department) == (
        "ownership",
        employee,
        employee.department,
    )
    html = client.get(response.url).content.decode()
    assert "You marked this done on" in html and "Mark as not done" in html
    assert "You have done this" in client.get("/training/").content.decode()


def test_marking_done_twice_keeps_one_mark_and_undo_takes_it_back(client, employee):
    client.force_login(employee.user)
    client.post("/training/ownership/done/", {"done": "1"})
    client.post("/training/ownership/done/", {"done": "1"})
    assert TrainingCompletion.objects.count() == 1
    response = client.post("/training/ownership/done/", {"done": "0"})
    assert response.status_code == 302
    assert not TrainingCompletion.objects.exists()
    assert client.post("/training/ownership/done/", {"done": "0"}).status_code == 302  # nothing to undo: fine
    html = client.get("/training/ownership/").content.decode()
    assert "Mark as done" in html and "You marked this done" not in html


def test_services_say_whether_anything_changed(employee):
    module = TrainingModule.objects.get(slug="courtesy")
    assert training.module_complete(module=module, employee=employee) is True
    assert training.module_complete(module=module, employee=employee) is False
    assert training.module_undo(module=module, employee=employee) is True
    assert training.module_undo(module=module, employee=employee) is False


def test_a_colleagues_mark_is_never_shown_to_anyone_else(client, employee, manager):
    training.module_complete(module=TrainingModule.objects.get(slug="ownership"), employee=employee)
    index = page(client, "/training/", manager.user)
    assert "You have done this" not in index
    module = page(client, "/training/ownership/", manager.user)
    assert "You marked this done" not in module and "Mark as done" in module
    for html in (index, module):
        assert employee.user.full_name not in html and employee.user.email not in html


@pytest.mark.parametrize(
    ("method", "url", "data", "status"),
    [
        ("get", "/training/no-such-module/", None, 404),
        ("post", "/training/no-such-module/done/", {"done": "1"}, 404),
        ("get", "/training/ownership/done/", None, 405),
        ("post", "/training/ownership/done/", {"done": "yes"}, 400),
        ("post", "/training/ownership/done/", {}, 400),
        ("post", "/training/ownership/", {"done": "1"}, 405),
    ],
)
def test_bad_requests_are_refused_with_the_apps_page_and_write_nothing(client, employee, method, url, data, status):
    client.force_login(employee.user)
    response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    assert response.status_code == status
    if status in (400, 404):
        assert "Chain Survey" in response.content.decode()
    assert not TrainingCompletion.objects.exists()


def test_a_retired_module_is_gone_from_the_pages_and_cannot_be_marked(client, employee):
    TrainingModule.objects.filter(slug="ownership").update(is_active=False)
    client.force_login(employee.user)
    assert client.get("/training/ownership/").status_code == 404
    assert client.post("/training/ownership/done/", {"done": "1"}).status_code == 404
    assert "/training/ownership/" not in client.get("/training/").content.decode()
    assert not TrainingCompletion.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in_and_cannot_mark(client):
    response = client.get("/training/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = client.post("/training/ownership/done/", {"done": "1"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not TrainingCompletion.objects.exists()


def test_an_account_that_is_nobody_in_the_org_reads_but_cannot_mark(client, outsider):
    html = page(client, "/training/ownership/", outsider)
    assert "Only people of the company's org file mark modules done." in html
    assert client.post("/training/ownership/done/", {"done": "1"}).status_code == 403
    assert not TrainingCompletion.objects.exists()


# ---- Who reads coaching guides ----


def test_employees_see_modules_for_everyone_only_and_get_403_on_a_coaching_guide(client, employee):
    html = page(client, "/training/", employee.user)
    assert len(module_links(html)) == 6
    assert "-coaching/" not in html and "Coaching guide for managers" not in html
    assert client.get("/training/ownership-coaching/").status_code == 403
    assert client.post("/training/ownership-coaching/done/", {"done": "1"}).status_code == 403
    assert not TrainingCompletion.objects.exists()


@pytest.mark.parametrize("persona", ["manager", "executive", "hr"])
def test_managers_executives_and_hr_get_the_coaching_guides(client, request, persona):
    person = request.getfixturevalue(persona)
    html = page(client, "/training/", person.user)
    assert len(module_links(html)) == 12
    guide = page(client, "/training/ownership-coaching/", person.user)
    assert "What not to do" in guide and "Before the meeting." in guide
    assert "Completion by department" not in guide  # a department's few managers are never counted
    assert client.post("/training/ownership-coaching/done/", {"done": "1"}).status_code == 302
    assert TrainingCompletion.objects.get().employee == person


def test_a_module_page_shows_the_body_moments_and_self_check(client, employee):
    module = TrainingModule.objects.get(slug="ownership")
    html = page(client, "/training/ownership/", employee.user)
    assert html.count("<p>") >= len(training.paragraphs(module.body))
    moments = html.split('<ul class="training-moments">')[1].split("</ul>")[0]
    assert moments.count("<li>") == len(training.lines(module.moments))
    questions = html.split('<ol class="training-self-check">')[1].split("</ol>")[0]
    assert questions.count("<li>") == len(training.lines(module.self_check))
    assert "that&#x27;s not my job" in html.lower() or "that's not my job" in html.lower()
    assert "They own my request" in html  # the dimension's question, from the Dimension row


def test_module_text_is_rendered_inert(client, employee):
    TrainingModule.objects.filter(slug="ownership").update(
        body="<script>alert(1)</script>\n\nSecond paragraph", moments="<b>bold</b>"
    )
    html = page(client, "/training/ownership/", employee.user)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html and "<b>bold</b>" not in html


# ---- The counts rule ----


@pytest.mark.parametrize(
    ("done", "people", "minimum", "band", "text"),
    [
        (0, 3, 5, None, "not shown: fewer than 9 people"),
        (3, 3, 5, None, "not shown: fewer than 9 people"),
        (4, 8, 5, None, "not shown: fewer than 9 people"),
        (0, 9, 5, (0, 4), "fewer than 5 of 9 people"),
        (4, 9, 5, (0, 4), "fewer than 5 of 9 people"),
        (5, 9, 5, (5, 9), "more than 4 of 9 people"),
        (9, 9, 5, (5, 9), "more than 4 of 9 people"),
        (0, 12, 5, (0, 4), "fewer than 5 of 12 people"),
        (1, 12, 5, (0, 4), "fewer than 5 of 12 people"),
        (5, 12, 5, (5, 5), "5 of 12 people"),
        (7, 12, 5, (7, 7), "7 of 12 people"),
        (8, 12, 5, (8, 12), "more than 7 of 12 people"),
        (12, 12, 5, (8, 12), "more than 7 of 12 people"),
        (0, 1, 1, (0, 0), "0 of 1 person"),
        (1, 1, 1, (1, 1), "1 of 1 person"),
        (2, 3, 1, (2, 2), "2 of 3 people"),
        (1, 3, 2, (0, 1), "fewer than 2 of 3 people"),
        (2, 3, 2, (2, 3), "more than 1 of 3 people"),
    ],
)
def test_count_band_and_text(done, people, minimum, band, text):
    assert training.count_band(done=done, people=people, minimum=minimum) == band
    assert training.count_text(band=band, people=people, minimum=minimum) == text


@given(
    minimum=st.integers(min_value=1, max_value=12),
    people=st.integers(min_value=1, max_value=200),
    data=st.data(),
)
def test_no_shown_count_singles_out_fewer_than_the_minimum(minimum, people, data):
    done = data.draw(st.integers(min_value=0, max_value=people))
    band = training.count_band(done=done, people=people, minimum=minimum)
    if band is None:
        assert people < 2 * minimum - 1
        return
    low, high = band
    assert low <= done <= high
    if low == high and minimum > 1:
        # Exact only where those who did it and those who did not are both groups of at least N.
        assert done >= minimum and people - done >= minimum
    else:
        # A band spans N values, so neither side's size is pinned below N.
        assert high - low + 1 == minimum
    # What is shown depends on the band alone: every count in it reads the same.
    other = data.draw(st.integers(min_value=low, max_value=high))
    assert training.count_band(done=other, people=people, minimum=minimum) == band


def test_counts_per_department_follow_the_rule_with_the_top_first(client, settings, org, executive):
    settings.MIN_GROUP_SIZE = 5
    module = TrainingModule.objects.get(slug="ownership")
    sales = people(org["sales"], 12)
    it = people(org["it"], 3)
    top = [executive, *people(org["executive_office"], 10)]  # 11 people
    small = DepartmentFactory(name="Archive")
    people(small, 8)
    mark(module, sales[:6] + it[:1] + top[:2])
    viewer = people(DepartmentFactory(name="Zoology"), 1)[0]

    html = page(client, "/training/ownership/", viewer.user)
    assert counts_row(html, "Sales") == "6 of 12 people"
    assert counts_row(html, "IT") == "not shown: fewer than 9 people"
    assert counts_row(html, "Archive") == "not shown: fewer than 9 people"
    assert counts_row(html, "Executive Office") == "fewer than 5 of 11 people"
    table = html.split("training-counts")[1]
    names = re.findall(r'<th scope="row"[^>]*>([^<]+)', table)
    assert [n.strip() for n in names] == ["Executive Office", "Archive", "IT", "Sales", "Zoology"]
    assert "top of the company" in table.split("Archive")[0]

    mark(module, sales[6:])  # all 12 of Sales
    assert counts_row(page(client, "/training/ownership/", viewer.user), "Sales") == "more than 7 of 12 people"
    # The index shows the same figures, per module.
    index = page(client, "/training/", viewer.user)
    assert counts_row(index, "Sales") == "fewer than 5 of 12 people"  # willingness, the first module: none yet
    assert "more than 7 of 12 people" in index


def test_counts_are_of_active_people_in_their_department_now(client, settings, org):
    settings.MIN_GROUP_SIZE = 2
    module = TrainingModule.objects.get(slug="reliability")
    sales = people(org["sales"], 6)
    mark(module, sales[:3])
    gone = sales[0]
    gone.user.is_active = False
    gone.user.save()
    moved = sales[1]
    moved.department = org["it"]
    moved.save()
    people(org["it"], 3)  # IT: 4 active people now, one of whom did it in Sales
    counts = training.completion_counts(module_ids=[module.pk])[module.pk]
    assert counts == {org["sales"].pk: 1, org["it"].pk: 1}
    departments = {d.name: d.people for d in training.headcounts()}
    assert departments == {"Sales": 4, "IT": 4}
    html = page(client, "/training/reliability/", sales[2].user)
    assert counts_row(html, "Sales") == "fewer than 2 of 4 people"


def test_the_pages_state_the_rule(client, settings, employee):
    settings.MIN_GROUP_SIZE = 5
    for url in ("/training/", "/training/ownership/"):
        html = page(client, url, employee.user)
        assert "at least 5 people have done the module and at least 5 have not" in html
        assert "departments of fewer than 9 people show none" in html


# ---- Commitments that attach a module ----


def test_a_module_page_lists_published_commitments_attaching_it_the_top_first(client, org, executive, manager):
    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED)
    module = TrainingModule.objects.get(slug="ownership")

    def commit(department, owner, text, published=True):
        c = Commitment.objects.create(
            cycle=cycle,
            department=department,
            scope="supplier",
            dimension="ownership",
            text=text,
            owner=owner,
            due=datetime.date(2026, 6, 30),
            published_at=timezone.now() if published else None,
        )
        c.modules.add(module)
        return c

    commit(org["sales"], manager, "Sales walks every misrouted request over.")
    commit(org["executive_office"], executive, "The Executive Office answers every escalation in a day.")
    commit(org["sales"], manager, "A draft nobody else may see.", published=False)
    html = page(client, "/training/ownership/", manager.user)
    section = html.split('id="commitments-title"')[1].split("</section>")[0]
    assert "A draft nobody else may see." not in html
    assert section.index("Executive Office") < section.index("Sales")
    assert "committed on 2026-Q2's results: our staff complete this module by 30 June 2026." in section
    assert "Sales walks every misrouted request over." in section
    assert 'id="commitments-title"' not in page(client, "/training/courtesy/", manager.user)


# ---- Navigation ----


@pytest.mark.parametrize("persona", ["employee", "manager", "executive", "hr"])
def test_training_is_in_everyones_navigation_and_marked_on_its_pages(client, request, persona, open_cycle):
    user = request.getfixturevalue(persona).user
    navbar = page(client, "/survey/", user).split("</nav>")[0]
    assert re.search(r'<a class="nav-link" href="/training/">Training</a>', navbar)
    navbar = page(client, "/training/ownership/", user).split("</nav>")[0]
    assert re.search(r'<a class="nav-link active" aria-current="page" href="/training/">Training</a>', navbar)


# ---- Admin ----


def test_hr_adds_and_edits_modules_in_the_admin_and_never_deletes_them(client, hr):
    client.force_login(hr.user)
    assert client.get("/admin/actions/trainingmodule/").status_code == 200
    response = client.post(
        "/admin/actions/trainingmodule/add/",
        {
            "title": "Handovers between shifts",
            "slug": "handovers",
            "dimension": "ownership",
            "kind": "module",
            "summary": "What the next shift needs from you.",
            "body": "First paragraph.\n\nSecond paragraph.",
            "moments": "One\nTwo",
            "self_check": "Did I?",
            "position": "25",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = TrainingModule.objects.get(slug="handovers")
    assert "Handovers between shifts" in page(client, "/training/", hr.user)
    change = client.get(f"/admin/actions/trainingmodule/{added.pk}/change/")
    assert change.status_code == 200 and "what not to do" in change.content.decode()
    assert client.get(f"/admin/actions/trainingmodule/{added.pk}/delete/").status_code == 403


def test_the_admin_lists_commitments_read_only_and_never_a_persons_completions(client, hr, manager, org):
    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED)
    commitment = Commitment.objects.create(
        cycle=cycle,
        department=org["sales"],
        scope="management",
        dimension="communication",
        text="A weekly update to our staff.",
        owner=manager,
        due=datetime.date(2026, 6, 30),
    )
    client.force_login(hr.user)
    listing = client.get("/admin/actions/commitment/").content.decode()
    assert "2026-Q2" in listing and "Sales" in listing
    assert client.get("/admin/actions/commitment/add/").status_code == 403
    change = client.get(f"/admin/actions/commitment/{commitment.pk}/change/").content.decode()
    assert 'name="_save"' not in change
    response = client.post(f"/admin/actions/commitment/{commitment.pk}/change/", {"text": "Rewritten"})
    assert response.status_code == 403
    commitment.refresh_from_db()
    assert commitment.text == "A weekly update to our staff."
    assert TrainingCompletion not in admin.site._registry


def test_only_hr_reaches_the_training_admin(client, manager, executive):
    for person in (manager, executive):
        client.force_login(person.user)
        response = client.get("/admin/actions/trainingmodule/")
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


# ---- Queries ----


def _company(departments: int, staff: int, *, marks: bool):
    """Departments of `staff` people each, an executive at the top, and (optionally) marks on every
    module for everyone by most of them."""
    top = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    EmployeeFactory(department=top, role=Role.EXECUTIVE)
    everyone = []
    for i in range(departments):
        everyone += people(DepartmentFactory(name=f"Department {i:02d}"), staff)
    if marks:
        for module in TrainingModule.objects.filter(kind="module"):
            TrainingCompletion.objects.bulk_create(
                TrainingCompletion(module=module, employee=e, department_id=e.department_id) for e in everyone[::2]
            )
    return everyone


def _extra_modules(n: int):
    TrainingModule.objects.bulk_create(
        TrainingModule(
            slug=f"extra-{i}",
            dimension=SERVICE_DIMENSIONS[i % 6],
            kind="module" if i % 2 else "coaching",
            title=f"Extra {i}",
            summary="More.",
            body="Text.",
        )
        for i in range(n)
    )


@pytest.mark.parametrize(("departments", "staff", "extra"), [(1, 1, 0), (12, 10, 12)], ids=["small", "many"])
def test_the_index_runs_a_fixed_number_of_queries(client, departments, staff, extra, django_assert_num_queries):
    everyone = _company(departments, staff, marks=departments > 1)
    _extra_modules(extra)
    manager = EmployeeFactory(department=everyone[0].department, role=Role.MANAGER)
    training.module_complete(module=TrainingModule.objects.get(slug="ownership"), employee=manager)
    client.force_login(manager.user)
    # The session with its user, role and org record (one statement: accounts.sessions), the readable modules, the
    # dimensions, the person's own marks, headcounts per department and role, completion counts per module and
    # department.
    with django_assert_num_queries(6):
        response = client.get("/training/")
    assert response.status_code == 200
    assert len(module_links(response.content.decode())) == 12 + extra


@pytest.mark.parametrize(("departments", "commitments"), [(1, 0), (12, 8)], ids=["small", "many"])
def test_a_module_page_runs_a_fixed_number_of_queries(client, departments, commitments, django_assert_num_queries):
    everyone = _company(departments, 10, marks=departments > 1)
    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED)
    module = TrainingModule.objects.get(slug="ownership")
    for i in range(commitments):
        c = Commitment.objects.create(
            cycle=cycle,
            department=everyone[i * 10].department,
            scope="supplier",
            dimension="ownership",
            text=f"Commitment {i}",
            owner=everyone[i * 10],
            due=datetime.date(2026, 6, 30),
            published_at=timezone.now(),
        )
        c.modules.add(module)
    client.force_login(everyone[0].user)
    # The session with its user (one statement), the module, its dimension, the person's own mark, the published
    # commitments attaching it (with department and cycle), headcounts, the module's counts per department.
    with django_assert_num_queries(7):
        response = client.get("/training/ownership/")
    assert response.status_code == 200
    assert response.content.decode().count("committed on 2026-Q2") == commitments


def test_marking_done_runs_a_fixed_number_of_queries(client, employee, django_assert_num_queries):
    client.force_login(employee.user)
    # The session with its user (one statement), the module, the existing mark (none), a savepoint, the insert, its
    # release (the message rides in a cookie).
    with django_assert_num_queries(6):
        client.post("/training/ownership/done/", {"done": "1"})
    assert TrainingCompletion.objects.count() == 1


def test_an_outsider_without_a_role_sees_only_modules_for_everyone(client, db):
    html = page(client, "/training/", UserFactory(email="stray@example.com"))
    assert len(module_links(html)) == 6
