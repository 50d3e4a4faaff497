"""Identity changes (accounts.identity): HR changes a person's email to an address HR reads, then
uses "Set your password" to sign in as them. Whatever way the address changes (the people admin,
the accounts admin, the HR upload of the org file, `import_org`), the change ends the person's
sessions, voids the password-set links sent before, deletes their unsubmitted draft, tells the old
address, and is logged where HR can read it and nobody can change or delete it. Nobody sets a
password in the admin, and no draft is readable there."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.identity import EmailChange, identity_change, sessions_end
from accounts.models import IdentityChange, Session
from surveys.models import Draft, Employee
from surveys.roles import Role
from surveys.services.survey import IdentityChanged, draft_save
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

PATHS = ["people_admin", "accounts_admin", "org_upload", "import_org"]
NEW = "hana.reads.this@example.com"
CANARY = "CANARY-named-draft-answer"


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def ann(org, open_cycle):
    """Ann, in Sales, half-way through her survey, signed in (a real session) on her own client."""
    person = EmployeeFactory(
        employee_id="E1", department=org["sales"], user__email="ann@example.com", user__full_name="Ann Lee"
    )
    Draft.objects.create(
        employee=person, cycle=open_cycle, providers=[org["it"].pk], answers={str(org["it"].pk): {"comment": CANARY}}
    )
    return person


@pytest.fixture
def ann_client(ann):
    client = Client()
    client.force_login(ann.user)
    assert client.get("/survey/").status_code == 200
    return client


@pytest.fixture
def bob(org, open_cycle):
    """Bob, whose address does not change: his session and draft stay."""
    person = EmployeeFactory(employee_id="E2", department=org["it"], user__email="bob@example.com")
    Draft.objects.create(employee=person, cycle=open_cycle, providers=[org["sales"].pk])
    return person


def _org_file(new_email: str) -> bytes:
    lines = ["employee_id,email,full_name,department,role"]
    for person in Employee.objects.select_related("user", "department").order_by("employee_id"):
        email = new_email if person.employee_id == "E1" else person.user.email
        lines.append(f"{person.employee_id},{email},{person.user.full_name},{person.department.name},{person.role}")
    return ("\n".join(lines) + "\n").encode()


def change_email(path: str, *, person: Employee, new_email: str, hr, superuser, tmp_path, capture) -> User | None:
    """Change `person`'s address through `path`, running what waits for the commit; returns who did it."""
    with capture(execute=True):
        if path == "people_admin":
            client = Client()
            client.force_login(hr.user)
            response = client.post(
                f"/admin/surveys/employee/{person.pk}/change/",
                {
                    "employee_id": person.employee_id,
                    "full_name": person.user.full_name,
                    "email": new_email,
                    "department": person.department_id,
                    "role": person.role,
                },
            )
            assert response.status_code == 302, response.content.decode()[:3000]
            return hr.user
        if path == "accounts_admin":
            client = Client()
            client.force_login(superuser)
            user = person.user
            response = client.post(
                f"/admin/accounts/user/{user.pk}/change/",
                {
                    "email": new_email,
                    "full_name": user.full_name,
                    "is_active": "on",
                    "groups": list(user.groups.values_list("pk", flat=True)),
                },
            )
            assert response.status_code == 302, response.content.decode()[:3000]
            return superuser
        if path == "org_upload":
            client = Client()
            client.force_login(hr.user)
            upload = SimpleUploadedFile("org.csv", _org_file(new_email), "text/csv")
            preview = client.post("/hr/org/", {"file": upload})
            assert preview.status_code == 302, preview.content.decode()[:3000]
            page = client.get(preview.url).content.decode()
            assert "changes the sign-in address of 1 person" in page
            digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
            done = client.post(preview.url, {"decision": "confirm", "digest": digest})
            assert done.status_code == 302
            return hr.user
        if path == "import_org":
            file = tmp_path / "org.csv"
            file.write_bytes(_org_file(new_email))
            call_command("import_org", str(file))
            return None
    raise AssertionError(path)


@pytest.fixture
def change(hr, superuser, tmp_path, django_capture_on_commit_callbacks):
    def run(path, person, new_email=NEW):
        return change_email(
            path,
            person=person,
            new_email=new_email,
            hr=hr,
            superuser=superuser,
            tmp_path=tmp_path,
            capture=django_capture_on_commit_callbacks,
        )

    return run


def _sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


