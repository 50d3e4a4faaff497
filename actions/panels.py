"""What the report pages show of commitments (registered with reports.panels in ActionsConfig.ready):
on the dashboard, the top's commitments first and how many departments have committed, and how
last quarter's commitments fared; on a department's scorecard, its commitments' verdicts with the
before and after figures (the scorecard's own, shown to those who may see it)."""

from django.template.loader import render_to_string

from reports.panels import Panel
from reports.selectors import VisibleCycle
from surveys.models import Cycle, Department

from . import pages, selectors, verdicts
from .cascade import top_departments


def _department_count() -> int:
    return Department.objects.count()


def dashboard(*, cycle: VisibleCycle) -> str:
    top = top_departments()
    cycles = pages.visible.visible_cycles()
    current = selectors.top_first(selectors.published_commitments(cycle=Cycle(id=cycle.id)), top)
    previous = pages.previous_with_results(cycle, cycles)
    earlier = pages.judged(selectors.published_commitments(cycle=Cycle(id=previous.id))) if previous else []
    top_earlier = [j for j in earlier if j.commitment.department_id in top]
    context = {
        "cycle": cycle,
        "top_commitments": [c for c in current if c.department_id in top],
        "committed": len({c.department_id for c in current}),
        "departments": _department_count(),
        "previous": previous,
        "tally": [(n, verdicts.SHORT[v].lower()) for v, n in verdicts.tally(j.judgement for j in earlier).items()],
        "top_kept": sum(1 for j in top_earlier if j.judgement.verdict == verdicts.IMPROVED),
        "top_total": len(top_earlier),
        "top_names": sorted({j.commitment.department.name for j in top_earlier}),
        "labels": pages.dimension_labels(),
    }
    return render_to_string("actions/_dashboard_panel.html", context)


def department(*, cycle: VisibleCycle, department_id: int, full: bool) -> str:
    cycles = pages.visible.visible_cycles()
    previous = pages.previous_with_results(cycle, cycles)
    department = Department(id=department_id)
    current = selectors.department_commitments(cycle=Cycle(id=cycle.id), department=department, drafts=False)
    earlier = (
        selectors.department_commitments(cycle=Cycle(id=previous.id), department=department, drafts=False)
        if previous
        else []
    )
    context = {
        "cycle": cycle,
        "previous": previous,
        "current": pages.judged(current),
        "earlier": pages.judged(earlier),
        "labels": pages.dimension_labels(),
    }
    return render_to_string("actions/_department_panel.html", context)


COMMITMENTS = Panel(name="commitments", version=selectors.version, dashboard=dashboard, department=department)
