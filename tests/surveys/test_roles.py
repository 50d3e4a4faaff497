"""surveys.roles.top_of_company: the departments holding an executive."""

from surveys.models import Employee
from surveys.roles import Role, top_of_company
from tests.factories import EmployeeFactory


def test_the_top_of_the_company_is_every_department_holding_an_executive_and_only_those():
    members = [
        (1, Role.EXECUTIVE),
        (1, Role.EMPLOYEE),
        (2, Role.MANAGER),
        (3, Role.HR),
        (4, Role.EMPLOYEE),
        (5, Role.EXECUTIVE),
        (5, Role.EXECUTIVE),
    ]

    assert top_of_company(members) == frozenset({1, 5})


def test_the_top_of_the_company_is_empty_without_executives():
    assert top_of_company([]) == frozenset()
    assert top_of_company([(1, Role.MANAGER), (2, Role.EMPLOYEE)]) == frozenset()


def test_the_top_of_the_company_reads_the_org_as_the_org_file_made_it(org, executive, manager, hr):
    # An executive seconded to Sales puts Sales at the top too; a deactivated one counts for nobody.
    seconded = EmployeeFactory(department=org["sales"], role=Role.EXECUTIVE)
    EmployeeFactory(department=org["it"], role=Role.EXECUTIVE, user__is_active=False)

    active = Employee.objects.active().values_list("department_id", "role")

    assert top_of_company(active) == frozenset({org["executive_office"].pk, seconded.department_id})
