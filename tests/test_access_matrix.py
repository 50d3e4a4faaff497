"""Who may open what: every URL pattern of the project × every role, with the expected answer.

The patterns are walked from the URL resolver, so a page added without a row here fails
`test_every_url_pattern_has_a_row`: add its row to MATRIX (or, for an admin model, its rights to
HR_ADMIN_RIGHTS). Rows name the statuses per role: a number, or LOGIN / ADMIN_LOGIN for a redirect
to the sign-in page (the app's or the admin's). A deactivated person is signed out by the
authentication backend, so they get what a signed-out visitor gets.

Objects that belong to someone (drafts now; department pages once they exist) also get a check
that nobody else can reach them by changing an id: IDOR_CASES below, and
`test_every_department_url_has_an_idor_case`, which fails for a URL that takes a department
without a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import IdentityChange
from actions.models import Commitment, TrainingModule
from api.models import ApiToken
from api.tokens import token_create
from invitations.models import Notice
from reports.models import CycleSummary, RollupRun
from surveys.models import Cycle, Department, Dimension, Draft, Participation
from surveys.roles import Role
from tests.factories import CycleFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("signed_out", "employee", "manager", "executive", "hr", "deactivated")
LOGIN = "login"  # 302 to /accounts/login/?next=...
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/?next=...


@dataclass(frozen=True)
class Row:
    """One URL pattern: an example URL ({placeholders} filled from the fixture) and what each role gets."""

    url: str
    signed_out: int | str
    employee: int | str
    manager: int | str
    executive: int | str
    hr: int | str
    token: bool = False  # asked with an API token (`Authorization: Token <key>`), not a session

    def expected(self, role: str) -> int | str:
        return self.signed_out if role == "deactivated" else getattr(self, role)


def everyone(status, url) -> Row:
    return Row(url, status, status, status, status, status)


def signed_in(status, url) -> Row:
    return Row(url, LOGIN, status, status, status, status)


def api(url, employee=200, manager=200, executive=200, hr=200) -> Row:
    """An API address: 401 without a token (or with a deactivated person's)."""
    return Row(url, 401, employee, manager, executive, hr, token=True)


def admin_only(hr_status, url) -> Row:
    return Row(url, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, hr_status)


# Route pattern (as the resolver spells it) → row.
MATRIX: dict[str, Row] = {
    "": signed_in(200, "/"),
    "accounts/login/": everyone(200, "/accounts/login/"),
    "accounts/logout/": everyone(405, "/accounts/logout/"),  # POST only
    # Single sign-on is not configured here: both are 404 for everyone. Configured, the start sends
    # anyone to the provider and the callback refuses what no session asked for (tests/accounts/test_sso.py).
    "accounts/sso/": everyone(404, "/accounts/sso/"),
    "accounts/sso/callback/": everyone(404, "/accounts/sso/callback/?code=x&state=y"),
    "accounts/password_change/": signed_in(200, "/accounts/password_change/"),
    "accounts/password_change/done/": signed_in(200, "/accounts/password_change/done/"),
    "accounts/password_reset/": everyone(200, "/accounts/password_reset/"),
    "accounts/password_reset/done/": everyone(200, "/accounts/password_reset/done/"),
    "accounts/reset/<uidb64>/<token>/": everyone(200, "/accounts/reset/MQ/bad-token/"),  # "link invalid" page
    "accounts/reset/done/": everyone(200, "/accounts/reset/done/"),
    "accounts/tokens/": signed_in(200, "/accounts/tokens/"),
    "accounts/tokens/<int:pk>/revoke/": everyone(405, "/accounts/tokens/{apitoken}/revoke/"),  # POST only
    "survey/": signed_in(200, "/survey/"),
    "reports/<str:cycle>/scorecards.csv": Row("/reports/{cycle}/scorecards.csv", LOGIN, 403, 403, 403, 200),
    # The workbook and PDF hold what executives' pages show; the CSV (for BI tools) is HR's.
    "reports/<str:cycle>/scorecards.xlsx": Row("/reports/{cycle}/scorecards.xlsx", LOGIN, 403, 403, 200, 200),
    "reports/<str:cycle>/scorecards.pdf": Row("/reports/{cycle}/scorecards.pdf", LOGIN, 403, 403, 200, 200),
    # Whoever sees Sales's scorecard (its manager too); Sales has no scorecard rows in the fixture's
    # (empty) roll-up: "no such scorecard".
    "reports/<str:cycle>/departments/<slug:slug>/scorecard.pdf": Row(
        "/reports/{cycle}/departments/sales/scorecard.pdf", LOGIN, 403, 404, 404, 404
    ),
    # An export built by a worker: only the one who asked (tests/reports/test_export_task.py); an id
    # nobody asked for is 404 to everyone.
    "reports/exports/<uuid:export_id>/": Row(
        "/reports/exports/00000000-0000-4000-8000-000000000000/", LOGIN, 404, 404, 404, 404
    ),
    "reports/exports/<uuid:export_id>/file": Row(
        "/reports/exports/00000000-0000-4000-8000-000000000000/file", LOGIN, 404, 404, 404, 404
    ),
    "reports/": Row("/reports/", LOGIN, 403, 403, 200, 200),
    "reports/my-department/": Row("/reports/my-department/", LOGIN, 403, 302, 302, 302),  # to their scorecard
    "reports/<str:cycle>/": Row("/reports/{cycle}/", LOGIN, 403, 403, 200, 200),
    "reports/<str:cycle>/heatmap.json": Row("/reports/{cycle}/heatmap.json", LOGIN, 403, 403, 200, 200),
    # The manager is Sales's: their own department's scorecard, and no other (the IDOR cases below).
    "reports/<str:cycle>/departments/<slug:slug>/": Row(
        "/reports/{cycle}/departments/sales/", LOGIN, 403, 200, 200, 200
    ),
    "actions/": signed_in(200, "/actions/"),
    "actions/<str:cycle>/": Row("/actions/{cycle}/", LOGIN, 403, 403, 403, 200),
    "actions/<str:cycle>/commitments.csv": Row("/actions/{cycle}/commitments.csv", LOGIN, 403, 403, 403, 200),
    # Sales's manager and HR write Sales's commitments; the executive writes the top's only.
    "actions/<str:cycle>/departments/<slug:slug>/": Row(
        "/actions/{cycle}/departments/sales/", LOGIN, 403, 200, 403, 200
    ),
    "actions/<str:cycle>/departments/<slug:slug>/<int:pk>/edit/": Row(
        "/actions/{cycle}/departments/sales/{commitment}/edit/", LOGIN, 403, 200, 403, 200
    ),
    # POST only: a GET is refused before anything is looked up.
    "actions/<str:cycle>/departments/<slug:slug>/<int:pk>/publish/": signed_in(
        405, "/actions/{cycle}/departments/sales/{commitment}/publish/"
    ),
    "actions/<str:cycle>/departments/<slug:slug>/<int:pk>/delete/": signed_in(
        405, "/actions/{cycle}/departments/sales/{commitment}/delete/"
    ),
    "actions/<str:cycle>/departments/<slug:slug>/<int:pk>/status/": signed_in(
        405, "/actions/{cycle}/departments/sales/{commitment}/status/"
    ),
    "actions/<str:cycle>/departments/<slug:slug>/<int:pk>/updates/": signed_in(
        405, "/actions/{cycle}/departments/sales/{commitment}/updates/"
    ),
    "hr/": Row("/hr/", LOGIN, 403, 403, 403, 302),  # to /hr/cycles/
    "hr/cycles/": Row("/hr/cycles/", LOGIN, 403, 403, 403, 200),
    "hr/cycles/<str:name>/": Row("/hr/cycles/{cycle}/", LOGIN, 403, 403, 403, 200),
    "hr/cycles/<str:name>/status.json": Row("/hr/cycles/{cycle}/status.json", LOGIN, 403, 403, 403, 200),
    "hr/cycles/<str:name>/<slug:action>/": Row("/hr/cycles/{cycle}/rollup/", LOGIN, 403, 403, 403, 200),
    "hr/org/": Row("/hr/org/", LOGIN, 403, 403, 403, 200),
    # A preview token nobody uploaded (or expired): HR is sent back to the upload page.
    "hr/org/<uuid:token>/": Row("/hr/org/00000000-0000-4000-8000-000000000000/", LOGIN, 403, 403, 403, 302),
    # Training: modules for everyone signed in (coaching guides for managers and above:
    # tests/actions/test_training.py); marking done is a POST only.
    "training/": signed_in(200, "/training/"),
    # Good news of published results, for everyone signed in (tests/actions/test_recognition.py).
    "recognition/": signed_in(200, "/recognition/"),
    "recognition/<str:cycle>/": signed_in(200, "/recognition/{cycle}/"),
    "training/<slug:module_slug>/": signed_in(200, "/training/ownership/"),
    "training/<slug:module_slug>/done/": everyone(405, "/training/ownership/done/"),
    "healthz": everyone(200, "/healthz"),
    "language/": everyone(405, "/language/"),  # POST only (tests/test_languages.py)
    # The API: tokens only (a session reads nothing: tests/api/test_tokens.py). The published cycle
    # of the fixture has an empty roll-up; what each role reads of a real one: tests/api/test_views.py.
    "api/v1/": api("/api/v1/"),
    "api/v1/cycles/": api("/api/v1/cycles/"),
    "api/v1/cycles/<str:cycle>/scorecards/": api("/api/v1/cycles/{cycle}/scorecards/", employee=403),
    "api/v1/cycles/<str:cycle>/links/": api("/api/v1/cycles/{cycle}/links/", employee=403),
    "api/v1/cycles/<str:cycle>/drivers/": api("/api/v1/cycles/{cycle}/drivers/", employee=403),
    "api/v1/cycles/<str:cycle>/commitments/": api("/api/v1/cycles/{cycle}/commitments/"),
    "api/schema/": everyone(200, "/api/schema/"),
    "api/docs/": everyone(200, "/api/docs/"),
    # Any other address under /api/: a JSON 404.
    "api/": everyone(404, "/api/"),
    "api/<path:rest>": everyone(404, "/api/nowhere/"),
    "admin/": admin_only(200, "/admin/"),
    "admin/login/": Row("/admin/login/", 200, 200, 200, 200, 302),  # staff already signed in: to the index
    "admin/logout/": Row("/admin/logout/", 302, 302, 302, 302, 405),  # POST only; others sent to the admin
    "admin/password_change/": admin_only(200, "/admin/password_change/"),
    "admin/password_change/done/": admin_only(200, "/admin/password_change/done/"),
    "admin/autocomplete/": admin_only(403, "/admin/autocomplete/"),  # no field to complete: refused
    "admin/jsi18n/": admin_only(200, "/admin/jsi18n/"),
    "admin/r/<path:content_type_id>/<path:object_id>/": admin_only(404, "/admin/r/999999/1/"),
    "admin/^(?P<app_label>auth|axes|accounts|surveys|reports|invitations|actions|api)/$": admin_only(
        200, "/admin/surveys/"
    ),
    "admin/(?P<url>.*)$": admin_only(404, "/admin/no-such-page/"),
    "admin/accounts/user/<id>/password/": admin_only(403, "/admin/accounts/user/{user}/password/"),
}

# What HR may do with each model registered in the admin; every other role is sent to the admin's
# sign-in page. A model registered later needs its line here.
HR_ADMIN_RIGHTS: dict[str, set[str]] = {
    "auth.group": set(),
    "accounts.user": set(),
    # The identity change log: HR reads it, nobody writes or deletes it (superusers neither).
    "accounts.identitychange": {"view"},
    "surveys.department": {"view", "add", "change"},
    "surveys.employee": {"view", "add", "change"},
    "surveys.cycle": {"view", "add", "change"},
    "surveys.dimension": {"view", "change"},
    "surveys.participation": {"view"},
    "reports.rolluprun": {"view"},
    "invitations.notice": {"view"},
    # Training modules: HR edits and adds them, never deletes; commitments are listed read-only.
    "actions.trainingmodule": {"view", "add", "change"},
    "actions.commitment": {"view"},
    # Sign-in lockouts: HR sees them and unlocks a person by deleting their entry.
    "axes.accessattempt": {"view", "delete"},
    "axes.accesslog": set(),
    "axes.accessfailurelog": set(),
    # API tokens: HR sees everyone's and revokes them (an action: "change"); nobody adds or deletes one.
    "api.apitoken": {"view", "change"},
}


def admin_model_rows() -> dict[str, Row]:
    rows = {}
    for label, rights in HR_ADMIN_RIGHTS.items():
        app, model = label.split(".")
        base, obj = f"admin/{app}/{model}/", f"/admin/{app}/{model}/{{{label}}}/"
        can_view = 200 if rights & {"view", "change"} else 403
        rows[base] = admin_only(can_view, f"/{base}")
        rows[f"{base}add/"] = admin_only(200 if "add" in rights else 403, f"/{base}add/")
        rows[f"{base}<path:object_id>/change/"] = admin_only(can_view, f"{obj}change/")
        rows[f"{base}<path:object_id>/history/"] = admin_only(can_view, f"{obj}history/")
        # Nothing of the survey is ever deleted; only a sign-in lockout is, to unlock someone.
        rows[f"{base}<path:object_id>/delete/"] = admin_only(200 if "delete" in rights else 403, f"{obj}delete/")
        rows[f"{base}<path:object_id>/"] = admin_only(302, obj)  # the old address: redirects to change/
    return rows


def all_rows() -> dict[str, Row]:
    return {**MATRIX, **admin_model_rows()}


def url_patterns(patterns=None, prefix: str = ""):
    """Every route of the project as the resolver spells it (nested includes joined)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


@pytest.fixture
def world(org, open_cycle):
    """One of everything a row's URL names, and one person per role."""
    published = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED)
    # A finished (empty) roll-up, made by hand: the pandas roll-up is not what is under test here.
    run = RollupRun.objects.create(cycle=published, state=RollupRun.State.DONE, answers_count=0)
    CycleSummary.objects.create(cycle=published, run=run, computed_at=timezone.now(), answers_count=0)
    people = {
        "employee": EmployeeFactory(department=org["sales"], role=Role.EMPLOYEE),
        "manager": EmployeeFactory(department=org["sales"], role=Role.MANAGER),
        "executive": EmployeeFactory(department=org["executive_office"], role=Role.EXECUTIVE),
        "hr": EmployeeFactory(department=org["it"], role=Role.HR),
    }
    gone = EmployeeFactory(department=org["sales"])
    people["deactivated"] = gone
    # Each person's API token, made while all of them were active.
    api_keys = {role: token_create(user=person.user, name="matrix").key for role, person in people.items()}
    gone.user.is_active = False
    gone.user.save()
    Participation.objects.create(employee=people["employee"], cycle=published, department=org["sales"])
    sales_draft = Commitment.objects.create(
        cycle=published,
        department=org["sales"],
        scope="supplier",
        dimension="ownership",
        text="A named owner for every request.",
        owner=people["manager"],
        due=timezone.localdate(),
    )
    objects = {
        "commitment": sales_draft.pk,
        "cycle": published.name,
        "user": people["hr"].user.pk,
        "auth.group": Group.objects.get(name=Role.HR).pk,
        "accounts.user": people["hr"].user.pk,
        "accounts.identitychange": IdentityChange.objects.create(
            user=people["employee"].user,
            old_email="old@example.com",
            new_email=people["employee"].user.email,
            via="import_org",
        ).pk,
        "surveys.department": org["sales"].pk,
        "surveys.employee": people["employee"].pk,
        "surveys.cycle": published.pk,
        "surveys.dimension": Dimension.objects.order_by("pk").first().pk,
        "surveys.participation": Participation.objects.get().pk,
        "reports.rolluprun": published.rollup_runs.get().pk,
        "invitations.notice": Notice.objects.create(
            employee=people["employee"], cycle=published, kind=Notice.Kind.INVITATION
        ).pk,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="guess@example.com", ip_address="10.0.0.1", failures_since_start=1, get_data="", post_data=""
        ).pk,
        "axes.accesslog": AccessLog.objects.create(username="hr@example.com", ip_address="10.0.0.2").pk,
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="x@example.com", ip_address="10.0.0.3").pk,
        "actions.trainingmodule": TrainingModule.objects.get(slug="ownership").pk,
        "actions.commitment": sales_draft.pk,
        "api.apitoken": ApiToken.objects.filter(user=people["hr"].user).get().pk,
        "apitoken": ApiToken.objects.filter(user=people["hr"].user).get().pk,
        "api_keys": api_keys,
    }
    return people, objects


