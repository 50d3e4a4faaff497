"""The self-view figures (blind spots, issue 21.4): how a department thinks others rate it, beside
how they do. Pure Python over the anonymous self-view answers (surveys.SelfViewAnswer); called by
the roll-up, stored in SelfViewResult. Self-view answers are read nowhere else: they count in no
scorecard, link, company or driver figure.

Suppression. A department's self-view per (scope, dimension) is a group of its own: hidden below
the cycle's minimum group size of distinct raters. These figures are not sums, parts or pools of
any other published figure (the scorecard never reads a self-view answer, and no department-level
self-view total is published), so for them a per-group size check suffices. The one total is the
company-wide management self-view, which pools every department's management self-view: it is
treated like a scorecard total (contract, "No differencing"): the hidden parts beside it must
together hold at least the minimum of distinct raters, else more parts are hidden, the smallest
shown ones first, until they do; and it is hidden itself below the minimum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from surveys.dimensions import MANAGEMENT, OVERALL, SERVICE_DIMENSIONS


@dataclass
class _Group:
    respondents: set
    total: int = 0
    count: int = 0


def compute(rows: Iterable[tuple[int, int, str, str, int]], *, min_group_size: int) -> list[dict]:
    """SelfViewResult rows from (respondent, department id, scope, dimension slug, score) answers:
    one per (department, scope, dimension) answered, and the company's management overall when
    anyone answered one. Rows of hidden groups carry no figure."""
    groups: dict[tuple[int, str, str], _Group] = {}
    for respondent, department_id, scope, slug, score in rows:
        if slug not in SERVICE_DIMENSIONS:
            continue
        group = groups.setdefault((department_id, scope, slug), _Group(set()))
        group.respondents.add(respondent)
        group.total += score
        group.count += 1
    shown = {key for key, g in groups.items() if len(g.respondents) >= min_group_size}
    management = [key for key in groups if key[1] == MANAGEMENT]
    company = None
    if management:
        everyone = set().union(*(groups[k].respondents for k in management))
        company_shown = len(everyone) >= min_group_size
        if company_shown:
            # Shown parts smallest first; hide them until the hidden parts hold enough raters.
            candidates = sorted((k for k in management if k in shown), key=lambda k: (len(groups[k].respondents), k))
            while True:
                hidden = set().union(set(), *(groups[k].respondents for k in management if k not in shown))
                if not hidden or len(hidden) >= min_group_size:
                    break
                shown.discard(candidates.pop(0))
        total = sum(groups[k].total for k in management)
        count = sum(groups[k].count for k in management)
        company = _row(None, MANAGEMENT, OVERALL, len(everyone), total / count, shown=company_shown)
    result = [
        _row(key[0], key[1], key[2], len(g.respondents), g.total / g.count, shown=key in shown)
        for key, g in sorted(groups.items())
    ]
    return result + ([company] if company else [])


def _row(department_id, scope, dimension, respondents, mean, *, shown: bool) -> dict:
    return {
        "department_id": department_id,
        "scope": scope,
        "dimension": dimension,
        "respondents": respondents if shown else None,
        "mean": mean if shown else None,
        "suppressed": not shown,
    }
