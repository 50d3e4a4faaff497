"""Every page of every model registered in the admin renders for HR and a superuser: changelist,
add and change pages, walked from the admin's registry so that a model added later is covered too.
Hostile names in the org stay inert text on those pages."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import IdentityChange
from actions.models import Commitment, TrainingModule
from api.tokens import token_create
from invitations.models import Notice
from reports.models import RollupRun
from surveys.models import Participation
from tests.factories import CycleFactory, DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{% now "Y" %}{{ request }}'


@pytest.fixture
def one_of_each(org, hr, open_cycle):
    """At least one row of every registered model, with hostile text wherever people type names."""
    department = DepartmentFactory(name=f"Dept {HOSTILE}", slug="hostile")
    person = EmployeeFactory(department=department, user__full_name=f"Name {HOSTILE}")
    Participation.objects.create(employee=person, cycle=open_cycle, department=department)
    RollupRun.objects.create(cycle=CycleFactory(name="2025-Q4", status="closed"), error=HOSTILE)
    Notice.objects.create(employee=person, cycle=open_cycle, kind=Notice.Kind.INVITATION, last_error=HOSTILE)
    AccessAttempt.objects.create(
        username=HOSTILE, ip_address="10.0.0.1", failures_since_start=1, get_data="", post_data=HOSTILE
    )
    AccessLog.objects.create(username=HOSTILE, ip_address="10.0.0.2")
    AccessFailureLog.objects.create(username=HOSTILE, ip_address="10.0.0.3")
    IdentityChange.objects.create(
        user=person.user,
        old_email=f"old{HOSTILE}",
        new_email=person.user.email,
        changed_by_email=HOSTILE,
        via="org_upload",
    )
    TrainingModule.objects.filter(slug="ownership").update(title=f"Ownership {HOSTILE}", body=HOSTILE)
    Commitment.objects.create(
        cycle=CycleFactory(name="2025-Q3", status="published"),
        department=department,
        scope="supplier",
        dimension="ownership",
        text=HOSTILE,
        owner=person,
        due=datetime.date(2025, 12, 31),
    )
    token_create(user=person.user, name=f"Token {HOSTILE}")


def admin_pages():
    """(model, page name, needs an object) for every registered model and page."""
    for model in admin.site._registry:
        for page, needs_object in (("changelist", False), ("add", False), ("change", True)):
            yield pytest.param(model, page, needs_object, id=f"{model._meta.label_lower}-{page}")


def expected_status(model, page, user) -> int:
    """200 where the model's admin grants the page to `user`, else the admin's 403."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    allowed = {
        "changelist": model_admin.has_view_or_change_permission(request),
        "change": model_admin.has_view_or_change_permission(request),
        "add": model_admin.has_add_permission(request),
    }[page]
    return 200 if allowed else 403


@pytest.mark.parametrize("role", ["hr", "superuser"])
@pytest.mark.parametrize(("model", "page", "needs_object"), list(admin_pages()))
def test_every_admin_page_renders_for_hr_and_superusers(client, one_of_each, hr, role, model, page, needs_object):
    user = hr.user if role == "hr" else UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    args = []
    if needs_object:
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the fixture has no {model._meta.label} row: add one so its change page is walked"
        args = [obj.pk]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)

    response = client.get(url)

    assert response.status_code == expected_status(model, page, user), url
    if response.status_code == 200:
        html = response.content.decode()
        # Escaped, never markup; template syntax in a name is never rendered as a template.
        assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_hr_can_open_every_department_change_page(client, one_of_each, hr, org):
    # The page that answered 500 (KeyError: 'slug') for every department: the slug is read-only
    # once the department exists, and must not be prepopulated from the name.
    client.force_login(hr.user)
    for department in org.values():
        response = client.get(reverse("admin:surveys_department_change", args=[department.pk]))
        assert response.status_code == 200
        assert department.slug in response.content.decode()


def test_hr_renames_a_department_and_its_slug_stays(client, hr, sales):
    client.force_login(hr.user)
    url = reverse("admin:surveys_department_change", args=[sales.pk])
    response = client.post(url, {"name": "Sales & Growth", "is_executive_office": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    sales.refresh_from_db()
    assert (sales.name, sales.slug) == ("Sales & Growth", "sales")


def test_hr_adds_a_department_with_a_slug_prepopulated_from_its_name(client, hr):
    client.force_login(hr.user)
    response = client.get(reverse("admin:surveys_department_add"))
    assert response.status_code == 200
    assert "prepopulated" in response.content.decode()
    assert Group.objects.filter(name="hr").exists()