def test_every_url_pattern_has_a_row():
    rows = all_rows()
    missing = [route for route in url_patterns() if route not in rows]
    assert not missing, f"URL patterns without a row in tests/test_access_matrix.py: {missing}"
    stale = set(rows) - set(url_patterns())
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"


def test_every_admin_model_has_its_rights_listed():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(HR_ADMIN_RIGHTS)


@pytest.mark.parametrize("role", ROLES)
def test_access(client, world, role):
    """Every row for one role (one fixture per role keeps this fast); lists every mismatch at once."""
    people, objects = world
    wrong = []
    for route, row in all_rows().items():
        client.logout()
        headers = {}
        if row.token:
            if role != "signed_out":
                headers["HTTP_AUTHORIZATION"] = f"Token {objects['api_keys'][role]}"
        elif role != "signed_out":
            client.force_login(people[role].user)
        url = re.sub(r"\{([\w.]+)\}", lambda m: str(objects[m.group(1)]), row.url)
        response = client.get(url, **headers)
        expected = row.expected(role)
        if expected in (LOGIN, ADMIN_LOGIN):
            sign_in = "/accounts/login/" if expected == LOGIN else "/admin/login/"
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(f"{sign_in}?next="):
                wrong.append(f"{url} ({route}): {response.status_code} {location}, expected {sign_in}")
        elif response.status_code != expected:
            wrong.append(f"{url} ({route}): {response.status_code}, expected {expected}")
        elif url.startswith("/api/") and response.status_code >= 400:
            if response.get("Content-Type") != "application/json" or not response.json().get("detail"):
                wrong.append(f"{url}: a {response.status_code} without a JSON message")
        elif (
            response.status_code in (403, 404)
            and not url.startswith("/admin/")
            and "Chain Survey" not in response.content.decode()
        ):
            wrong.append(f"{url}: a bare {response.status_code} page, not the app's own")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


