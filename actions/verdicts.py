"""The verdict (CONTRACT.md, Commitments): did the internal customers' next ratings show the promise kept?

A commitment is about one scorecard row — (department, scope, dimension) of the cycle whose results
it answers. Its follow-up is the earliest later cycle with results; the verdict compares the two
rows' ratings with Welch's test from the figures the roll-up stores (ratings, mean, variance). A
suppressed or absent row makes it `not_measurable`: no figure the scorecard hides is used, let
alone shown. The owners' `status` plays no part.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from reports.models import DepartmentResult
from surveys.models import Cycle
from surveys.selectors import next_cycle_with_results

from .models import Commitment

PENDING = "pending"
NOT_MEASURABLE = "not_measurable"
IMPROVED = "improved"
DECLINED = "declined"
NO_CLEAR_CHANGE = "no_clear_change"
SIGNIFICANCE = 0.05  # the contract's p < 0.05, as reports.stats.SIGNIFICANCE (which loads numpy)

# How the verdict reads where only words are shown (/actions/, home pages), in the page's language;
# exports and the API keep the contract's slugs.
WORDS = {
    PENDING: _("To be judged by next quarter's ratings"),
    NOT_MEASURABLE: _("Too few ratings to judge"),
    IMPROVED: _("Improved: their internal customers' ratings rose"),
    DECLINED: _("Declined: their internal customers' ratings fell"),
    NO_CLEAR_CHANGE: _("No clear change in the ratings"),
}
SHORT = {
    PENDING: _("Pending"),
    NOT_MEASURABLE: _("Not measurable"),
    IMPROVED: _("Improved"),
    DECLINED: _("Declined"),
    NO_CLEAR_CHANGE: _("No clear change"),
}


@dataclass(frozen=True)
class Row:
    """The stored figures of one scorecard row that a verdict reads."""

    suppressed: bool
    ratings: int | None
    mean: float | None
    variance: float | None

    @property
    def measurable(self) -> bool:
        return not self.suppressed and self.mean is not None and self.ratings is not None


@dataclass(frozen=True)
class Judgement:
    follow_up_cycle: str | None
    before_mean: float | None
    after_mean: float | None
    delta: float | None
    p_value: float | None
    verdict: str

    @property
    def words(self) -> str:
        return str(WORDS[self.verdict])  # in the active language

    @property
    def short(self) -> str:
        return str(SHORT[self.verdict])


def judge(before: Row | None, after: Row | None, *, follow_up_cycle: str | None) -> Judgement:
    """The verdict of one commitment from its two rows (None: the row is absent). Pure."""
    shown_before = before.mean if before is not None and before.measurable else None
    if follow_up_cycle is None:
        return Judgement(None, shown_before, None, None, None, PENDING)
    shown_after = after.mean if after is not None and after.measurable else None
    if shown_before is None or shown_after is None:
        return Judgement(follow_up_cycle, shown_before, shown_after, None, None, NOT_MEASURABLE)
    delta = shown_after - shown_before
    p = _p_value(before, after)
    if p is not None and p < SIGNIFICANCE and delta > 0:
        verdict = IMPROVED
    elif p is not None and p < SIGNIFICANCE and delta < 0:
        verdict = DECLINED
    else:
        verdict = NO_CLEAR_CHANGE
    return Judgement(follow_up_cycle, shown_before, shown_after, delta, p, verdict)


def _p_value(before: Row, after: Row) -> float | None:
    if before.variance is None or after.variance is None:
        return None
    from reports.stats import welch_p_value  # numpy: loaded when a verdict is first computed

    p = float(welch_p_value(before.ratings, before.mean, before.variance, after.ratings, after.mean, after.variance))
    return None if math.isnan(p) else p


def follow_ups(cycle_ids: Iterable[int]) -> dict[int, Cycle | None]:
    """Each cycle's follow-up: the earliest later cycle with results. One query per distinct cycle
    (commitments are read a cycle or two at a time)."""
    return {cycle.id: next_cycle_with_results(cycle=cycle) for cycle in Cycle.objects.filter(id__in=set(cycle_ids))}


def judgements(
    commitments: Iterable[Commitment], *, follow: dict[int, Cycle | None] | None = None
) -> dict[int, Judgement]:
    """The judgement of each commitment, by id: one query for the rows, and one per cycle for its
    follow-up unless the caller knows them (`follow`: cycle id → follow-up cycle or None)."""
    commitments = list(commitments)
    if not commitments:
        return {}
    follow = follow if follow is not None else follow_ups(c.cycle_id for c in commitments)
    cycle_ids = {c.cycle_id for c in commitments} | {f.id for f in follow.values() if f is not None}
    rows = {
        (r["cycle_id"], r["department_id"], r["scope"], r["dimension"]): Row(
            r["suppressed"], r["ratings"], r["mean"], r["variance"]
        )
        for r in DepartmentResult.objects.filter(
            cycle_id__in=cycle_ids, department_id__in={c.department_id for c in commitments}
        ).values("cycle_id", "department_id", "scope", "dimension", "suppressed", "ratings", "mean", "variance")
    }
    result = {}
    for c in commitments:
        after_cycle = follow[c.cycle_id]
        key = (c.department_id, c.scope, c.dimension)
        result[c.id] = judge(
            rows.get((c.cycle_id, *key)),
            rows.get((after_cycle.id, *key)) if after_cycle else None,
            follow_up_cycle=after_cycle.name if after_cycle else None,
        )
    return result


def tally(found: Iterable[Judgement]) -> dict[str, int]:
    """How many of each verdict, in the contract's order, zeros left out."""
    counts = dict.fromkeys((IMPROVED, NO_CLEAR_CHANGE, DECLINED, NOT_MEASURABLE, PENDING), 0)
    for j in found:
        counts[j.verdict] += 1
    return {verdict: n for verdict, n in counts.items() if n}
