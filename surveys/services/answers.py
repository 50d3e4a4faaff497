"""The historical answers import: past quarters' answers into a closed, historical cycle.

Takes the frame that importers.parse_responses validated. Each rater gets one random respondent
key for the cycle (as survey submission does with surveys.models.new_respondent_key), so answers
stay anonymous: the file's employee ids are used to group a person's answers and then dropped.
The rater department is the rater's department in the *current* org, since the file does not say
where people worked back then: import the org of that time first if it matters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.db import transaction

from ..bulk import distinct, ranks, write_answers
from ..models import CYCLE_NAME_RE, Answer, Cycle, SelfViewAnswer
from ..selectors import next_cycle_with_answers

if TYPE_CHECKING:
    import pandas as pd

# Not pandas: the import command hands over numpy columns, and loading pandas costs ~0.5 s.


class ImportRefused(Exception):
    """The import cannot go into this cycle (the message says why); nothing was written."""


@dataclass
class AnswersImportSummary:
    cycle: str
    answers: int
    respondents: int
    providers: int
    cycle_created: bool
    replaced: int = 0
    # Self-view answers go with the answers they were given with: a file cannot carry them, and kept
    # they would set a blind spot from one source against customers' ratings from another.
    replaced_self_views: int = 0
    dry_run: bool = False
    rollups_requested: list[str] = field(default_factory=list)


def cycle_refusal(*, cycle_name: str, replace: bool, republish: bool = False) -> str | None:
    """Why answers cannot be imported into `cycle_name`, or None. Reads only (three queries at most)."""
    if not re.fullmatch(CYCLE_NAME_RE, cycle_name):
        return f"cycle {cycle_name!r} is not a cycle name: use YYYY-Qn, e.g. 2025-Q3"
    cycle = Cycle.objects.filter(name=cycle_name).first()
    if cycle is None:
        return None
    return _refusal(cycle, replace=replace, republish=republish)


def _refusal(cycle: Cycle, *, replace: bool, republish: bool) -> str | None:
    if cycle.status == Cycle.Status.OPEN:
        return f"cycle {cycle.name} is open for answers: only past cycles take imported answers"
    if cycle.status == Cycle.Status.DRAFT:
        return f"cycle {cycle.name} is a draft that has not run yet: only past cycles take imported answers"
    if not replace:
        held = Answer.objects.filter(cycle=cycle).count()
        if held:
            return f"cycle {cycle.name} already holds {held} answers: use --replace to replace them"
    elif not republish and Cycle.objects.with_results().filter(pk=cycle.pk).exists():
        # Both versions would have been shown: a reader who kept the first can compare them, and
        # each is protected on its own, not the pair (SECURITY.md, "What a reader of two versions can learn").
        return (
            f"cycle {cycle.name}'s results are published: replacing its answers publishes a second version, "
            "and whoever kept the first can compare the two. If the first was wrong, add --republish"
        )
    return None


def respondent_keys(count: int) -> np.ndarray:
    """`count` distinct random keys in [1, 2**62], like models.new_respondent_key, in one draw."""
    while True:
        keys = (np.frombuffer(os.urandom(8 * count), dtype=np.uint64) >> np.uint64(2)).astype(np.int64) + 1
        if len(np.unique(keys)) == count:  # a repeat is astronomically rare, but would merge two people
            return keys


def _in_index_order(
    frame: pd.DataFrame | Mapping[str, np.ndarray], *, cycle_id: int, raters: np.ndarray
) -> dict[str, np.ndarray]:
    """The answers' columns (bulk.ANSWER_COLUMNS), each rater given a random respondent key, rows
    sorted by the primary key (cycle, respondent, provider, dimension): bulk.write_answers's order.

    Sorting by the respondent keys needs their ranks: among the few raters (`raters`, the distinct
    values of frame's `rater`, ascending), not the rows, so no row is hashed. Rows that come
    grouped by rater in (provider, dimension) order, as parse_responses(frame=False) gives them,
    are not sorted again: the raters' groups are moved into their keys' order (no sort of the
    rows); any other order takes one stable argsort of one integer per row.
    """
    rater = np.asarray(frame["rater"])
    count = len(rater)
    keys = respondent_keys(len(raters))
    key_rank = np.empty(len(raters), dtype=np.int64)
    key_rank[np.argsort(keys)] = np.arange(len(raters))
    if len(raters) and raters[-1] < 1 << 26:  # employee positions, as parse_responses numbers raters
        position = np.zeros(int(raters[-1]) + 1, dtype=np.int64)
        position[raters] = np.arange(len(raters))
        rater_code = position[rater]
    else:
        rater_code = np.searchsorted(raters, rater)
    provider, dimension = (np.asarray(frame[name]) for name in ("provider_department_id", "dimension_id"))
    provider_rank, providers = ranks(provider)
    dimension_rank, dimensions = ranks(dimension)
    within = provider_rank * dimensions + dimension_rank  # a rater's rows, in the order they are written
    if _grouped_in_order(rater_code, within):
        order = _groups_reordered(rater_code, key_rank, count)
    else:
        order = np.argsort(key_rank[rater_code] * (providers * dimensions) + within, kind="stable")
    rater_code = rater_code[order]
    return {
        "cycle_id": np.broadcast_to(np.int64(cycle_id), count),
        "respondent": keys[rater_code],
        "rater_department_id": np.asarray(frame["rater_department_id"])[order],
        "provider_department_id": provider[order],
        "dimension_id": dimension[order],
        "score": np.asarray(frame["score"])[order],
    }


def _grouped_in_order(rater_code: np.ndarray, within: np.ndarray) -> bool:
    """Whether the rows are sorted by (rater, within): as parse_responses(frame=False) gives them."""
    if len(rater_code) < 2:
        return True
    step = np.diff(rater_code)
    return bool((step >= 0).all() and ((step > 0) | (np.diff(within) > 0)).all())


def _groups_reordered(rater_code: np.ndarray, key_rank: np.ndarray, count: int) -> np.ndarray:
    """For rows sorted by (rater, provider, dimension): the permutation putting the raters' groups
    in the order of their respondent keys (`key_rank`), each group's rows kept in turn. No sort of
    the rows: each row's place is its group's new start plus its place in the group."""
    counts = np.bincount(rater_code, minlength=len(key_rank))
    old_start = np.cumsum(counts) - counts
    by_key = np.argsort(key_rank)  # raters, in the order of their keys
    new_counts = counts[by_key]
    new_start = np.empty(len(key_rank), dtype=np.int64)
    new_start[by_key] = np.cumsum(new_counts) - new_counts
    place = new_start[rater_code] + (np.arange(count) - old_start[rater_code])
    order = np.empty(count, dtype=np.int64)
    order[place] = np.arange(count)
    return order


def answers_import(
    frame: pd.DataFrame | Mapping[str, np.ndarray],
    *,
    cycle_name: str,
    replace: bool,
    dry_run: bool,
    republish: bool = False,
    committed: Callable[[AnswersImportSummary], None] | None = None,
) -> AnswersImportSummary:
    """Write the validated answers into cycle `cycle_name` in one transaction; all or nothing.

    Creates the cycle if missing (closed, historical, today's MIN_GROUP_SIZE). Raises ImportRefused
    for a malformed name, an open or draft cycle, a cycle holding answers without `replace`, or
    one whose results are published without `republish` as well; with `replace` its answers (and
    its self-view answers, which no file carries) are deleted and the new ones written in the same
    transaction.
    Requests the roll-ups the import calls for, sent when it commits: without a broker they run
    then, in this process, before this returns. `committed(summary)` is called as soon as the
    import has committed, before those roll-ups are sent (or run).
    """
    refusal = cycle_refusal(cycle_name=cycle_name, replace=replace, republish=republish)
    if refusal:
        raise ImportRefused(refusal)
    rater = np.asarray(frame["rater"])
    raters = distinct(rater)
    summary = AnswersImportSummary(
        cycle=cycle_name,
        answers=len(rater),
        respondents=len(raters),
        providers=len(distinct(np.asarray(frame["provider_department_id"]))),
        cycle_created=not Cycle.objects.filter(name=cycle_name).exists(),
        dry_run=dry_run,
    )
    if dry_run:
        if replace and not summary.cycle_created:
            summary.replaced = Answer.objects.filter(cycle__name=cycle_name).count()
            summary.replaced_self_views = SelfViewAnswer.objects.filter(cycle__name=cycle_name).count()
        return summary

    with transaction.atomic():
        cycle, created = Cycle.objects.select_for_update().get_or_create(
            name=cycle_name, defaults={"status": Cycle.Status.CLOSED, "is_historical": True}
        )
        summary.cycle_created = created
        if not created:
            # Checked again under the lock: someone may have opened the cycle or imported meanwhile.
            refusal = _refusal(cycle, replace=replace, republish=republish)
            if refusal:
                raise ImportRefused(refusal)
            if replace:
                summary.replaced, _ = Answer.objects.filter(cycle=cycle).delete()
                summary.replaced_self_views, _ = SelfViewAnswer.objects.filter(cycle=cycle).delete()
        write_answers(_in_index_order(frame, cycle_id=cycle.pk, raters=raters), in_order=True)
        if committed is not None:
            # Registered before the roll-up requests, so it runs before they are sent (or run).
            transaction.on_commit(lambda: committed(summary))
        summary.rollups_requested = _request_rollups(cycle)
    return summary


def _request_rollups(cycle: Cycle) -> list[str]:
    """Roll up the imported cycle (history is shown once rolled up), and the next cycle holding
    answers, whose deltas now compare to this one. Sent when the import commits."""
    from surveys.rollups import rollup_request

    following = next_cycle_with_answers(cycle=cycle)
    cycles = [cycle] if following is None else [cycle, following]
    for each in cycles:
        rollup_request(cycle=each)
    return [each.name for each in cycles]
