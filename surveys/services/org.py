"""The org import: bring departments, people, their roles and sign-in accounts in line with the org file.

Two steps: `org_plan` works out what would change (who is new, who changes and how, who leaves,
which departments appear) without writing; `org_apply` writes a plan. `org_import` runs both in
one transaction, for the command and for the web upload's confirmation (which also checks that
the plan is still the one HR previewed).

`employee_id` is the key. People in the file are created or updated; people missing from it are
deactivated (their user is made inactive, never deleted: their past answers stay) and come back
active when they reappear. The import is a fixed number of bulk queries whatever the file's size
(Django splits bulk statements into batches of a few hundred rows on SQLite only).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_noop as _

from accounts.identity import EmailChange, identity_change
from accounts.models import IdentityChange

from ..importers import ImportRejected, OrgRow, RowError
from ..models import EXECUTIVE_OFFICE, Department, Employee
from ..roles import Role, assign_role_groups, is_staff_for


@dataclass
class OrgImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    new_departments: list[str] = field(default_factory=list)
    dry_run: bool = False


# What the preview's "What changes" column says of each field, in the reader's language. The plan
# holds the values (a role's slug, a language code), never words: its digest is the same whichever
# language HR previews it in and confirms it in.
def _field_word(field: str) -> str:
    return {
        "name": pgettext("org file field", "name"),
        "email": pgettext("org file field", "email"),
        "department": pgettext("org file field", "department"),
        "role": pgettext("org file field", "role"),
        "language": pgettext("org file field", "language"),
    }[field]


def _role_word(role: str) -> str:
    words = {
        Role.EMPLOYEE: pgettext("role", "Employee"),
        Role.MANAGER: pgettext("role", "Manager"),
        Role.EXECUTIVE: pgettext("role", "Executive"),
        Role.HR: pgettext("role", "HR"),
    }
    return words.get(role, role)


class FieldChange(NamedTuple):
    """One field of a person that the file changes: its slug and the values before and after."""

    field: str
    before: str
    after: str

    def words(self) -> str:
        """ "department: Sales → IT" in the active language (roles by their label, an empty
        language as "none"; names, emails, departments and language codes as written)."""
        return gettext("%(field)s: %(before)s → %(after)s") % {
            "field": _field_word(self.field),
            "before": self._value(self.before),
            "after": self._value(self.after),
        }

    def _value(self, value: str) -> str:
        if self.field == "role":
            return _role_word(value)
        if self.field == "language" and not value:
            return pgettext("no language", "none")
        return value

    def __str__(self) -> str:
        from django.utils import translation

        with translation.override("en"):
            return self.words()


@dataclass(frozen=True)
class PersonChange:
    """One person the import touches, as the preview lists them."""

    employee_id: str
    full_name: str
    department: str
    row: int | None = None  # the file's row; None for people who leave (they are not in it)
    # FieldChange("department", "Sales", "IT") per field that changes; for people who leave or
    # are kept, one note (LEAVES, KEPT).
    changes: tuple[FieldChange | str, ...] = ()

    @property
    def change_words(self) -> list[str]:
        """The changes as the preview's "What changes" column says them, in the active language."""
        return [c.words() if isinstance(c, FieldChange) else gettext(c) for c in self.changes]


LEAVES = _("leaves the org")
KEPT = _("stays active: the person confirming this upload")


class OrgPlanStale(Exception):
    """The org changed since the plan was previewed: it must be reviewed again."""

    def __init__(self, plan: OrgPlan):
        self.plan = plan
        super().__init__(gettext("The org changed since this preview: review the new preview before confirming."))


@dataclass
class OrgPlan:
    """What importing the rows would change. The private fields are what `org_apply` writes."""

    created: list[PersonChange] = field(default_factory=list)
    updated: list[PersonChange] = field(default_factory=list)
    reactivated: list[PersonChange] = field(default_factory=list)
    deactivated: list[PersonChange] = field(default_factory=list)
    unchanged: int = 0
    new_departments: list[str] = field(default_factory=list)
    # Missing from the file but kept active: the person confirming the upload (never deactivated).
    kept: list[PersonChange] = field(default_factory=list)
    active_before: int = 0  # active employees before the import: what the deactivations are a share of
    _rows: list[OrgRow] = field(default_factory=list, repr=False)
    _departments: dict = field(default_factory=dict, repr=False)
    _by_employee_id: dict = field(default_factory=dict, repr=False)
    _by_email: dict = field(default_factory=dict, repr=False)
    _new_rows: list[OrgRow] = field(default_factory=list, repr=False)
    _changed_users: list = field(default_factory=list, repr=False)
    _changed_employees: list = field(default_factory=list, repr=False)
    _leaving: list = field(default_factory=list, repr=False)
    _original_email: dict = field(default_factory=dict, repr=False)

    @property
    def email_changes(self) -> int:
        """How many people's sign-in address the file changes (each is logged and notified)."""
        return sum(1 for u in self._changed_users if u.email != self._original_email[u.pk])

    @property
    def deactivated_share(self) -> float:
        """Deactivations as a share (0–1) of the people active before the import."""
        return len(self.deactivated) / self.active_before if self.active_before else 0.0

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.reactivated or self.deactivated or self.new_departments)

    def summary(self, *, dry_run: bool) -> OrgImportSummary:
        return OrgImportSummary(
            created=len(self.created),
            updated=len(self.updated),
            unchanged=self.unchanged,
            deactivated=len(self.deactivated),
            reactivated=len(self.reactivated),
            new_departments=list(self.new_departments),
            dry_run=dry_run,
        )

    @property
    def digest(self) -> str:
        """A fingerprint of what the plan would do: equal digests, equal writes."""
        content = [
            [(p.employee_id, p.full_name, p.department, p.row, p.changes) for p in people]
            for people in (self.created, self.updated, self.reactivated, self.deactivated, self.kept)
        ]
        content.append([self.unchanged, self.new_departments])
        content.append([(r.employee_id, r.email, r.full_name, r.department, r.role, r.language) for r in self._rows])
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


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


