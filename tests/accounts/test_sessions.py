"""The session engine (accounts.sessions): one statement reads the session and its person, and
every way a session must end still ends it at the person's next request."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client

from accounts.models import Session, User
from accounts.sessions import NOT_PREFETCHED, SessionStore
from tests.factories import EmployeeFactory
from tests.machine_services import require_postgresql

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _signed_in(client) -> bool:
    response = client.get("/survey/")
    return response.status_code == 200


def test_a_session_and_its_person_are_read_in_one_statement(client, employee, django_assert_num_queries):
    client.force_login(employee.user)
    store = SessionStore(session_key=client.session.session_key)
    with django_assert_num_queries(1):  # the session's data with its person, role and org record
        data = store.load()
        person = store.prefetched_user(data[SESSION_KEY])
    assert person.pk == employee.user_id and person.chain_survey_employee == employee.pk
    assert isinstance(person.last_login, datetime.datetime) and person.is_active  # converted as the ORM does
    assert store.prefetched_user(employee.user_id + 1) is NOT_PREFETCHED  # only the session's own person
    assert Session.objects.get(session_key=store.session_key).user_id == employee.user_id


def test_a_deactivated_persons_session_stops_at_once(client, employee, open_cycle):
    client.force_login(employee.user)
    assert _signed_in(client)
    User.objects.filter(pk=employee.user_id).update(is_active=False)  # as the org file does, in bulk
    response = client.get("/survey/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_changed_password_ends_the_session_at_once(client, employee, open_cycle):
    client.force_login(employee.user)
    assert _signed_in(client)
    user = User.objects.get(pk=employee.user_id)
    user.set_password("another password entirely")
    User.objects.filter(pk=user.pk).update(password=user.password)
    response = client.get("/survey/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Session.objects.filter(user_id=employee.user_id).exists()  # flushed: the row is gone


def test_signing_out_deletes_the_row_and_the_old_cookie_signs_in_nobody(client, employee, open_cycle):
    client.force_login(employee.user)
    key = client.session.session_key
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    response = replay.get("/survey/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_signing_in_gives_a_new_session_key(client, employee):
    client.get("/accounts/login/")
    session = client.session
    session["chosen"] = "before sign-in"
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    response = client.post("/accounts/login/", {"username": employee.user.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before and not Session.objects.filter(session_key=before).exists()
    assert Session.objects.get(session_key=after).user_id == employee.user_id


def test_the_signed_data_decides_who_is_signed_in_not_the_person_column(client, employee, org, open_cycle):
    # Someone who could rewrite the column (and not the signed data) gains nobody else's account.
    other = EmployeeFactory(department=org["sales"], user__full_name="Somebody Else")
    client.force_login(employee.user)
    Session.objects.filter(session_key=client.session.session_key).update(user_id=other.user_id)
    request = client.get("/survey/").wsgi_request
    assert request.user.pk == employee.user_id


def test_an_expired_session_signs_in_nobody(client, employee, open_cycle):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(employee.user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/survey/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_dead_kept_connection_is_replaced_by_the_session_read(employee, open_cycle, settings):
    # The session read stands in for Django's health check: a connection the server dropped
    # between two requests is replaced, and the request is served as if nothing happened.
    require_postgresql()
    client = Client()
    client.force_login(employee.user)
    assert _signed_in(client)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with connection.connection.cursor() as raw:  # an adjacent backend would do the same
        raw.execute("SELECT 1")
    import psycopg

    other = psycopg.connect(**connection.get_connection_params())
    other.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    connection.health_check_done = False  # as at the start of a request (close_old_connections)
    request = client.get("/survey/").wsgi_request
    assert request.user.pk == employee.user_id
    assert connection.connection.info.backend_pid != pid