# --- each consequence, on every path -------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_an_email_change_ends_every_session_of_that_person_and_no_one_elses(change, ann, ann_client, bob, path):
    bob_client = Client()
    bob_client.force_login(bob.user)
    assert _sessions_of(ann.user) == 1
    change(path, ann)
    assert _sessions_of(ann.user) == 0
    response = ann_client.get("/survey/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _sessions_of(bob.user) == 1 and bob_client.get("/survey/").status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_a_password_set_link_sent_before_the_change_no_longer_works(client, change, ann, path):
    uid = urlsafe_base64_encode(force_bytes(ann.user.pk))
    old_token = default_token_generator.make_token(ann.user)
    assert default_token_generator.check_token(ann.user, old_token)
    change(path, ann)
    ann.user.refresh_from_db()
    assert ann.user.email == NEW
    assert not default_token_generator.check_token(ann.user, old_token)
    # Through the web: the old link is "no longer valid", and its form cannot set a password.
    page = client.get(f"/accounts/reset/{uid}/{old_token}/", follow=True).content.decode()
    assert "This link is no longer valid" in page and "Save my password" not in page
    response = client.post(
        f"/accounts/reset/{uid}/set-password/",
        {"new_password1": "Another-Pass-2026", "new_password2": "Another-Pass-2026"},
    )
    ann.user.refresh_from_db()
    assert not ann.user.check_password("Another-Pass-2026")
    assert response.status_code == 200
    # A link made now, to the new address, works: the person (whoever reads it) can sign in again.
    assert default_token_generator.check_token(ann.user, default_token_generator.make_token(ann.user))


@pytest.mark.parametrize("path", PATHS)
def test_the_unsubmitted_draft_is_deleted_and_others_are_kept(change, ann, bob, path):
    change(path, ann)
    assert not Draft.objects.filter(employee=ann).exists()
    assert Draft.objects.filter(employee=bob).exists()


@pytest.mark.parametrize("path", PATHS)
def test_the_new_address_signs_in_to_an_empty_survey(change, ann, path):
    """The attack itself: whoever reads the new address sets a password and signs in as Ann, and
    finds nothing she had written."""
    change(path, ann)
    mail.outbox.clear()
    client = Client()
    client.post("/accounts/password_reset/", {"email": NEW})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": "Hana-Owns-It-2026", "new_password2": "Hana-Owns-It-2026"}
    )
    assert client.login(username=NEW, password="Hana-Owns-It-2026")
    page = client.get("/survey/").content.decode()
    assert CANARY not in page
    assert "Which departments" in page or "departments" in page  # back at the screener: nothing kept


@pytest.mark.parametrize("path", PATHS)
def test_the_old_address_is_told_who_changed_it_and_to_what(change, ann, path):
    mail.outbox.clear()
    by = change(path, ann)
    told = [m for m in mail.outbox if m.to == ["ann@example.com"]]
    assert len(told) == 1, [m.to for m in mail.outbox]
    body = told[0].body
    assert "ann@example.com" in body and NEW in body
    assert "signed out" in body and "no longer works" in body and "deleted" in body
    if by is not None:
        assert by.email in body
    assert CANARY not in body
    html = told[0].alternatives[0][0]
    assert NEW in html


@pytest.mark.parametrize("path", PATHS)
def test_the_change_is_logged_with_who_when_how_and_old_to_new(change, ann, path):
    by = change(path, ann)
    entry = IdentityChange.objects.get()
    assert (entry.user_id, entry.old_email, entry.new_email) == (ann.user_id, "ann@example.com", NEW)
    assert entry.via == path
    assert entry.changed_by == by and entry.changed_by_email == (by.email if by else "")
    assert entry.changed_at is not None and entry.old_address_notified_at is not None


def test_nothing_happens_when_the_address_stays_the_same(
    client, hr, ann, ann_client, django_capture_on_commit_callbacks
):
    client.force_login(hr.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/surveys/employee/{ann.pk}/change/",
            {
                "employee_id": "E1",
                "full_name": "Ann Lee-Park",
                "email": "ann@example.com",
                "department": ann.department_id,
                "role": Role.EMPLOYEE,
            },
        )
    assert not IdentityChange.objects.exists() and not mail.outbox
    assert Draft.objects.filter(employee=ann).exists() and ann_client.get("/survey/").status_code == 200


def test_a_dry_run_changes_nothing(ann, ann_client, tmp_path, django_capture_on_commit_callbacks):
    file = tmp_path / "org.csv"
    file.write_bytes(_org_file(NEW))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_org", str(file), "--dry-run")
    assert not IdentityChange.objects.exists() and not mail.outbox
    assert Draft.objects.filter(employee=ann).exists() and _sessions_of(ann.user) == 1


