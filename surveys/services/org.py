"""The org import: bring departments, people, their roles and sign-in accounts in line with the org file.

`employee_id` is the key. People in the file are created or updated; people missing from it are
deactivated (their user is made inactive, never deleted: their past answers stay) and come back
active when they reappear. The import is a fixed number of bulk queries whatever the file's size
(Django splits bulk statements into batches of a few hundred rows on SQLite only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from ..importers import ImportRejected, OrgRow, RowError
from ..models import EXECUTIVE_OFFICE, Department, Employee
from ..roles import STAFF_ROLES, Role, sync_role_groups


@dataclass
class OrgImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    new_departments: list[str] = field(default_factory=list)
    dry_run: bool = False


def department_key(name: str) -> str:
    """Departments are matched by name ignoring case and spacing ("Human  resources" = "Human Resources")."""
    return " ".join(name.split()).casefold()


def _new_slugs(names: list[str], taken: set[str]) -> list[str]:
    """A unique slug per name: slugify, then -2, -3… on collision with existing or earlier slugs."""
    slugs = []
    for name in names:
        base = slugify(name)[:130] or "department"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def org_import(rows: list[OrgRow], *, dry_run: bool) -> OrgImportSummary:
    """Apply validated org rows (from importers.parse_org); all or nothing.

    Raises ImportRejected when the file clashes with the database: a row's email belongs to an
    employee who is not in the file (two people would share one sign-in). People in the file may
    swap or pass on emails among themselves. A user account with that email that is nobody in the
    org (e.g. an admin made with `createsuperuser`) becomes that person's account and keeps its
    password; new accounts get an unusable password (people set theirs by password reset).
    """
    User = get_user_model()
    summary = OrgImportSummary(dry_run=dry_run)
    with transaction.atomic():
        departments = {department_key(d.name): d for d in Department.objects.all()}
        users = list(User.objects.select_related("employee__department").select_for_update(of=("self",)))

        by_employee_id = {u.employee.employee_id: u for u in users if _is_employee(u)}
        by_email = {u.email.lower(): u for u in users}
        in_file = {row.employee_id for row in rows}
        errors = []
        for row in rows:
            owner = by_email.get(row.email)
            if owner is None:
                continue
            if _is_employee(owner):
                if owner.employee.employee_id not in in_file:
                    errors.append(
                        RowError(
                            row.row,
                            f"email {row.email} belongs to employee {owner.employee.employee_id}, who is not in "
                            "this file: an email can sign in only one person",
                        )
                    )
            elif row.employee_id in by_employee_id:
                errors.append(
                    RowError(
                        row.row,
                        f"email {row.email} belongs to another account that is not in the org "
                        f"(so employee {row.employee_id} cannot take it)",
                    )
                )
        if errors:
            raise ImportRejected(errors)

        new_department_names = []
        for row in rows:
            key = department_key(row.department)
            if key not in departments:
                departments[key] = None  # created below, unless this is a dry run
                new_department_names.append(row.department)
        summary.new_departments = new_department_names

        # Who is new, who changes, who leaves.
        new_rows, changed_users, changed_employees = [], [], []
        original_email = {u.pk: u.email for u in users}
        for row in rows:
            user = by_employee_id.get(row.employee_id)
            if user is None:
                new_rows.append(row)
                continue
            employee = user.employee
            wanted_user = {
                "email": row.email,
                "full_name": row.full_name,
                "is_staff": row.role in STAFF_ROLES or user.is_superuser,
                "is_active": True,
            }
            user_changed = any(getattr(user, k) != v for k, v in wanted_user.items())
            employee_changed = department_key(employee.department.name) != department_key(row.department) or (
                employee.role != row.role
            )
            summary.reactivated += not user.is_active
            summary.updated += (user_changed or employee_changed) and user.is_active
            summary.unchanged += not (user_changed or employee_changed)
            if user_changed:
                for k, v in wanted_user.items():
                    setattr(user, k, v)
                changed_users.append(user)
            if employee_changed:
                employee.role = row.role
                changed_employees.append((employee, department_key(row.department)))
        summary.created = len(new_rows)
        leaving = [u for eid, u in by_employee_id.items() if eid not in in_file and u.is_active]
        summary.deactivated = len(leaving)
        if dry_run:
            return summary

        # The writes, each one bulk statement.
        if new_department_names:
            created = Department.objects.bulk_create(
                Department(
                    name=name, slug=slug, is_executive_office=department_key(name) == EXECUTIVE_OFFICE.casefold()
                )
                for name, slug in zip(
                    new_department_names,
                    _new_slugs(new_department_names, {d.slug for d in departments.values() if d}),
                    strict=True,
                )
            )
            departments.update({department_key(d.name): d for d in created})

        for user in leaving:
            user.is_active = False
        changed_users += leaving
        renamed = [u for u in changed_users if u.email != original_email[u.pk]]
        if renamed:
            # Emails may move between people of the file: park the changing ones first so that
            # the case-insensitive unique constraint never sees two owners mid-update.
            User.objects.bulk_update(
                [User(pk=u.pk, email=f"moving-{u.pk}@invalid.invalid") for u in renamed], ["email"]
            )
        if changed_users:
            User.objects.bulk_update(changed_users, ["email", "full_name", "is_staff", "is_active"])

        # Accounts that were nobody in the org become the new people with their email.
        adopted = {
            row.employee_id: by_email[row.email]
            for row in new_rows
            if row.email in by_email and not _is_employee(by_email[row.email])
        }
        for row in new_rows:
            user = adopted.get(row.employee_id)
            if user is not None:
                user.full_name = row.full_name
                user.is_staff = row.role in STAFF_ROLES or user.is_superuser
                user.is_active = True
        if adopted:
            User.objects.bulk_update(list(adopted.values()), ["full_name", "is_staff", "is_active"])
        fresh = {
            row.employee_id: User(
                email=row.email,
                full_name=row.full_name,
                is_staff=row.role in STAFF_ROLES,
                password=make_password(None),
            )
            for row in new_rows
            if row.employee_id not in adopted
        }
        if fresh:
            User.objects.bulk_create(fresh.values())
        account = {**adopted, **fresh}
        if new_rows:
            Employee.objects.bulk_create(
                Employee(
                    user=account[row.employee_id],
                    employee_id=row.employee_id,
                    department=departments[department_key(row.department)],
                    role=row.role,
                )
                for row in new_rows
            )
        if changed_employees:
            for employee, key in changed_employees:
                employee.department = departments[key]
            Employee.objects.bulk_update([e for e, _ in changed_employees], ["department", "role"])

        user_ids = {
            row.employee_id: (account.get(row.employee_id) or by_employee_id[row.employee_id]).pk for row in rows
        }
        _set_role_groups({user_ids[row.employee_id]: row.role for row in rows})
    return summary


def _is_employee(user) -> bool:
    try:
        return user.employee is not None
    except Employee.DoesNotExist:
        return False


def _set_role_groups(role_of_user: dict[int, str]) -> None:
    """Each person of the file is in exactly one role group, that of their role (four queries at most)."""
    User = get_user_model()
    groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    if len(groups) < len(Role.values):
        sync_role_groups()
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    through = User.groups.through
    wanted = {(user_id, groups[role]) for user_id, role in role_of_user.items()}
    current = {
        (user_id, group_id): pk
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
