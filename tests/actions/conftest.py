import datetime

import pytest
from django.utils import timezone

from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory

from .builders import published_cycle


@pytest.fixture
def company(org, executive, manager, employee, hr):
    """The conftest org (Executive Office, Sales, IT, Human Resources) with an IT manager, and
    two published cycles: IT rated 2 by Sales and the Executive Office in 2026-Q1, 4 in 2026-Q2."""
    it_manager = EmployeeFactory(department=org["it"], role=Role.MANAGER, user__email="ivan@example.com")
    finance = DepartmentFactory(name="Finance", slug="finance")
    eo, sales, it = org["executive_office"], org["sales"], org["it"]
    q1 = published_cycle(
        "2026-Q1",
        {(sales, it): 2, (eo, it): 2, (finance, it): 3, (it, eo): 3, (sales, eo): 3, (it, sales): 3, (eo, eo): 3},
        published_at=timezone.now() - datetime.timedelta(days=100),
    )
    q2 = published_cycle(
        "2026-Q2",
        {(sales, it): 4, (eo, it): 4, (finance, it): 4, (it, eo): 3, (sales, eo): 3, (it, sales): 3, (eo, eo): 3},
    )
    return {
        **org,
        "finance": finance,
        "q1": q1,
        "q2": q2,
        "it_manager": it_manager,
        "manager": manager,
        "executive": executive,
        "employee": employee,
        "hr": hr,
    }