# A closed, rolled-up cycle not yet published: HR previews it (200, marked "Preview — not
# published"); the others entitled to the page get the app's own "not published yet" page (404),
# never a figure; those never entitled to it get what they get for any cycle.
PREVIEW_ROWS: dict[str, Row] = {
    "reports/<str:cycle>/": Row("/reports/2026-Q3/", LOGIN, 403, 403, 404, 200),
    "reports/<str:cycle>/heatmap.json": Row("/reports/2026-Q3/heatmap.json", LOGIN, 403, 403, 404, 200),
    "reports/<str:cycle>/departments/<slug:slug>/": Row(
        "/reports/2026-Q3/departments/sales/", LOGIN, 403, 404, 404, 200
    ),
    # Files leave the app only once published, for HR too.
    "reports/<str:cycle>/scorecards.csv": Row("/reports/2026-Q3/scorecards.csv", LOGIN, 403, 403, 403, 404),
}


@pytest.mark.parametrize("role", ROLES)
def test_access_to_an_unpublished_cycle(client, world, role):
    people, _ = world
    closed = CycleFactory(name="2026-Q3", status=Cycle.Status.CLOSED)
    run = RollupRun.objects.create(cycle=closed, state=RollupRun.State.DONE, answers_count=0)
    CycleSummary.objects.create(cycle=closed, run=run, computed_at=timezone.now(), answers_count=0)
    wrong = []
    for route, row in PREVIEW_ROWS.items():
        client.logout()
        if role != "signed_out":
            client.force_login(people[role].user)
        response = client.get(row.url)
        expected, body = row.expected(role), response.content.decode(errors="replace")
        if expected == LOGIN:
            if response.status_code != 302 or not response["Location"].startswith("/accounts/login/?next="):
                wrong.append(f"{row.url} ({route}): {response.status_code}, expected the sign-in page")
        elif response.status_code != expected:
            wrong.append(f"{row.url} ({route}): {response.status_code}, expected {expected}")
        elif expected == 404 and route != "reports/<str:cycle>/scorecards.csv" and "not published yet" not in body:
            wrong.append(f"{row.url}: a 404 that does not say the results are not published yet")
        elif expected == 200 and "json" not in route and "Preview — not published" not in body:
            wrong.append(f"{row.url}: HR's preview not marked as one")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)


