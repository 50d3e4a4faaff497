"""accounts.backends: whichever backend signed a person in, the person comes back on each request
with their role and org record in one query (RoleLoadingMixin)."""

import pytest

from accounts.backends import PasswordBackend, RoleLoadingMixin, SingleSignOnBackend
from surveys import roles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("backend", [PasswordBackend, SingleSignOnBackend], ids=["password", "single-sign-on"])
def test_a_signed_in_person_is_read_with_role_and_department_in_one_query(backend, manager, django_assert_num_queries):
    # The user with the highest of their role groups, their department and employee record (1).
    with django_assert_num_queries(1):
        user = backend().get_user(manager.user.pk)
    with django_assert_num_queries(0):
        assert user == manager.user
        assert roles.can_see_own_department(user) and not roles.can_see_dashboards(user)
        assert roles.own_department_id(user) == manager.department_id
        assert user.chain_survey_employee_key == manager.employee_id


@pytest.mark.parametrize("backend", [PasswordBackend, SingleSignOnBackend], ids=["password", "single-sign-on"])
def test_a_deactivated_or_unknown_person_is_nobody(backend, employee, django_assert_num_queries):
    employee.user.is_active = False
    employee.user.save()
    assert backend().get_user(employee.user.pk) is None
    with django_assert_num_queries(1):
        assert backend().get_user(employee.user.pk + 1000) is None


def test_every_sign_in_backend_takes_its_get_user_from_the_mixin():
    assert PasswordBackend.get_user is RoleLoadingMixin.get_user
    assert SingleSignOnBackend.get_user is RoleLoadingMixin.get_user  # not mozilla-django-oidc's own
