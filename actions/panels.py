"""What the report pages show of commitments (registered with reports.panels in ActionsConfig.ready):
on the dashboard, the top's commitments first and how many departments have committed, and how
last quarter's commitments fared; on a department's scorecard, its commitments' verdicts with the
before and after figures (the scorecard's own, shown to those who may see it).

A report page's previous visible cycle is followed up by the page's own cycle (both are cycles
with results, in name order), so no query looks the follow-up up."""

from django.template.loader import render_to_string

from reports.panels import Panel
from reports.selectors import VisibleCycle
from surveys.models import Cycle, Department

from . import selectors
from .cascade import top_departments
from .models import Commitment

# Registered at start-up (ActionsConfig.ready): what needs numpy (the verdicts, the page data) is
# imported when a panel is first drawn, so that commands and the web process start without it.


def _published_on(cycle: VisibleCycle, previous: VisibleCycle | None, **filters) -> tuple[list, list]:
    """Published commitments on `cycle` and on `previous`, in one query."""
    ids = [cycle.id] + ([previous.id] if previous else [])
    found = list(
        Commitment.objects.published()
        .filter(cycle_id__in=ids, **filters)
        .select_related("owner__user", "department", "cycle")
        .order_by("department__name", "scope", "dimension", "id")
    )
    return [c for c in found if c.cycle_id == cycle.id], [c for c in found if c.cycle_id != cycle.id]


def _follow(cycle: VisibleCycle, previous: VisibleCycle | None) -> dict:
    return {previous.id: Cycle(id=cycle.id, name=cycle.name)} if previous else {}


def dashboard(*, cycle: VisibleCycle) -> str:
    """Five queries: the top, the commitments, the rows they are judged by, labels, departments."""
    from . import pages, verdicts

    top = top_departments()
    previous = pages.previous_with_results(cycle, pages.visible.visible_cycles())
    current, earlier = _published_on(cycle, previous)
    earlier = pages.judged(earlier, follow=_follow(cycle, previous))
    top_earlier = [j for j in earlier if j.commitment.department_id in top]
    context = {
        "cycle": cycle,
        "top_commitments": [c for c in current if c.department_id in top],
        "committed": len({c.department_id for c in current}),
        "departments": Department.objects.count(),
        "previous": previous,
        "tally": [(n, str(verdicts.SHORT[v]).lower()) for v, n in verdicts.tally(j.judgement for j in earlier).items()],
        "top_kept": sum(1 for j in top_earlier if j.judgement.verdict == verdicts.IMPROVED),
        "top_total": len(top_earlier),
        "top_names": sorted({j.commitment.department.name for j in top_earlier}),
        "labels": pages.dimension_labels(),
    }
    return render_to_string("actions/_dashboard_panel.html", context)


def department(*, cycle: VisibleCycle, department_id: int, full: bool) -> str:
    """Three queries: the department's commitments, the rows they are judged by, labels."""
    from . import pages

    cycles = pages.visible.visible_cycles()
    previous = pages.previous_with_results(cycle, cycles)
    current, earlier = _published_on(cycle, previous, department_id=department_id)
    if not (current or earlier):
        return ""
    later = min((c for c in cycles if c.name > cycle.name), key=lambda c: c.name, default=None)
    follow = {cycle.id: Cycle(id=later.id, name=later.name) if later else None, **_follow(cycle, previous)}
    context = {
        "cycle": cycle,
        "previous": previous,
        "current": pages.judged(current, follow=follow),
        "earlier": pages.judged(earlier, follow=follow),
        "labels": pages.dimension_labels(),
    }
    return render_to_string("actions/_department_panel.html", context)


def _line(commitment, judgement, labels, *, judged_here: bool) -> str:
    """One line of a department's PDF page: the verdict (or the due date) first, then the promise."""
    label = labels.get(commitment.dimension, commitment.dimension)
    if judged_here:
        figures = ""
        if judgement.before_mean is not None and judgement.after_mean is not None:
            figures = f" ({judgement.before_mean:.2f} → {judgement.after_mean:.2f})"
        outcome = f"{judgement.short}{figures}"
    else:
        outcome = f"due {commitment.due:%-d %b %Y}, {commitment.get_status_display().lower()}"
    return f"{commitment.cycle.name}: {label} ({commitment.scope}) · {outcome} · {commitment.text}"


def book(cycle_id: int):
    """The scorecard book's parts: a "Commitments" sheet (the export of this cycle's commitments), a
    "Previous commitments" sheet (the previous results' commitments, judged by these) and, on each
    department's page, its commitments on these results and last quarter's verdicts."""
    from reports.panels import BookPart

    from . import pages
    from .exporters import CommitmentExporter

    cycles = pages.visible.visible_cycles()
    cycle = next((c for c in cycles if c.id == cycle_id), None)
    if cycle is None:
        return []
    previous = pages.previous_with_results(cycle, cycles)
    current, earlier = _published_on(cycle, previous)
    labels = pages.dimension_labels()
    lines: dict[int, list[str]] = {}
    for item in pages.judged(earlier, follow=_follow(cycle, previous)):
        lines.setdefault(item.commitment.department_id, []).append(
            _line(item.commitment, item.judgement, labels, judged_here=True)
        )
    for commitment in current:
        lines.setdefault(commitment.department_id, []).append(_line(commitment, None, labels, judged_here=False))
    parts = [BookPart(sheet_title="Commitments", sheet=CommitmentExporter(cycle_id=cycle_id), department_lines=lines)]
    if previous is not None:  # last quarter's promises, with the verdicts of these ratings
        parts.append(BookPart("Previous commitments", CommitmentExporter(cycle_id=previous.id), department_lines={}))
    return parts


COMMITMENTS = Panel(
    name="commitments", version=selectors.version, dashboard=dashboard, department=department, book=book
)
