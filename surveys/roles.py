"""Roles of the org file, mapped to Django groups and permissions.

Each role is a group of the same name; a person is in exactly one. Rights are cumulative
(hr ⊃ executive ⊃ manager ⊃ employee), so each group holds its role's permissions and those below.
"""

from collections.abc import Hashable, Iterable

from django.db.models import TextChoices


class Role(TextChoices):
    EMPLOYEE = "employee", "Employee"
    MANAGER = "manager", "Manager"
    EXECUTIVE = "executive", "Executive"
    HR = "hr", "HR"


# Roles that are their department's management: they do not rate it (they are it).
MANAGEMENT_ROLES = frozenset({Role.MANAGER, Role.EXECUTIVE})

# Roles that may use the admin site (HR manages cycles and the org there).
STAFF_ROLES = frozenset({Role.HR})


def top_of_company(members: Iterable[tuple[Hashable, str]]) -> frozenset:
    """The top of the company: the departments holding an executive, from (department, role) pairs
    of the people to count, e.g. `Employee.objects.active().values_list("department_id", "role")`.

    Usually the Executive Office alone, but it is whoever the org file makes executives, wherever
    they sit (a department flagged `is_executive_office` with no executive in it is not the top).
    """
    return frozenset(department for department, role in members if role == Role.EXECUTIVE)


VIEW_OWN_DEPARTMENT = "surveys.view_own_department_results"
VIEW_ALL_RESULTS = "surveys.view_all_results"
EXPORT_RESULTS = "surveys.export_results"
MANAGE_CYCLES = "surveys.manage_cycles"
MANAGE_ORG = "surveys.change_employee"  # uploading the org file creates, changes and deactivates people

_ADMIN_MODEL_PERMS = [
    f"surveys.{action}_{model}" for model in ("department", "employee", "cycle") for action in ("view", "add", "change")
] + [
    "surveys.view_dimension",
    "surveys.change_dimension",
    "surveys.view_participation",
    "reports.view_rolluprun",
    "invitations.view_notice",
    # Training: HR edits and adds modules (retires them with `is_active`, never deletes); commitments
    # are listed read-only. Nobody gets training completions: a person's marks are theirs alone.
    "actions.view_trainingmodule",
    "actions.add_trainingmodule",
    "actions.change_trainingmodule",
    "actions.view_commitment",
    # The identity change log: HR reads it; nobody adds, changes or deletes a row (no such permission exists).
    "accounts.view_identitychange",
    # Sign-in lockouts (django-axes): HR sees them and unlocks by deleting the record.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.EMPLOYEE: [],
    Role.MANAGER: [VIEW_OWN_DEPARTMENT],
    Role.EXECUTIVE: [VIEW_OWN_DEPARTMENT, VIEW_ALL_RESULTS],
    Role.HR: [VIEW_OWN_DEPARTMENT, VIEW_ALL_RESULTS, EXPORT_RESULTS, MANAGE_CYCLES, *_ADMIN_MODEL_PERMS],
}


def sync_role_groups(**kwargs):
    """Create one group per role holding exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={name.split(".", 1)[1] for name in wanted}
        )
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[name] for name in perms if name in by_name])


def is_staff_for(role: str, *, is_superuser: bool = False) -> bool:
    """Whether a person of that role gets the admin site (superusers always keep it)."""
    return role in STAFF_ROLES or is_superuser


def assign_role_groups(role_of_user: dict[int, str]) -> None:
    """Put each user in exactly one role group, that of their role (four queries at most).

    Groups that are not roles (made by hand in the admin) are left alone.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    if not role_of_user:
        return
    through = get_user_model().groups.through
    groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    if len(groups) < len(Role.values):
        sync_role_groups()
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    wanted = {(user_id, groups[role]) for user_id, role in role_of_user.items()}
    current = {
        (user_id, group_id): pk
        # Filtered here rather than in SQL: an org of thousands would exceed SQLite's variable limit.
        for pk, user_id, group_id in through.objects.filter(group_id__in=groups.values()).values_list(
            "pk", "user_id", "group_id"
        )
        if user_id in role_of_user
    }
    stale = [pk for pair, pk in current.items() if pair not in wanted]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    missing = [through(user_id=u, group_id=g) for u, g in wanted if (u, g) not in current]
    if missing:
        through.objects.bulk_create(missing)


# ---- Who may see which results (the dashboards and department pages read these) ----
# Decided from the person's role groups (one light query, remembered on the user object for the
# request) rather than `has_perm`, which loads every permission of the user and their groups (two
# joined queries) on each page view: the groups hold exactly ROLE_PERMISSIONS (sync_role_groups).


def _roles(user) -> frozenset[str]:
    cached = getattr(user, "_chain_survey_roles", None)
    if cached is None and hasattr(user, "chain_survey_role"):
        # Read with the user by accounts.backends.PasswordBackend: their highest role, which holds
        # every permission of the lower ones.
        cached = frozenset({user.chain_survey_role} - {None})
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._chain_survey_roles = cached
    return cached


def _role_may(user, permission: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return any(permission in ROLE_PERMISSIONS.get(role, ()) for role in _roles(user))


def can_see_dashboards(user) -> bool:
    """Executives and HR: the company dashboard and every department's scorecard."""
    return _role_may(user, VIEW_ALL_RESULTS)


def can_download_results(user) -> bool:
    """HR: every scorecard file, the CSV for BI tools included."""
    return _role_may(user, EXPORT_RESULTS)


def can_download_books(user) -> bool:
    """Executives and HR: the scorecard workbook and the all-departments PDF, which hold what their
    pages show (the CSV, for BI tools, stays HR's export)."""
    return can_see_dashboards(user)


def can_see_own_department(user) -> bool:
    """Managers (and everyone above them): their own department's scorecard."""
    return _role_may(user, VIEW_OWN_DEPARTMENT)


def own_department_id(user) -> int | None:
    """The signed-in person's department, or None for an account that is nobody in the org."""
    from django.core.exceptions import ObjectDoesNotExist

    if hasattr(user, "chain_survey_department"):  # read with the user (accounts.backends)
        return user.chain_survey_department
    try:
        return user.employee.department_id
    except (AttributeError, ObjectDoesNotExist):
        return None


def can_see_department(user, department_id: int) -> bool:
    """Executives and HR see every department's scorecard; a manager sees their own department's."""
    if can_see_dashboards(user):
        return True
    return can_see_own_department(user) and own_department_id(user) == department_id


def can_download_department(user, department_id: int) -> bool:
    """One department's scorecard PDF: whoever may see that scorecard (its managers included), to
    hand over or present."""
    return can_see_department(user, department_id)


def can_preview_results(user) -> bool:
    """HR: a closed cycle's computed results before they are published (to decide to publish)."""
    return _role_may(user, MANAGE_CYCLES)


def can_manage_all_commitments(user) -> bool:
    """HR: every department's commitments (drafts included), and the commitments overview."""
    return _role_may(user, MANAGE_CYCLES)


def can_commit_for(user, department_id: int) -> bool:
    """Who drafts, publishes and updates a department's commitments: its own managers (executives
    for the top of the company, whose department it is) and HR."""
    if can_manage_all_commitments(user):
        return True
    return can_see_own_department(user) and own_department_id(user) == department_id
