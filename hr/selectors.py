"""Reads for the HR workspace: cycles with their roll-up state, and live participation."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery

from reports.models import DepartmentResult, RollupRun
from surveys.dimensions import OVERALL
from surveys.models import Cycle, CycleHeadcount, Department, Participation


def cycles_overview():
    """Every cycle, newest first, with its participant count, its latest roll-up run's state and
    whether it has results (`Cycle.objects.with_results()`). One query."""
    latest = RollupRun.objects.latest_for(OuterRef("pk"))
    return Cycle.objects.annotate(
        participant_count=Subquery(
            Participation.objects.filter(cycle_id=OuterRef("pk"))
            .order_by()
            .values("cycle_id")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
        rollup_state=Subquery(latest.values("state")),
        # Its results may be shown and are rolled up: they may leave the app (downloads).
        has_results=Exists(Cycle.objects.with_results().filter(pk=OuterRef("pk"))),
    ).order_by("-name")


def cycle_detail(*, name: str) -> Cycle | None:
    return cycles_overview().filter(name=name).first()


def latest_rollup_run(*, cycle: Cycle) -> RollupRun | None:
    return RollupRun.objects.latest_for(cycle).first()


def last_finished_rollup(*, cycle: Cycle) -> RollupRun | None:
    return RollupRun.objects.filter(cycle=cycle, state=RollupRun.State.DONE).order_by("-finished_at", "-id").first()


@dataclass(frozen=True)
class DepartmentParticipation:
    name: str
    eligible: int | None  # None for a department created after the cycle opened (no headcount)
    participants: int
    rate: float | None  # None when the department is smaller than the minimum group size


@dataclass(frozen=True)
class ParticipationOverview:
    departments: list[DepartmentParticipation]
    participants: int
    eligible: int
    rate: float | None


def participation(*, cycle: Cycle) -> ParticipationOverview:
    """Who has taken part so far, per department: counts, and rates only for departments of at least
    the cycle's minimum group size. Never a score. Three queries whatever the org's size.

    While the cycle is open, every department with active staff is listed, also one created after
    the cycle opened (it has no headcount: its staff and rate are unknown, its participants still
    count); once closed, the departments counted when it opened or that took part."""
    eligible = dict(CycleHeadcount.objects.filter(cycle=cycle).values_list("department_id", "eligible"))
    taken = dict(
        Participation.objects.filter(cycle=cycle)
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"))
        .values_list("department_id", "n")
    )
    counted = Q(pk__in=set(eligible) | set(taken))
    if cycle.status == Cycle.Status.OPEN:
        counted |= Q(employees__user__is_active=True)  # may still take part, headcount or not
    names = dict(Department.objects.filter(counted).distinct().values_list("pk", "name"))
    rows = []
    for department_id, name in sorted(names.items(), key=lambda item: item[1].casefold()):
        size, count = eligible.get(department_id), taken.get(department_id, 0)
        big_enough = size is not None and size >= cycle.min_group_size
        rows.append(DepartmentParticipation(name, size, count, count / size if big_enough else None))
    total_eligible, total = sum(eligible.values()), sum(taken.values())
    return ParticipationOverview(rows, total, total_eligible, total / total_eligible if total_eligible else None)


@dataclass(frozen=True)
class LowResponse:
    """What closing or publishing would rest on, against CHAINSURVEY_PUBLISH_MIN_RESPONSE."""

    threshold: int  # percent
    overall_low: bool
    departments: list[DepartmentParticipation]  # those with a rate below the threshold

    @property
    def needs_confirmation(self) -> bool:
        return self.overall_low or bool(self.departments)


def low_response(overview: ParticipationOverview) -> LowResponse:
    """Which response rates fall below the threshold: the overall one, and each department's
    that is shown (departments below the minimum group size have no rate). No query."""
    threshold = settings.CHAINSURVEY_PUBLISH_MIN_RESPONSE
    below = [row for row in overview.departments if row.rate is not None and row.rate * 100 < threshold]
    overall_low = overview.rate is not None and overview.rate * 100 < threshold
    return LowResponse(threshold, overall_low, below)


@dataclass(frozen=True)
class ShownOutlook:
    """How much of a rolled-up cycle its pages would show: departments with a shown overall figure."""

    departments_shown: int
    departments_rated: int

    @property
    def departments_hidden(self) -> int:
        return self.departments_rated - self.departments_shown

    @property
    def shows_nothing(self) -> bool:
        return self.departments_shown == 0


def shown_outlook(*, cycle: Cycle) -> ShownOutlook:
    """Of the departments rated as suppliers in the cycle's snapshot, how many have their overall
    figure shown (not hidden for too few responses). One query."""
    counts = DepartmentResult.objects.filter(cycle=cycle, scope="supplier", dimension=OVERALL).aggregate(
        rated=Count("id"), shown=Count("id", filter=Q(suppressed=False))
    )
    return ShownOutlook(counts["shown"], counts["rated"])
