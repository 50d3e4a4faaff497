"""The org upload in the browser: the same validation as `import_org`, a preview of every change,
nothing written before HR confirms, and a confirmation that applies exactly what was previewed."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from hr.models import OrgUpload
from surveys.models import Department, Employee
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = "employee_id,email,full_name,department,role\n"


def org_file(*lines: str, name="org.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(line + "\n" for line in lines)).encode(), "text/csv")


def snapshot():
    return (
        sorted(User.objects.values_list("email", "full_name", "is_active", "is_staff")),
        sorted(Employee.objects.values_list("employee_id", "department__name", "role")),
        sorted(Department.objects.values_list("name", flat=True)),
        sorted(User.groups.through.objects.values_list("user__email", "group__name")),
    )


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr.user)
    return client


@pytest.fixture
def people(hr, org):
    """The org as it is: HR (E-HR), Ann in Sales, Bob in IT (to be deactivated)."""
    Employee.objects.filter(pk=hr.pk).update(employee_id="E-HR")
    User.objects.filter(pk=hr.user_id).update(full_name="Hana Ito")
    EmployeeFactory(employee_id="E1", department=org["sales"], user__email="ann@example.com", user__full_name="Ann Lee")
    EmployeeFactory(employee_id="E2", department=org["it"], user__email="bob@example.com", user__full_name="Bob Roe")


def current_file(*extra: str) -> SimpleUploadedFile:
    return org_file(
        "E-HR,hana@example.com,Hana Ito,Human Resources,hr",
        "E1,ann@example.com,Ann Lee-Park,IT,manager",  # renamed, moved, promoted
        *extra,
    )


def test_every_row_error_is_listed_with_its_row_number_and_nothing_is_written(hr_client, people):
    before = snapshot()
    response = hr_client.post(
        "/hr/org/",
        {
            "file": org_file(
                "E1,ann@example.com,Ann,Sales,employee",
                "E3,not-an-email,Cy,Sales,employee",
                "E1,x@example.com,,Sales,boss",
            )
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    rows = re.findall(r'<th scope="row" class="text-end fw-normal">(\d+)</th>', page)
    assert rows[:1] == ["3"] and "4" in rows
    assert "Nothing was changed" in page
    assert snapshot() == before and not OrgUpload.objects.exists()


def test_preview_shows_new_updated_deactivated_and_new_departments_and_changes_nothing(hr_client, people):
    before = snapshot()
    response = hr_client.post("/hr/org/", {"file": current_file("E9,zoe@example.com,Zoë Núñez,Légal,employee")})
    assert response.status_code == 302
    preview = hr_client.get(response.url).content.decode()
    assert "1 new</li>" in preview and "1 updated</li>" in preview and "1 deactivated</li>" in preview
    assert "Légal" in preview and "Zoë Núñez" in preview
    assert "department: Sales → IT" in preview and "role: Employee → Manager" in preview
    assert "name: Ann Lee → Ann Lee-Park" in preview
    assert re.search(r"Bob Roe</td><td>IT</td>", preview)
    assert snapshot() == before


def test_confirming_applies_the_previewed_file(hr_client, people):
    preview_url = hr_client.post("/hr/org/", {"file": current_file()}).url
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', hr_client.get(preview_url).content.decode()).group(1)
    # One of the three active people leaves (above 10 %): the number is typed to confirm.
    response = hr_client.post(preview_url, {"decision": "confirm", "digest": digest, "deactivations": "1"}, follow=True)
    assert "Org updated: 0 created, 1 updated, 0 reactivated, 1 deactivated" in response.content.decode()
    ann = Employee.objects.select_related("department", "user").get(employee_id="E1")
    assert (ann.department.name, ann.role, ann.user.full_name) == ("IT", Role.MANAGER, "Ann Lee-Park")
    assert list(ann.user.groups.values_list("name", flat=True)) == ["manager"]
    assert not User.objects.get(email="bob@example.com").is_active
    assert not OrgUpload.objects.exists()


def test_a_preview_that_went_stale_is_shown_again_and_nothing_is_written(hr_client, people, org):
    preview_url = hr_client.post("/hr/org/", {"file": current_file()}).url
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', hr_client.get(preview_url).content.decode()).group(1)
    # Meanwhile someone adds a person in the admin: the file would now also deactivate them.
    EmployeeFactory(employee_id="E7", department=org["sales"], user__full_name="Newly Added")
    before = snapshot()
    response = hr_client.post(preview_url, {"decision": "confirm", "digest": digest}, follow=True)
    page = response.content.decode()
    assert "changed since this preview" in page and "Newly Added" in page
    assert snapshot() == before


def test_a_tampered_digest_is_refused_as_stale(hr_client, people):
    preview_url = hr_client.post("/hr/org/", {"file": current_file()}).url
    before = snapshot()
    hr_client.post(preview_url, {"decision": "confirm", "digest": "0" * 64})
    assert snapshot() == before


def test_someone_elses_preview_cannot_be_seen_or_confirmed(client, hr_client, people, org):
    preview_url = hr_client.post("/hr/org/", {"file": current_file()}).url
    other_hr = EmployeeFactory(department=org["sales"], role=Role.HR, user__email="other-hr@example.com")
    client.force_login(other_hr.user)
    before = snapshot()
    response = client.post(preview_url, {"decision": "confirm", "digest": "x"}, follow=True)
    assert "expired or does not exist" in response.content.decode()
    assert snapshot() == before
    assert "expired or does not exist" in client.get(preview_url, follow=True).content.decode()


def test_discarding_removes_the_upload_and_changes_nothing(hr_client, people):
    preview_url = hr_client.post("/hr/org/", {"file": current_file()}).url
    before = snapshot()
    response = hr_client.post(preview_url, {"decision": "discard"}, follow=True)
    assert "nothing was changed" in response.content.decode()
    assert snapshot() == before and not OrgUpload.objects.exists()


def test_an_email_that_belongs_to_someone_outside_the_file_is_a_row_error(hr_client, people):
    response = hr_client.post(
        "/hr/org/",
        {"file": org_file("E-HR,hana@example.com,Hana,Human Resources,hr", "E5,bob@example.com,B,IT,employee")},
    )
    assert response.status_code == 400
    assert "row 3" not in response.content.decode()  # shown as a table, row number in its own cell
    assert "belongs to employee E2" in response.content.decode()


def test_employees_cannot_upload(client, employee):
    client.force_login(employee.user)
    assert client.post("/hr/org/", {"file": org_file()}).status_code == 403
    assert not OrgUpload.objects.exists()


def test_plan_digest_differs_when_the_database_differs(people, org):
    from surveys.importers import parse_org
    from surveys.services.org import org_plan

    rows = parse_org((HEADER + "E1,ann@example.com,Ann Lee,Sales,employee\n").encode()).data
    first = org_plan(rows).digest
    assert org_plan(rows).digest == first
    DepartmentFactory(name="Unrelated")  # no effect on the plan
    assert org_plan(rows).digest == first
    Employee.objects.filter(employee_id="E1").update(role=Role.MANAGER)
    assert org_plan(rows).digest != first


@pytest.mark.parametrize("size", [3, 150], ids=["three", "one-hundred-fifty"])
def test_preview_runs_a_fixed_number_of_queries_whatever_the_file_size(
    hr_client, hr, org, size, django_assert_num_queries
):
    Employee.objects.filter(pk=hr.pk).update(employee_id="E-HR")
    lines = [f"E-HR,hana@example.com,{hr.user.full_name},Human Resources,hr"]
    lines += [f"N{i},n{i}@example.com,New {i},Team {i % 7},employee" for i in range(size)]
    preview_url = hr_client.post("/hr/org/", {"file": org_file(*lines)}).url
    # The session with its user (one statement), permissions (user and group), the upload, then inside the plan's
    # savepoint (2): users with their employees and departments, departments.
    with django_assert_num_queries(8):
        response = hr_client.get(preview_url)
    assert f"New people ({size})" in response.content.decode()


# --- Mass deactivations and the person confirming ------------------------------------------------


@pytest.fixture
def big_org(people, org):
    """Twenty more people in Sales: with HR, Ann and Bob, 23 active."""
    for i in range(20):
        EmployeeFactory(employee_id=f"S{i:02}", department=org["sales"], user__email=f"s{i}@example.com")


def preview_digest(hr_client, file) -> tuple[str, str, str]:
    preview_url = hr_client.post("/hr/org/", {"file": file}).url
    page = hr_client.get(preview_url).content.decode()
    return preview_url, re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1), page


def active_count() -> int:
    return User.objects.filter(is_active=True, employee__isnull=False).count()


def test_a_file_that_deactivates_most_people_asks_for_their_number_typed(hr_client, big_org):
    preview_url, digest, page = preview_digest(hr_client, current_file())  # 2 rows: 21 of 23 leave
    assert "This file deactivates 21 of 23 active people (91 %)" in page
    assert 'name="deactivations"' in page and "type the number of people this deactivates" in page
    before = snapshot()
    # A bare confirm (the old one-click form, or a script) and a wrong number: refused, nothing written.
    for typed in (None, "", "2", "0", "twenty-one"):
        data = {"decision": "confirm", "digest": digest, **({"deactivations": typed} if typed is not None else {})}
        response = hr_client.post(preview_url, data)
        assert response.status_code == 400
        assert "type that number to confirm. Nothing was changed." in response.content.decode()
        assert snapshot() == before and OrgUpload.objects.exists()
    data = {"decision": "confirm", "digest": digest, "deactivations": "21"}
    response = hr_client.post(preview_url, data, follow=True)
    assert "21 deactivated" in response.content.decode()
    assert active_count() == 2


def test_a_few_deactivations_need_no_typed_number(hr_client, big_org):
    everyone_but_bob = [f"S{i:02},s{i}@example.com,Person {i},Sales,employee" for i in range(20)]
    preview_url, digest, page = preview_digest(hr_client, current_file(*everyone_but_bob))  # 1 of 23 leaves
    assert 'name="deactivations"' not in page
    hr_client.post(preview_url, {"decision": "confirm", "digest": digest})
    assert not User.objects.get(email="bob@example.com").is_active
    assert active_count() == 22


def test_an_upload_never_deactivates_the_person_confirming_it(hr_client, hr, people):
    # The file leaves HR (the uploader) out, and keeps Ann and Bob.
    file = org_file("E1,ann@example.com,Ann Lee,Sales,employee", "E2,bob@example.com,Bob Roe,IT,employee")
    preview_url, digest, page = preview_digest(hr_client, file)
    assert "an upload never deactivates the person confirming it" in page
    assert "Hana Ito (E-HR) stays active" in page
    assert "0 deactivated</li>" in page
    # A tampered POST (a typed count that would include them, a made-up field) changes nothing of that.
    data = {"decision": "confirm", "digest": digest, "deactivations": "1", "keep_active": ""}
    response = hr_client.post(preview_url, data, follow=True)
    assert "0 deactivated" in response.content.decode()
    hr.user.refresh_from_db()
    assert hr.user.is_active
    assert User.objects.get(email="ann@example.com").is_active and User.objects.get(email="bob@example.com").is_active


def test_import_org_command_still_deactivates_everyone_missing(people, hr, tmp_path):
    """Only the web upload protects its confirming person: the command has nobody signed in."""
    from django.core.management import call_command

    path = tmp_path / "org.csv"
    path.write_text(HEADER + "E1,ann@example.com,Ann Lee,Sales,employee\nE2,bob@example.com,Bob Roe,IT,employee\n")
    call_command("import_org", str(path), stdout=io.StringIO())
    hr.user.refresh_from_db()
    assert not hr.user.is_active