# --- IDOR: someone else's objects, reached by changing an id ------------------------------------


def idor_draft(client, people, org):
    """An employee posts into a colleague's draft by its id: refused, and the draft is untouched."""
    colleague = EmployeeFactory(department=org["it"])
    cycle = Cycle.objects.get(status=Cycle.Status.OPEN)
    theirs = Draft.objects.create(employee=colleague, cycle=cycle, providers=[org["sales"].id])
    Draft.objects.create(employee=people["employee"], cycle=cycle, providers=[org["it"].id])
    client.force_login(people["employee"].user)
    response = client.post(
        "/survey/",
        {"cycle": cycle.name, "draft": str(theirs.pk), "action": "save", f"p{org['sales'].id}-willingness": "1"},
    )
    theirs.refresh_from_db()
    return response.status_code == 403 and "belongs to someone else" in response.content.decode() and not theirs.answers


def _manager_asks_for_it(client, people, path: str) -> bool:
    """Sales's manager asks for IT's page by changing the slug: 403, and nothing of IT's results."""
    cycle = Cycle.objects.get(status=Cycle.Status.PUBLISHED)
    client.force_login(people["manager"].user)
    response = client.get(path.format(cycle=cycle.name))
    body = response.content.decode(errors="replace")
    return (
        response.status_code == 403 and "Chain Survey" in body and "scorecard" not in response.get("Content-Type", "")
    )


