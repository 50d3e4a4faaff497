"""Sign-in throttling: a password guesser is locked out with a clear message; HR unlocks them."""

import pytest
from django.urls import reverse

from accounts.lockout import client_address
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 5


def guess(client, email, times, *, address="10.0.0.1"):
    return [
        client.post(LOGIN, {"username": email, "password": f"guess {n}"}, REMOTE_ADDR=address) for n in range(times)
    ]


def sign_in(client, email, *, address="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": PASSWORD}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_that_email_from_that_address_with_a_clear_message(client, employee):
    *tries, fifth = guess(client, "emma@example.com", 5)
    assert [r.status_code for r in tries] == [200] * 4

    assert fifth.status_code == 429
    page = " ".join(fifth.content.decode().split())
    assert "Sign-in paused" in page
    assert "5 wrong passwords in a row for <strong>emma@example.com</strong>" in page
    assert "15 minutes" in page and "ask HR to unlock" in page

    # Even the right password is refused now, and no session starts.
    refused = sign_in(client, "emma@example.com")
    assert refused.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lock_ignores_the_case_of_the_email_address(client, employee):
    guess(client, "emma@example.com", 2)
    guess(client, "EMMA@example.com", 2)
    assert guess(client, "Emma@Example.COM", 1)[0].status_code == 429


def test_the_lock_is_per_person_so_a_colleague_on_the_same_network_still_signs_in(client, employee, manager):
    guess(client, "emma@example.com", 5)
    response = sign_in(client, "mark@example.com")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_lock_is_per_address_so_a_guesser_elsewhere_does_not_lock_the_person_out(client, employee):
    guess(client, "emma@example.com", 5, address="203.0.113.9")
    response = sign_in(client, "emma@example.com", address="10.0.0.1")
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_lock_ends_after_the_cool_off(client, employee, settings):
    import datetime

    import time_machine

    guess(client, "emma@example.com", 5)
    with time_machine.travel(datetime.timedelta(minutes=16)):
        assert sign_in(client, "emma@example.com").status_code == 302


def test_hr_unlocks_a_locked_out_person_from_the_people_admin(client, employee, hr):
    guess(client, "emma@example.com", 5)
    assert sign_in(client, "emma@example.com").status_code == 429

    client.force_login(hr.user)
    response = client.post(
        reverse("admin:surveys_employee_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [employee.pk]},
        follow=True,
    )
    assert "Sign-in unlocked for 1 people" in response.content.decode()
    client.logout()

    assert sign_in(client, "emma@example.com").status_code == 302


def test_hr_sees_the_lockouts_in_the_admin(client, employee, hr):
    guess(client, "emma@example.com", 5)
    client.force_login(hr.user)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "emma@example.com" in page.content.decode()


def test_a_successful_sign_in_forgets_earlier_mistakes(client, employee):
    guess(client, "emma@example.com", 4)
    assert sign_in(client, "emma@example.com").status_code == 302
    client.logout()
    assert guess(client, "emma@example.com", 4)[-1].status_code == 200


def test_behind_a_proxy_the_client_address_is_the_one_the_proxy_saw(rf, settings):
    settings.CHAINSURVEY_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"  # the entry the client could forge is ignored
    settings.CHAINSURVEY_PROXY_COUNT = 0
    assert client_address(request) == "172.18.0.2"


def test_the_admin_sign_in_form_is_throttled_too(client, org):
    EmployeeFactory(department=org["sales"], user__email="root@example.com")
    for n in range(5):
        last = client.post("/admin/login/", {"username": "root@example.com", "password": f"x{n}"})
    assert last.status_code == 429
