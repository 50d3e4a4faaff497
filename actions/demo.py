"""The demo company's commitments: the story the product tells (issue 20, and the README's tour).

After the second published quarter, the Executive Office committed on communication and its
internal customers' ratings rose; Facilities committed on ownership, marked it done, and the
ratings showed no clear change (the verdict never comes from the status); IT's commitment on
responsiveness improved. After the latest quarter the top has published first, Facilities has
published again, and IT has a draft: the cascade is under way, and the demo's manager (Customer
Service) has everything still to do.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from surveys import demo
from surveys.models import EXECUTIVE_OFFICE, Cycle, Department, Employee
from surveys.roles import Role

from .models import Commitment, ProgressUpdate, TrainingModule


# fmt: off
@dataclass(frozen=True)
class Promise:
    department: str
    nth: int  # on the results of the n-th latest published cycle
    scope: str
    dimension: str
    text: str
    status: str = "open"
    published: bool = True
    due_days: int = 75  # after the results
    modules: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()
    especially_for: tuple[str, ...] = ()


STORY = [
    Promise(
        EXECUTIVE_OFFICE, 2, "supplier", "communication",
        "Every decision that changes another department's work is announced with the reasons, a named "
        "contact and a date, before it takes effect. A monthly open Q&A with the executive team.",
        status="done", modules=("communication",),
        updates=("Monthly Q&A held in July and August; notes posted the same day.",
                 "Decision notes now carry a named contact."),
    ),
    Promise(
        EXECUTIVE_OFFICE, 2, "supplier", "reliability",
        "Decisions other departments wait on are taken by the date we announce, or we say why before it.",
        status="done", due_days=60, modules=("reliability",), updates=("Decision calendar published in July.",),
    ),
    Promise(
        "Facilities", 2, "supplier", "ownership",
        'Every request gets one named owner from logging to closing; nobody answers "not our job". '
        "Tickets we cannot solve are handed over by us, not sent back.",
        status="done", modules=("ownership",), especially_for=("Operations", "Sales"),
        updates=("Ticket owner field added to the portal.", "Marked done by the team."),
    ),
    Promise(
        "IT", 2, "supplier", "responsiveness",
        "A person answers the service desk within an hour; every ticket gets a status update every working day.",
        status="done", modules=("responsiveness",),
        updates=("Walk-in hour on Tuesdays started.", "Status updates automated."),
    ),
    Promise(
        EXECUTIVE_OFFICE, 1, "management", "willingness",
        "Each executive holds office hours every two weeks, open to anyone in the company.",
        due_days=80, modules=("willingness",), updates=("Office hours calendar published.",),
    ),
    Promise(
        "Facilities", 1, "supplier", "responsiveness",
        "Urgent repairs are acknowledged within two hours and given a date within a day.",
        due_days=70, modules=("responsiveness",), especially_for=("Operations",),
    ),
    Promise(
        "IT", 1, "supplier", "communication",
        "Outages are announced within 15 minutes with a workaround and an expected time.",
        published=False, due_days=60,
    ),
]
# fmt: on


@dataclass
class StoryResult:
    created: int = 0


def _managers(department: Department) -> list[Employee]:
    roles = (Role.EXECUTIVE,) if department.name == EXECUTIVE_OFFICE else (Role.MANAGER,)
    return list(
        Employee.objects.active()
        .filter(department=department, role__in=roles)
        .select_related("user")
        .order_by("employee_id")
    )


def seed_commitments() -> StoryResult:
    """The demo's commitments (idempotent: a promise already made is not made again)."""
    result = StoryResult()
    published = list(Cycle.objects.with_results().order_by("-name"))
    departments = {d.name: d for d in Department.objects.all()}
    modules = {m.slug: m for m in TrainingModule.objects.all()}
    with transaction.atomic():
        for promise in STORY:
            if len(published) >= promise.nth and promise.department in departments:
                result.created += _tell(promise, published[promise.nth - 1], departments, modules)
    return result


def _tell(promise: Promise, cycle: Cycle, departments: dict[str, Department], modules: dict) -> bool:
    department = departments[promise.department]
    owners = _managers(department)
    made = Commitment.objects.filter(cycle=cycle, department=department, scope=promise.scope)
    if not owners or made.filter(dimension=promise.dimension).exists():
        return False
    results_at = cycle.published_at or timezone.now()
    # The top publishes the day after the results, the others a few days later: the cascade.
    published_at = results_at + datetime.timedelta(days=1 if promise.department == EXECUTIVE_OFFICE else 3)
    commitment = Commitment.objects.create(
        cycle=cycle,
        department=department,
        scope=promise.scope,
        dimension=promise.dimension,
        text=promise.text,
        owner=owners[0],
        due=timezone.localtime(results_at).date() + datetime.timedelta(days=promise.due_days),
        status=promise.status,
        published_at=published_at if promise.published else None,
        created_by=owners[0].user,
    )
    commitment.modules.set([modules[slug] for slug in promise.modules if slug in modules])
    commitment.especially_for.set([departments[name] for name in promise.especially_for if name in departments])
    for i, text in enumerate(promise.updates):
        update = ProgressUpdate.objects.create(commitment=commitment, text=text, written_by=owners[0].user)
        written_at = published_at + datetime.timedelta(days=20 * (i + 1))
        ProgressUpdate.objects.filter(pk=update.pk).update(written_at=written_at)
    return True


def seed_demo(*, people: int = demo.DEFAULT_PEOPLE, today: datetime.date | None = None) -> demo.DemoResult:
    """The whole demo: the company and its quarters (surveys.demo), then its commitments."""
    result = demo.seed_demo(people=people, today=today)
    result.commitments_created = seed_commitments().created
    return result
