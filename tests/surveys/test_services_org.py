"""surveys.services.org.org_import: people, departments, roles and accounts in line with the org file."""

import pytest
from django.contrib.auth import get_user_model

from surveys.importers import ImportRejected, parse_org
from surveys.models import Department, Employee
from surveys.services.org import org_import
from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = "employee_id,email,full_name,department,role\n"


def rows(*lines: str):
    parsed = parse_org((HEADER + "".join(line + "\n" for line in lines)).encode())
    assert parsed.ok, parsed.errors
    return parsed.data


def person(employee_id: str) -> Employee:
    return Employee.objects.select_related("user", "department").get(employee_id=employee_id)


def groups_of(employee_id: str) -> list[str]:
    return list(person(employee_id).user.groups.values_list("name", flat=True))


def snapshot():
    return (
        sorted(User.objects.values_list("email", "full_name", "is_active", "is_staff")),
        sorted(Employee.objects.values_list("employee_id", "department__name", "role")),
        sorted(Department.objects.values_list("name", "slug")),
        sorted(User.groups.through.objects.values_list("user__email", "group__name")),
    )


def test_first_import_creates_departments_people_accounts_and_role_groups():
    summary = org_import(
        rows(
            "E1,Ann.Lee@Example.com,Ann Lee,Executive Office,executive",
            "E2,bob@example.com,Bob Roe,Sales,manager",
            "E3,cy@example.com,Cy Doe,Human Resources,hr",
            "E4,dee@example.com,Dee Poe,sales,employee",
        ),
        dry_run=False,
    )
    assert (summary.created, summary.updated, summary.deactivated) == (4, 0, 0)
    assert summary.new_departments == ["Executive Office", "Sales", "Human Resources"]
    ann = person("E1")
    assert ann.user.email == "ann.lee@example.com" and ann.user.full_name == "Ann Lee"
    assert not ann.user.has_usable_password()
    assert ann.department.is_executive_office and ann.department.slug == "executive-office"
    assert person("E4").department == person("E2").department  # "sales" is "Sales"
    assert groups_of("E2") == ["manager"] and groups_of("E3") == ["hr"]
    assert person("E3").user.is_staff and not person("E1").user.is_staff
    assert person("E3").user.has_perm("surveys.export_results")


def test_new_department_slug_gets_a_suffix_when_taken():
    DepartmentFactory(name="R&D (old)", slug="rd")
    org_import(rows("E1,ann@example.com,Ann,R&D,employee", "E2,bob@example.com,Bob,RD,employee"), dry_run=False)
    assert person("E1").department.slug == "rd-2"
    assert person("E2").department.slug == "rd-3"


def test_reimport_updates_people_by_employee_id_and_moves_their_role_group():
    org_import(rows("E1,ann@example.com,Ann Lee,Sales,hr", "E2,bob@example.com,Bob,Sales,employee"), dry_run=False)
    summary = org_import(
        rows("E1,ann.roe@example.com,Ann Roe,IT,manager", "E2,bob@example.com,Bob,Sales,employee"), dry_run=False
    )
    assert (summary.created, summary.updated, summary.unchanged, summary.new_departments) == (0, 1, 1, ["IT"])
    ann = person("E1")
    assert (ann.user.email, ann.user.full_name, ann.department.name, ann.role) == (
        "ann.roe@example.com",
        "Ann Roe",
        "IT",
        "manager",
    )
    assert groups_of("E1") == ["manager"]
    assert not ann.user.is_staff
    assert User.objects.count() == 2


def test_people_missing_from_the_file_are_deactivated_and_come_back_when_they_reappear():
    org_import(rows("E1,ann@example.com,Ann,Sales,employee", "E2,bob@example.com,Bob,Sales,employee"), dry_run=False)
    summary = org_import(rows("E1,ann@example.com,Ann,Sales,employee"), dry_run=False)
    assert summary.deactivated == 1
    assert not person("E2").user.is_active
    assert Employee.objects.count() == 2  # never deleted

    summary = org_import(
        rows("E1,ann@example.com,Ann,Sales,employee", "E2,bob@example.com,Bob,IT,employee"), dry_run=False
    )
    assert (summary.reactivated, summary.updated, summary.deactivated) == (1, 0, 0)
    assert person("E2").user.is_active and person("E2").department.name == "IT"


