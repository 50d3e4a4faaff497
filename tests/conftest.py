"""Shared fixtures: an org with the Executive Office, the five personas and an open cycle."""

import os

import pytest

from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

IN_CI = bool(os.environ.get("CI"))


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(config, items):
    # A transactional test ends with a flush. With serialized_rollback the flush skips
    # post_migrate and the next such test reloads the rows the data migrations made (dimensions,
    # role groups); without it, post_migrate re-creates them under new ids, which collide with the
    # reload of the next serialized test, and a serialized test leaves none for the next plain one.
    # Both kinds mixed fail by order, so every transactional test must be serialized.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use pytest.mark.django_db(transaction=True, serialized_rollback=True)"
            )


@pytest.fixture(autouse=True)
def _english_between_tests():
    # A request through the test client leaves its language active in the thread (LocaleMiddleware
    # activates, nothing deactivates): the next test would read German or Spanish refusals.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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
    from reports import panels, visible

    visible.forget()
    panels.forget()
    yield
    visible.forget()
    panels.forget()


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
