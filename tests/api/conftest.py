"""A company with two published cycles for the API: figures shown and hidden (minimum group size
3), commitments on the first cycle's results; and a token per persona."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from actions.services import Draft, commitment_create, commitment_publish
from api.tokens import token_create
from reports.services import rollup_cycle
from surveys.models import Cycle
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.reports.builders import add_answers, full_survey


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # The throttles count in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


def published(name: str, links: dict, *, days_ago: int) -> Cycle:
    """A published, rolled-up cycle (minimum group size 3): links {(rater, provider): (raters, score)}."""
    now = timezone.now()
    cycle = Cycle.objects.create(
        name=name,
        status=Cycle.Status.PUBLISHED,
        min_group_size=3,
        closed_at=now - datetime.timedelta(days=days_ago + 1),
        published_at=now - datetime.timedelta(days=days_ago),
    )
    rows, first = [], 1
    for (rater, provider), (raters, score) in links.items():
        for i in range(raters):
            rows += full_survey(first + i, rater, provider, score if i % 2 else max(1, score - 1), expectation=4)
        first += raters
    add_answers(cycle, rows)
    rollup_cycle(cycle_id=cycle.id)
    return cycle


def commit(cycle, department, owner, *, dimension="ownership", scope="supplier"):
    made = commitment_create(
        cycle=cycle,
        department=department,
        draft=Draft(
            scope=scope,
            dimension=dimension,
            text="=1+1 a named owner for every request",
            owner=owner,
            due=timezone.localdate() + datetime.timedelta(days=30),
        ),
        by=None,
    )
    commitment_publish(commitment=made, by=None)
    return made


@pytest.fixture
def company(org, employee, manager, executive, hr):
    """Sales (the manager's), IT, Finance and the Executive Office; 2026-Q1 and its follow-up 2026-Q2.
    In 2026-Q1 Finance → IT (2 raters) and Sales's own management (2 raters) are hidden."""
    eo, sales, it = org["executive_office"], org["sales"], org["it"]
    finance = DepartmentFactory(name="Finance", slug="finance")
    it_manager = EmployeeFactory(department=it, role=Role.MANAGER, user__email="ivan@example.com")
    q1 = published(
        "2026-Q1",
        {
            (sales, it): (4, 3),
            (eo, it): (3, 4),
            (finance, it): (2, 2),
            (it, sales): (4, 4),
            (eo, sales): (3, 3),
            (sales, sales): (2, 4),
            (it, eo): (3, 3),
            (eo, eo): (3, 4),
        },
        days_ago=100,
    )
    q2 = published(
        "2026-Q2",
        {(sales, it): (4, 4), (eo, it): (3, 4), (it, sales): (4, 3), (eo, sales): (3, 4), (eo, eo): (3, 4)},
        days_ago=5,
    )
    commit(q1, eo, executive)
    commit(q1, sales, manager, dimension="courtesy")
    commit(q1, sales, manager, scope="management", dimension="communication")
    commit(q1, it, it_manager, dimension="responsiveness")
    return {**org, "finance": finance, "q1": q1, "q2": q2, "it_manager": it_manager}


@pytest.fixture
def keys(employee, manager, executive, hr):
    """A live token per persona: role → key."""
    people = {"employee": employee, "manager": manager, "executive": executive, "hr": hr}
    return {role: token_create(user=person.user, name="tests").key for role, person in people.items()}


@pytest.fixture
def api(client):
    """GET an API address with a token: api(key, url, **query) → response."""

    def get(key, url, **query):
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
        return client.get(url, query, **headers)

    return get
