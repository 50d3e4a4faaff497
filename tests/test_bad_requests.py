"""Requests the app refuses before any view runs (oversized, too many fields, a bad host, no CSRF
token) get the app's own page saying what happened, and nothing is written."""

import pytest
from django.test import Client

from surveys.dimensions import ALL_DIMENSIONS
from surveys.models import Answer, Draft, Participation

pytestmark = pytest.mark.django_db
URL = "/survey/"


@pytest.fixture
def draft(employee, open_cycle, org):
    return Draft.objects.create(
        employee=employee, cycle=open_cycle, providers=[org["executive_office"].id, org["sales"].id]
    )


def full_post(draft, org) -> dict:
    data = {
        f"p{department.id}-{slug}": "4"
        for department in (org["executive_office"], org["sales"])  # the Executive Office and own management
        for slug in ALL_DIMENSIONS
    }
    return {"cycle": draft.cycle.name, "draft": str(draft.pk), "action": "submit", "confirm": "1", **data}


def nothing_written(draft) -> bool:
    draft.refresh_from_db()
    return not Participation.objects.exists() and not Answer.objects.exists() and draft.answers == {}


def assert_app_page(response, status: int, text: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert 'href="/static/css/app.css"' in html, "not the app's own page"
    assert text in html


def test_an_oversized_post_gets_the_apps_400_page_and_writes_nothing(client, employee, draft, org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(employee.user)
    response = client.post(URL, {**full_post(draft, org), f"p{org['executive_office'].id}-comment": "x" * 20_000})
    assert_app_page(response, 400, "too large or malformed, so nothing was saved")
    assert "Sign out" in response.content.decode()  # rendered with the request: the usual navigation
    assert nothing_written(draft)


def test_a_post_with_too_many_fields_gets_the_apps_400_page_and_writes_nothing(client, employee, draft, org):
    client.force_login(employee.user)
    padding = {f"junk{i}": "1" for i in range(1_200)}  # Django's default limit is 1,000 fields
    response = client.post(URL, {**full_post(draft, org), **padding})
    assert_app_page(response, 400, "nothing was saved")
    assert nothing_written(draft)


def test_a_request_for_an_unknown_host_gets_the_apps_400_page(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert_app_page(response, 400, "could not be handled")


def test_a_post_without_its_csrf_token_is_refused_with_a_clear_page_and_writes_nothing(employee, draft, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee.user)
    response = client.post(URL, full_post(draft, org))
    assert_app_page(response, 403, "This form has expired")
    assert "Nothing was saved" in response.content.decode()
    assert nothing_written(draft)


def test_a_post_with_its_csrf_token_goes_through(employee, draft, org):
    # The control for the test above: the same post with a token is accepted.
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee.user)
    token = client.get(URL).context["csrf_token"]
    response = client.post(URL, {**full_post(draft, org), "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert Participation.objects.count() == 1