def idor_department_page(client, people, org):
    return _manager_asks_for_it(client, people, "/reports/{cycle}/departments/it/")


def idor_department_pdf(client, people, org):
    return _manager_asks_for_it(client, people, "/reports/{cycle}/departments/it/scorecard.pdf")


def idor_commitment(client, people, org):
    """Sales's manager changes IT's commitment: through IT's address (403) or by putting its id
    under Sales's address (404). Either way, nothing changes."""
    cycle = Cycle.objects.get(status=Cycle.Status.PUBLISHED)
    theirs = Commitment.objects.create(
        cycle=cycle,
        department=org["it"],
        scope="supplier",
        dimension="courtesy",
        text="IT's own promise.",
        owner=EmployeeFactory(department=org["it"], role=Role.MANAGER),
        due=timezone.localdate(),
    )
    client.force_login(people["manager"].user)
    answers = []
    for department in ("it", "sales"):
        base = f"/actions/{cycle.name}/departments/{department}/{theirs.pk}/"
        answers += [
            client.get(f"{base}edit/").status_code,
            client.post(f"{base}edit/", {"text": "Taken over"}).status_code,
            client.post(f"{base}publish/").status_code,
            client.post(f"{base}status/", {"status": "dropped"}).status_code,
            client.post(f"{base}updates/", {"text": "Taken over"}).status_code,
            client.post(f"{base}delete/").status_code,
        ]
    answers.append(client.get(f"/actions/{cycle.name}/departments/it/").status_code)
    theirs.refresh_from_db()
    untouched = theirs.text == "IT's own promise." and not theirs.is_published and not theirs.updates.exists()
    return answers == [403] * 6 + [404] * 6 + [403] and untouched


