"""Personal API tokens: made on the tokens page or by `create_api_token`, shown once, stored only
as a hash, revoked by their owner or by HR, and dead at once when revoked or when their owner is
deactivated."""

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from api.models import ApiToken
from api.tokens import KEY_RE, token_create, token_revoke

pytestmark = pytest.mark.django_db

CYCLES = "/api/v1/cycles/"


def make_on_the_page(client, person, name="Power BI") -> str:
    client.force_login(person.user)
    response = client.post("/accounts/tokens/", {"name": name})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # never kept by a cache
    (key,) = re.findall(r'value="(cs_[^"]+)"', response.content.decode())
    return key


def test_a_person_makes_a_token_sees_it_once_and_it_reads_the_api(client, api, employee):
    key = make_on_the_page(client, employee)
    prefix, secret = KEY_RE.fullmatch(key).groups()  # the secret may itself hold "_"
    page = client.get("/accounts/tokens/").content.decode()
    assert "Power BI" in page and key not in page and secret not in page
    assert f"cs_{prefix}_" in page  # its start, to tell tokens apart
    client.logout()
    assert api(key, CYCLES).status_code == 200


def test_only_a_hash_of_the_key_is_stored(employee):
    made = token_create(user=employee.user, name="script")
    secret = made.key.split("_", 2)[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored and made.key not in stored
    assert made.token.key_hash == hashlib.sha256(made.key.encode()).hexdigest()


def test_a_token_needs_a_name(client, employee):
    client.force_login(employee.user)
    response = client.post("/accounts/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_on_the_page_stops_the_token_at_once(client, api, employee):
    key = make_on_the_page(client, employee)
    assert api(key, CYCLES).status_code == 200
    token = ApiToken.objects.get()
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "Token revoked" in response.content.decode()
    refused = api(key, CYCLES)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert "not valid" in refused.json()["detail"]
    token.refresh_from_db()
    assert token.revoked_by == employee.user and token.revoked_at is not None


def test_nobody_revokes_someone_elses_token_on_their_page(client, api, employee, manager):
    theirs = token_create(user=manager.user, name="theirs")
    client.force_login(employee.user)
    response = client.post(f"/accounts/tokens/{theirs.token.pk}/revoke/", follow=True)
    assert "No such token of yours" in response.content.decode()
    assert api(theirs.key, CYCLES).status_code == 200
    assert "theirs" not in client.get("/accounts/tokens/").content.decode()


def test_a_deactivated_persons_token_stops_at_once(api, employee):
    key = token_create(user=employee.user, name="script").key
    assert api(key, CYCLES).status_code == 200
    employee.user.is_active = False
    employee.user.save()
    assert api(key, CYCLES).status_code == 401


def test_hr_revokes_anyones_token_in_the_admin(client, api, employee, hr):
    made = token_create(user=employee.user, name="leaked")
    client.force_login(hr.user)
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert "leaked" in listing and made.key not in listing
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [made.token.pk]}, follow=True
    )
    assert "Revoked 1 token" in response.content.decode()
    assert api(made.key, CYCLES).status_code == 401
    assert ApiToken.objects.get().revoked_by == hr.user
    assert client.get("/admin/api/apitoken/add/").status_code == 403


def test_a_made_up_or_tampered_key_is_refused_like_a_revoked_one(api, employee):
    key = token_create(user=employee.user, name="script").key
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    for bad in (tampered, "cs_AAAAAAAA_" + "A" * 43, "nonsense", key + "x"):
        response = api(bad, CYCLES)
        assert response.status_code == 401
        assert response.json() == {"detail": "This API token is not valid: it may have been revoked."}


@pytest.mark.parametrize("header", ["Bearer abc", "Token", "Token a b", "Basic Zm9vOmJhcg=="])
def test_a_malformed_authorization_header_says_how_to_send_a_token(client, employee, header):
    response = client.get(CYCLES, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "Authorization: Token <key>" in response.json()["detail"]


def test_a_signed_in_browser_without_a_token_reads_nothing(client, hr):
    # The API reads tokens only: a page's session cookie never gets a visitor's results.
    client.force_login(hr.user)
    response = client.get(CYCLES)
    assert response.status_code == 401
    assert "personal API token" in response.json()["detail"]


def test_the_token_last_use_is_recorded(api, employee):
    made = token_create(user=employee.user, name="script")
    assert made.token.last_used_at is None
    api(made.key, CYCLES)
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None


def test_revoking_twice_says_so(employee):
    made = token_create(user=employee.user, name="script")
    assert token_revoke(token_id=made.token.pk, by=employee.user) is True
    assert token_revoke(token_id=made.token.pk, by=employee.user) is False


# ---- create_api_token ----


def test_create_api_token_prints_the_key_alone_on_its_last_line(api, employee):
    out = io.StringIO()
    call_command("create_api_token", "EMMA@example.com", "--name", "BI service", stdout=out)
    key = out.getvalue().rstrip("\n").splitlines()[-1]
    assert KEY_RE.fullmatch(key)
    assert ApiToken.objects.get().name == "BI service"
    assert api(key, CYCLES).status_code == 200


def test_create_api_token_refuses_an_unknown_or_deactivated_person_and_makes_nothing(employee):
    with pytest.raises(CommandError, match="Nobody signs in as"):
        call_command("create_api_token", "nobody@example.com", stdout=io.StringIO())
    employee.user.is_active = False
    employee.user.save()
    with pytest.raises(CommandError, match="deactivated"):
        call_command("create_api_token", employee.user.email, stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_a_token_reads_as_its_owners_role_of_the_moment(api, manager, org):
    from reports.services import rollup_cycle
    from surveys.models import Cycle
    from surveys.roles import Role, assign_role_groups

    rollup_cycle(cycle_id=Cycle.objects.create(name="2026-Q1", status=Cycle.Status.PUBLISHED).id)
    key = token_create(user=manager.user, name="script").key
    assert api(key, "/api/v1/cycles/2026-Q1/scorecards/").status_code == 200
    manager.role = Role.EMPLOYEE
    manager.save()
    assign_role_groups({manager.user.pk: Role.EMPLOYEE})  # as the org import does
    assert api(key, "/api/v1/cycles/2026-Q1/scorecards/").status_code == 403