def org_import(
    rows: list[OrgRow],
    *,
    dry_run: bool,
    expected_digest: str | None = None,
    by=None,
    via: str = IdentityChange.Via.IMPORT_ORG,
    keep_active=None,
) -> OrgImportSummary:
    """Plan and (unless `dry_run`) apply validated org rows (from importers.parse_org); all or nothing.

    `by` (the signed-in uploader, None for the command) and `via` go into the identity change log
    for every person whose email the file changes (accounts.identity: their sessions end, their
    password-set links and unsubmitted drafts are void, their old address is told).

    Raises ImportRejected when the file clashes with the database (see `org_plan`), and
    OrgPlanStale when `expected_digest` is given and the plan is no longer the one it fingerprints
    (someone changed the org between a preview and its confirmation); nothing is written then.
    `keep_active`: a user (the web upload's confirming person) who stays active even when the
    file leaves them out, so that no upload locks out the person applying it.
    """
    with transaction.atomic():
        plan = _plan(rows, lock=True, keep_active=keep_active)
        if expected_digest is not None and plan.digest != expected_digest:
            raise OrgPlanStale(plan)
        if not dry_run:
            org_apply(plan, by=by, via=via)
    return plan.summary(dry_run=dry_run)


def org_plan(rows: list[OrgRow], *, keep_active=None) -> OrgPlan:
    """What importing `rows` would change, writing nothing.

    Raises ImportRejected when the file clashes with the database: a row's email belongs to an
    employee who is not in the file (two people would share one sign-in). People in the file may
    swap or pass on emails among themselves. A user account with that email that is nobody in the
    org (e.g. an admin made with `createsuperuser`) becomes that person's account and keeps its
    password; new accounts get an unusable password (people set theirs by password reset).
    """
    with transaction.atomic():
        return _plan(rows, lock=False, keep_active=keep_active)


def _plan(rows: list[OrgRow], *, lock: bool, keep_active=None) -> OrgPlan:
    User = get_user_model()
    users = User.objects.select_related("employee__department")
    if lock:
        users = users.select_for_update(of=("self",))
    users = list(users)
    plan = OrgPlan(_rows=list(rows))
    plan._departments = {department_key(d.name): d for d in Department.objects.all()}
    plan._by_employee_id = {u.employee.employee_id: u for u in users if _is_employee(u)}
    plan._by_email = {u.email.lower(): u for u in users}
    plan._original_email = {u.pk: u.email for u in users}
    errors = _email_clashes(rows, plan._by_employee_id, plan._by_email)
    if errors:
        raise ImportRejected(errors)

    for row in rows:
        key = department_key(row.department)
        if key not in plan._departments:
            plan._departments[key] = None  # created by org_apply
            plan.new_departments.append(row.department)
    for row in rows:
        _plan_person(plan, row)
    in_file = {row.employee_id for row in rows}
    plan.active_before = sum(1 for u in plan._by_employee_id.values() if u.is_active)
    missing = [u for eid, u in plan._by_employee_id.items() if eid not in in_file and u.is_active]
    kept_pk = getattr(keep_active, "pk", keep_active)
    plan._leaving = [u for u in missing if u.pk != kept_pk]
    leaving = sorted(plan._leaving, key=lambda u: u.employee.employee_id)
    plan.deactivated = [_leaves(u, LEAVES) for u in leaving]
    plan.kept = [_leaves(u, KEPT) for u in missing if u.pk == kept_pk]
    return plan


def _leaves(user, change: str) -> PersonChange:
    return PersonChange(user.employee.employee_id, user.full_name, user.employee.department.name, changes=(change,))


def _email_clashes(rows: list[OrgRow], by_employee_id: dict, by_email: dict) -> list[RowError]:
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
    return errors


