"""Shared fixtures: an org with the Executive Office, the five personas and an open cycle."""

import os

import pytest

from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Tests run tasks in-process unless a test starts a real worker on purpose.
    from chainsurvey.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _no_remembered_cycles():
    # Each process remembers the visible cycles for a moment (reports/visible.py); a test's
    # database is rolled back without signals, so each test starts without that memory.
    from reports import visible

    visible.forget()
    yield
    visible.forget()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every persona has a password: the production hasher would cost ~0.4 s per person for nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def executive_office(db):
    return DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="Sales", slug="sales")


@pytest.fixture
def it_department(db):
    return DepartmentFactory(name="IT", slug="it")


@pytest.fixture
def org(executive_office, sales, it_department):
    return {"executive_office": executive_office, "sales": sales, "it": it_department}


@pytest.fixture
def employee(org):
    return EmployeeFactory(department=org["sales"], role=Role.EMPLOYEE, user__email="emma@example.com")


@pytest.fixture
def manager(org):
    return EmployeeFactory(department=org["sales"], role=Role.MANAGER, user__email="mark@example.com")


@pytest.fixture
def executive(org):
    return EmployeeFactory(department=org["executive_office"], role=Role.EXECUTIVE, user__email="erin@example.com")


@pytest.fixture
def hr(org):
    hr_department = DepartmentFactory(name="Human Resources", slug="human-resources")
    return EmployeeFactory(department=hr_department, role=Role.HR, user__email="hana@example.com")


@pytest.fixture
def outsider(db):
    """A signed-in account that is nobody in the org (e.g. a stray admin-created user)."""
    from tests.factories import UserFactory

    return UserFactory(email="olga@example.com")


@pytest.fixture
def open_cycle(db):
    return OpenCycleFactory(name="2026-Q4")