def test_email_of_a_person_not_in_the_file_is_a_row_error_and_writes_nothing():
    EmployeeFactory(employee_id="E9", user__email="ann@example.com")
    before = snapshot()
    with pytest.raises(ImportRejected) as rejected:
        org_import(
            rows("E1,bob@example.com,Bob,Sales,employee", "E2,ANN@example.com,Ann,Sales,employee"), dry_run=False
        )
    assert [str(e) for e in rejected.value.errors] == [
        "row 3: email ann@example.com belongs to employee E9, who is not in this file: "
        "an email can sign in only one person"
    ]
    assert snapshot() == before


def test_people_of_the_file_may_swap_emails():
    org_import(rows("E1,ann@example.com,Ann,Sales,employee", "E2,bob@example.com,Bob,Sales,employee"), dry_run=False)
    org_import(rows("E1,bob@example.com,Ann,Sales,employee", "E2,ann@example.com,Bob,Sales,employee"), dry_run=False)
    assert person("E1").user.email == "bob@example.com" and person("E2").user.email == "ann@example.com"


def test_an_account_that_is_nobody_in_the_org_becomes_the_person_with_its_email():
    admin = UserFactory(email="Ann@example.com", is_superuser=True, is_staff=True)
    org_import(rows("E1,ann@example.com,Ann Lee,Sales,employee"), dry_run=False)
    ann = person("E1")
    assert ann.user == admin
    assert ann.user.has_usable_password() and ann.user.is_staff  # a superuser keeps the admin site


def test_existing_person_cannot_take_the_email_of_an_account_outside_the_org():
    org_import(rows("E1,ann@example.com,Ann,Sales,employee"), dry_run=False)
    UserFactory(email="boss@example.com")
    with pytest.raises(ImportRejected, match=r"row 2: email boss@example\.com belongs to another account"):
        org_import(rows("E1,boss@example.com,Ann,Sales,employee"), dry_run=False)


def test_dry_run_reports_the_changes_and_writes_nothing():
    org_import(rows("E1,ann@example.com,Ann,Sales,employee", "E2,bob@example.com,Bob,Sales,employee"), dry_run=False)
    before = snapshot()
    summary = org_import(
        rows("E1,ann@example.com,Ann,Legal,manager", "E3,cy@example.com,Cy,Sales,employee"), dry_run=True
    )
    assert (summary.created, summary.updated, summary.deactivated, summary.new_departments) == (1, 1, 1, ["Legal"])
    assert summary.dry_run
    assert snapshot() == before


def _org_lines(count: int, *, offset: int = 0) -> list[str]:
    roles = ["employee", "manager", "executive", "hr"]
    return [f"E{i},p{i}@example.com,Person {i},Department {i % 7 + offset},{roles[i % 4]}" for i in range(count)]


@pytest.mark.parametrize("count", [3, 60])
def test_org_import_runs_a_fixed_number_of_queries_whatever_the_file_size(count, django_assert_num_queries):
    # First import: 1 SAVEPOINT, 1 departments, 1 users+employees, 1 new departments, 1 users,
    # 1 employees, 1 role groups, 1 current memberships, 1 new memberships, 1 RELEASE.
    with django_assert_num_queries(10):
        org_import(rows(*_org_lines(count)), dry_run=False)
    # Re-import where everybody moves to a new department and E0 leaves: SAVEPOINT, departments,
    # users, new departments, users (E0 deactivated), employees, role groups, memberships, RELEASE.
    with django_assert_num_queries(9):
        org_import(rows(*_org_lines(count, offset=10)[1:]), dry_run=False)
    assert not Employee.objects.exclude(employee_id="E0").exclude(department__name__gte="Department 10").exists()
    assert not person("E0").user.is_active