def _plan_person(plan: OrgPlan, row: OrgRow) -> None:
    """Sort one row into created / reactivated / updated / unchanged, noting what changes in words."""
    user = plan._by_employee_id.get(row.employee_id)
    if user is None:
        plan._new_rows.append(row)
        plan.created.append(PersonChange(row.employee_id, row.full_name, row.department, row.row))
        return
    employee = user.employee
    wanted_user = {
        "email": row.email,
        "full_name": row.full_name,
        "is_staff": is_staff_for(row.role, is_superuser=user.is_superuser),
        "is_active": True,
    }
    user_changed = any(getattr(user, k) != v for k, v in wanted_user.items())
    moved = department_key(employee.department.name) != department_key(row.department)
    # A file without the `language` column (row.language None) leaves the person's language alone.
    relanguaged = row.language is not None and employee.language != row.language
    employee_changed = moved or employee.role != row.role or relanguaged
    changes = [
        FieldChange(label, before, after)
        for label, before, after, differs in (
            ("name", user.full_name, row.full_name, user.full_name != row.full_name),
            ("email", user.email, row.email, user.email != row.email),
            ("department", employee.department.name, row.department, moved),
            ("role", employee.role, row.role, employee.role != row.role),
            ("language", employee.language or "", row.language or "", relanguaged),
        )
        if differs
    ]
    change = PersonChange(row.employee_id, row.full_name, row.department, row.row, tuple(changes))
    if not user.is_active:
        plan.reactivated.append(change)
    elif user_changed or employee_changed:
        plan.updated.append(change)
    else:
        plan.unchanged += 1
    if user_changed:
        for k, v in wanted_user.items():
            setattr(user, k, v)
        plan._changed_users.append(user)
    if employee_changed:
        employee.role = row.role
        if row.language is not None:
            employee.language = row.language
        plan._changed_employees.append((employee, department_key(row.department)))


def org_apply(plan: OrgPlan, *, by=None, via: str = IdentityChange.Via.IMPORT_ORG) -> None:
    """Write a plan made by `_plan(lock=True)` in the same transaction; each write one bulk statement."""
    departments = plan._departments
    if plan.new_departments:
        created = Department.objects.bulk_create(
            Department(name=name, slug=slug, is_executive_office=department_key(name) == EXECUTIVE_OFFICE.casefold())
            for name, slug in zip(
                plan.new_departments,
                _new_slugs(plan.new_departments, {d.slug for d in departments.values() if d}),
                strict=True,
            )
        )
        departments.update({department_key(d.name): d for d in created})
    renamed = _write_changed_users(plan)
    account = _write_new_people(plan)
    if plan._changed_employees:
        for employee, key in plan._changed_employees:
            employee.department = departments[key]
        Employee.objects.bulk_update([e for e, _ in plan._changed_employees], ["department", "role", "language"])
    user_ids = {
        row.employee_id: (account.get(row.employee_id) or plan._by_employee_id[row.employee_id]).pk
        for row in plan._rows
    }
    assign_role_groups({user_ids[row.employee_id]: row.role for row in plan._rows})
    identity_change(changes=renamed, by=by, via=via)


def _write_changed_users(plan: OrgPlan) -> list[EmailChange]:
    """Write the changed and leaving accounts; returns the email changes among them."""
    User = get_user_model()
    for user in plan._leaving:
        user.is_active = False
    changed = plan._changed_users + plan._leaving
    renamed = [u for u in changed if u.email != plan._original_email[u.pk]]
    if renamed:
        # Emails may move between people of the file: park the changing ones first so that
        # the case-insensitive unique constraint never sees two owners mid-update.
        User.objects.bulk_update([User(pk=u.pk, email=f"moving-{u.pk}@invalid.invalid") for u in renamed], ["email"])
    if changed:
        User.objects.bulk_update(changed, ["email", "full_name", "is_staff", "is_active"])
    return [EmailChange(u.pk, plan._original_email[u.pk], u.email) for u in renamed]


def _write_new_people(plan: OrgPlan) -> dict:
    """Accounts and employees for the new people; returns employee_id → user."""
    User = get_user_model()
    by_email = plan._by_email
    # Accounts that were nobody in the org become the new people with their email.
    adopted = {
        row.employee_id: by_email[row.email]
        for row in plan._new_rows
        if row.email in by_email and not _is_employee(by_email[row.email])
    }
    for row in plan._new_rows:
        user = adopted.get(row.employee_id)
        if user is not None:
            user.full_name = row.full_name
            user.is_staff = is_staff_for(row.role, is_superuser=user.is_superuser)
            user.is_active = True
    if adopted:
        User.objects.bulk_update(list(adopted.values()), ["full_name", "is_staff", "is_active"])
    fresh = {
        row.employee_id: User(
            email=row.email, full_name=row.full_name, is_staff=is_staff_for(row.role), password=make_password(None)
        )
        for row in plan._new_rows
        if row.employee_id not in adopted
    }
    if fresh:
        User.objects.bulk_create(fresh.values())
    account = {**adopted, **fresh}
    if plan._new_rows:
        Employee.objects.bulk_create(
            Employee(
                user=account[row.employee_id],
                employee_id=row.employee_id,
                department=plan._departments[department_key(row.department)],
                role=row.role,
                language=row.language or "",
            )
            for row in plan._new_rows
        )
    return account


def _is_employee(user) -> bool:
    try:
        return user.employee is not None
    except Employee.DoesNotExist:
        return False
