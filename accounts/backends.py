"""Authentication backends: the sign-in throttle (django-axes), usable without a request, and the
password sign-in; every sign-in backend reads a person with their role (RoleLoadingMixin)."""

import functools

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, F, OuterRef, Subquery, Value, When


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out (email, address) pair before any password is checked.

    Axes raises when `authenticate()` is called without a request; Django's test client and
    scripts do that, and there is no client address to throttle then, so we let the password
    backend decide. Every sign-in form of the app passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RoleLoadingMixin:
    """Reads the signed-in person with their role and their org-file record (employee id,
    department, role in the org) in one query, for every sign-in backend (password today, single
    sign-on next): Django asks the backend that signed a person in for them on every request.

    Every report page asks for the role and a department page for the department
    (`surveys.roles`), and each step of the survey for the employee record
    (`surveys.selectors.employee_for_user`): reading them with the user saves two queries per
    request. Roles are cumulative, so the highest of a person's role groups decides. A backend
    using it provides `user_can_authenticate` (every Django backend does).
    """

    def get_user(self, user_id):
        # A raw query from SQL compiled once per process: compiling the subquery at each request
        # cost more than running it.
        sql, params = _user_with_role_sql()
        found = list(get_user_model()._default_manager.raw(sql, [user_id if p == _ANY_ID else p for p in params]))
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None


class PasswordBackend(RoleLoadingMixin, ModelBackend):
    """Django's password sign-in; the signed-in person is read with their role (RoleLoadingMixin)."""


_ANY_ID = -7_319_004_211  # stands for the user id in the compiled SQL's parameters


@functools.cache
def _user_with_role_sql() -> tuple[str, tuple]:
    from django.contrib.auth.models import Group

    from surveys.roles import Role

    rank = Case(*(When(name=role, then=Value(index)) for index, role in enumerate(Role.values)))
    highest = Group.objects.filter(user=OuterRef("pk"), name__in=Role.values).order_by(-rank).values("name")[:1]
    query = (
        get_user_model()
        ._default_manager.annotate(
            chain_survey_role=Subquery(highest),
            chain_survey_department=F("employee__department_id"),
            chain_survey_employee=F("employee__id"),
            chain_survey_employee_key=F("employee__employee_id"),
            chain_survey_org_role=F("employee__role"),
        )
        .filter(pk=_ANY_ID)
        .query
    )
    sql, params = query.sql_with_params()
    assert params.count(_ANY_ID) == 1, params
    return sql, params
