"""Signing in with an email address, signing out, and setting a first password by email."""

import re

import pytest
from django.core import mail
from django.urls import Resolver404, resolve

from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_employee_signs_in_with_email_and_lands_on_home(client, employee):
    response = client.post("/accounts/login/", {"username": "Emma@Example.com", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == employee.user
    assert "Welcome" in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, employee):
    response = client.post("/accounts/login/", {"username": "emma@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct email address and password" in response.content.decode()


def test_inactive_person_cannot_sign_in(client, org):
    person = EmployeeFactory(department=org["sales"], user__email="gone@example.com", user__is_active=False)
    response = client.post("/accounts/login/", {"username": person.user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_logout_is_a_post_and_ends_the_session(client, employee):
    client.force_login(employee.user)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/survey/",
        "/reports/",
        "/reports/2026-Q3/",
        "/reports/2026-Q3/departments/sales/",
        "/reports/2026-Q3/scorecards.csv",
        "/admin/",
    ],
)
def test_protected_pages_send_signed_out_visitors_to_login(client, url):
    try:
        resolve(url)
    except Resolver404:
        pytest.skip(f"{url} has no view on this branch yet")
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response.url and "next=" in response.url


def test_imported_person_without_password_sets_one_by_email_and_signs_in(client, org):
    person = EmployeeFactory(department=org["it"], user__email="new.hire@example.com", user__password=None)
    person.user.set_unusable_password()
    person.user.save()
    assert not client.login(email="new.hire@example.com", password="")

    response = client.post("/accounts/password_reset/", {"email": "New.Hire@example.com"})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.hire@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "A new long passphrase 42", "new_password2": "A new long passphrase 42"}
    )
    assert done.status_code == 302 and done.url == "/accounts/reset/done/"

    client.logout()
    assert client.login(email="new.hire@example.com", password="A new long passphrase 42")
    # A used link cannot be used again.
    assert "no longer valid" in client.get(link, follow=True).content.decode()


def test_password_reset_reveals_nothing_about_unknown_or_inactive_addresses(client, org):
    EmployeeFactory(department=org["it"], user__email="left@example.com", user__is_active=False)
    for email in ("nobody@example.com", "left@example.com"):
        response = client.post("/accounts/password_reset/", {"email": email})
        assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_home_offers_scorecard_downloads_to_hr_only(client, hr, executive):
    from reports.services import rollup_cycle
    from surveys.models import Cycle
    from tests.factories import CycleFactory

    cycle = CycleFactory(name="2026-Q2", status=Cycle.Status.PUBLISHED)
    rollup_cycle(cycle_id=cycle.id)

    client.force_login(hr.user)
    assert b"/reports/2026-Q2/scorecards.csv" in client.get("/").content
    client.force_login(executive.user)
    assert b"scorecards.csv" not in client.get("/").content


def test_a_signed_in_user_without_the_role_gets_a_403_page_that_says_so_and_shows_no_data(client, employee):
    client.force_login(employee.user)

    response = client.get("/reports/2026-Q2/scorecards.csv")

    assert response.status_code == 403
    assert b"not for your role" in response.content
    assert b"cycle," not in response.content


def test_an_unknown_address_gets_the_apps_own_404_page(client, employee):
    client.force_login(employee.user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content