def test_people_of_the_file_who_swap_addresses_are_each_logged_and_told(
    ann, bob, tmp_path, django_capture_on_commit_callbacks
):
    file = tmp_path / "org.csv"
    file.write_text(
        "employee_id,email,full_name,department,role\n"
        f"E1,bob@example.com,Ann Lee,Sales,employee\nE2,ann@example.com,{bob.user.full_name},IT,employee\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_org", str(file))
    assert sorted(IdentityChange.objects.values_list("old_email", "new_email")) == [
        ("ann@example.com", "bob@example.com"),
        ("bob@example.com", "ann@example.com"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert not Draft.objects.exists()


def test_hr_changing_their_own_address_is_signed_out_too(client, hr, django_capture_on_commit_callbacks):
    client.force_login(hr.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/surveys/employee/{hr.pk}/change/",
            {
                "employee_id": hr.employee_id,
                "full_name": hr.user.full_name,
                "email": "hana.new@example.com",
                "department": hr.department_id,
                "role": Role.HR,
            },
        )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302  # to the admin's sign-in
    assert IdentityChange.objects.get().changed_by == hr.user


# --- what the log and the notices withstand --------------------------------------------------


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("mail server down")

    def close(self):
        pass

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_refused_notice_leaves_the_change_done_and_the_log_saying_the_old_address_was_not_told(
    settings, change, ann, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with caplog.at_level(logging.WARNING, logger="accounts.identity"):
        change("people_admin", ann)
    entry = IdentityChange.objects.get()
    assert entry.old_address_notified_at is None
    assert not Draft.objects.filter(employee=ann).exists()
    assert "1 of 1 not sent" in caplog.text and "ann@example.com" not in caplog.text


@pytest.mark.parametrize("who", ["hr", "superuser"])
def test_the_log_is_read_only_for_hr_and_superusers_alike(client, request, change, ann, who):
    change("people_admin", ann)
    entry = IdentityChange.objects.get()
    client.force_login(request.getfixturevalue(who).user if who == "hr" else request.getfixturevalue("superuser"))
    listing = client.get("/admin/accounts/identitychange/")
    assert listing.status_code == 200 and NEW in listing.content.decode()
    assert client.get(f"/admin/accounts/identitychange/{entry.pk}/change/").status_code == 200  # a read-only view
    assert client.get("/admin/accounts/identitychange/add/").status_code == 403
    assert client.post("/admin/accounts/identitychange/add/", {"old_email": "x@example.com"}).status_code == 403
    assert (
        client.post(f"/admin/accounts/identitychange/{entry.pk}/change/", {"new_email": "x@example.com"}).status_code
        == 403
    )
    assert client.get(f"/admin/accounts/identitychange/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/identitychange/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/accounts/identitychange/", {"action": "delete_selected", "_selected_action": [entry.pk]}, follow=True
    )
    assert bulk.status_code == 200
    entry.refresh_from_db()
    assert entry.new_email == NEW and IdentityChange.objects.count() == 1


def test_no_permission_to_write_the_log_exists_to_be_granted():
    from django.contrib.auth.models import Permission

    assert set(
        Permission.objects.filter(content_type__app_label="accounts", codename__endswith="identitychange").values_list(
            "codename", flat=True
        )
    ) == {"view_identitychange"}


def test_hr_reads_the_log_but_managers_and_employees_cannot(client, change, ann, manager, employee):
    change("people_admin", ann)
    for person in (manager, employee):
        client.force_login(person.user)
        response = client.get("/admin/accounts/identitychange/")
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


# --- the admin sets no password, and shows no draft ----------------------------------------------


def test_a_superuser_cannot_set_anyones_password_in_the_admin(client, superuser, ann):
    client.force_login(superuser)
    before = ann.user.password
    url = f"/admin/accounts/user/{ann.user_id}/password/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "Root-Knows-It-2026", "password2": "Root-Knows-It-2026"})
    assert response.status_code == 403
    ann.user.refresh_from_db()
    assert ann.user.password == before
    page = client.get(f"/admin/accounts/user/{ann.user_id}/change/").content.decode()
    assert "/password/" not in page and 'name="password' not in page


def test_an_account_added_in_the_admin_has_no_password(client, superuser):
    client.force_login(superuser)
    page = client.get("/admin/accounts/user/add/").content.decode()
    assert 'name="password1"' not in page and 'name="usable_password"' not in page
    response = client.post(
        "/admin/accounts/user/add/", {"email": "New.Admin@Example.com", "full_name": "New Admin", "_save": "Save"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = User.objects.get(email="new.admin@example.com")
    assert not added.has_usable_password()


@pytest.mark.parametrize("who", ["hr", "superuser"])
def test_no_draft_is_readable_in_the_admin(client, request, ann, who):
    user = request.getfixturevalue("hr").user if who == "hr" else request.getfixturevalue("superuser")
    client.force_login(user)
    assert Draft not in admin.site._registry
    assert client.get("/admin/surveys/draft/").status_code == 404
    pages = [
        "/admin/",
        "/admin/surveys/",
        "/admin/surveys/employee/",
        f"/admin/surveys/employee/{ann.pk}/change/",
        f"/admin/surveys/employee/{ann.pk}/history/",
        "/admin/surveys/participation/",
        "/admin/accounts/identitychange/",
    ]
    if who == "superuser":
        pages += [f"/admin/accounts/user/{ann.user_id}/change/", "/admin/accounts/user/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.content.decode(), url


# --- the session hash and the draft save race ----------------------------------------------------


def test_a_session_the_deletion_missed_is_refused_because_it_signed_in_under_the_old_address(ann, ann_client):
    # Written behind the service's back: no session is deleted, yet the session's hash no longer matches.
    User.objects.filter(pk=ann.user_id).update(email="elsewhere@example.com")
    response = ann_client.get("/survey/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_draft_save_that_waited_for_the_change_refuses_instead_of_writing_a_draft(ann, open_cycle, org):
    # The request read Ann with her old address; the change committed before its save ran.
    seen = Employee.objects.select_related("user").get(pk=ann.pk)
    User.objects.filter(pk=ann.user_id).update(email=NEW)
    identity_change(changes=[EmailChange(ann.user_id, "ann@example.com", NEW)], via=IdentityChange.Via.IMPORT_ORG)
    with pytest.raises(IdentityChanged):
        draft_save(employee=seen, cycle=open_cycle, providers=[org["sales"].pk])
    assert not Draft.objects.filter(employee=ann).exists()


def test_sessions_end_costs_one_statement_whatever_the_number_of_people(
    ann, ann_client, bob, django_assert_num_queries
):
    others = [EmployeeFactory(department=ann.department) for _ in range(20)]
    for person in [*others, bob]:
        Client().force_login(person.user)
    # one delete by the sessions' person column (accounts.sessions)
    with django_assert_num_queries(1):
        ended = sessions_end(user_ids={ann.user_id, *(p.user_id for p in others)})
    assert ended == 21 and _sessions_of(bob.user) == 1 and _sessions_of(ann.user) == 0


def test_an_identity_change_of_many_people_costs_a_fixed_number_of_queries(
    org, open_cycle, django_assert_num_queries, django_capture_on_commit_callbacks
):
    def changes(count, start):
        people = [EmployeeFactory(department=org["sales"]) for _ in range(count)]
        return [EmailChange(p.user_id, p.user.email, f"moved{start + i}@example.com") for i, p in enumerate(people)]

    # SAVEPOINT, the sessions' delete, SAVEPOINT, the cycle lock, drafts delete,
    # RELEASE, the log insert, RELEASE
    few, many = changes(2, 0), changes(30, 100)
    with django_assert_num_queries(8):
        identity_change(changes=few, via=IdentityChange.Via.IMPORT_ORG)
    with django_assert_num_queries(8):
        identity_change(changes=many, via=IdentityChange.Via.IMPORT_ORG)


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_draft_save_racing_an_identity_change_waits_and_writes_no_draft(org):
    """The change has written the new address and deleted the draft (holding the cycle lock), not
    yet committed; a save from the person's old session arrives. It must wait, then refuse: a draft
    written now would be there for whoever reads the new address."""
    import threading

    from django.db import connections, transaction

    from tests.factories import OpenCycleFactory
    from tests.machine_services import require_postgresql

    require_postgresql()
    cycle = OpenCycleFactory(name="2026-Q4")
    person = EmployeeFactory(department=org["sales"], user__email="ann@example.com")
    Draft.objects.create(employee=person, cycle=cycle, providers=[org["it"].pk])
    seen = Employee.objects.select_related("user").get(pk=person.pk)  # as the old session read her
    changed, release = threading.Event(), threading.Event()
    outcome = []

    def change():
        try:
            with transaction.atomic():
                User.objects.filter(pk=person.user_id).update(email=NEW)
                identity_change(
                    changes=[EmailChange(person.user_id, "ann@example.com", NEW)], via=IdentityChange.Via.IMPORT_ORG
                )
                changed.set()
                release.wait(timeout=15)  # commit only once the save is queued behind us
        finally:
            connections.close_all()

    def save():
        try:
            changed.wait(timeout=15)
            draft_save(employee=seen, cycle=cycle, answers={(org["it"].pk, "courtesy"): 1})
            outcome.append("saved")
        except IdentityChanged:
            outcome.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    changed.wait(timeout=15)
    waited = _wait_until_blocked_on_a_lock()
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert waited, "the draft save did not wait for the identity change's lock"
    assert outcome == ["refused"]
    assert not Draft.objects.exists()


def _wait_until_blocked_on_a_lock(timeout=10.0):
    """Until another connection of this test database waits for a lock (PostgreSQL)."""
    import time

    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False