# URL name → case, for every URL that takes a department (scorecards, dashboards): a manager of one
# department asks for another's.
DEPARTMENT_IDOR_CASES: dict[str, object] = {
    "reports:department": idor_department_page,
    "downloads:department_pdf": idor_department_pdf,
    **dict.fromkeys(
        ["actions:department", "actions:edit", "actions:publish", "actions:delete", "actions:status", "actions:update"],
        idor_commitment,
    ),
}
IDOR_CASES = {"draft": idor_draft, **DEPARTMENT_IDOR_CASES}


@pytest.mark.parametrize("case", list(IDOR_CASES))
def test_nobody_reaches_someone_elses_objects_by_changing_an_id(client, world, org, case):
    people, _ = world
    assert IDOR_CASES[case](client, people, org)


def test_every_department_url_has_an_idor_case():
    resolver = get_resolver()
    takes_department = sorted(
        name
        for name, entries in resolver.reverse_dict.lists()
        if isinstance(name, str)
        for _possibility, pattern, defaults, converters in entries
        if re.search(r"\(\?P<(department|slug|department_id|dept)>", pattern)
    )
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        takes_department += [
            f"{namespace}:{name}"
            for name, entries in sub.reverse_dict.lists()
            if isinstance(name, str)
            for _possibility, pattern, *_ in entries
            if re.search(r"\(\?P<(department|slug|department_id|dept)>", pattern)
        ]
    missing = [name for name in takes_department if name not in DEPARTMENT_IDOR_CASES and not name.startswith("admin:")]
    assert not missing, f"URLs taking a department without an IDOR case: {missing}"


def test_a_department_exists_for_each_fixture_role(world):
    # Guards the fixture itself: every role above is a real, distinct person.
    people, _ = world
    assert len({person.user.pk for person in people.values()}) == len(people) == len(ROLES) - 1
    assert Department.objects.count() >= 3
    assert UserFactory._meta.model.objects.filter(is_active=False).count() == 1
