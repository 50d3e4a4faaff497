"""The roll-up's arithmetic in numpy: aggregate columns in, result columns out; no ORM, no I/O.

The input is what the roll-up's SQL returns (see `reports.services`): per link (rater department →
provider department) and dimension, the count, sum, sum of squares and count of favourable scores,
plus per link how many respondents answered each combination of the six service dimensions (a
6-bit mask; their sum is the link's distinct respondents, and the differencing rule needs the
combinations, see `reports.differencing`). Everything else follows from those sufficient
statistics, because

* a respondent gives at most one answer per provider and dimension (a database constraint), so a
  link-and-dimension count of answers *is* its count of distinct respondents; and
* each respondent belongs to exactly one rater department in a cycle, so distinct respondents of a
  department (in a scope) are the sum of its links' distinct respondents.

Counts, sums and sums of squares add up exactly. Suppression (minimum group size and the
differencing rule) is decided once by `reports.differencing.hidden_rows`, applied in `_figures`
(the one place that blanks figures), and only then are deltas, significance and ranks computed,
over shown rows only.

Tables are dicts of equal-length numpy arrays (inputs may be pandas DataFrames too: the tests
build them so, and read results as DataFrames through tests/reports/tables.py). numpy only, on
purpose: a fresh process that rolls up (`manage.py rollup`, a new worker) would otherwise spend
longer importing pandas than on the arithmetic.
"""

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from reports.columns import FIGURE_FIELDS, PACK_BASE, answer_set_array
from surveys.dimensions import (
    ALL_DIMENSIONS,
    EXPECTATION,
    FAVORABLE_MIN,
    OVERALL,
    ROW_DIMENSIONS,
    SCOPES,
    SCORECARD_DIMENSIONS,
    SERVICE_DIMENSIONS,
    SUPPLIER,
)

from . import differencing, stats

_OVERALL = ROW_DIMENSIONS.index(OVERALL)
_EXPECTATION = ALL_DIMENSIONS.index(EXPECTATION)
_ROWS = len(ROW_DIMENSIONS)
_SCORECARD = len(SCORECARD_DIMENSIONS)  # the outcome (last of ALL_DIMENSIONS) is reports.drivers' only

CELL_COLUMNS = ["rater", "provider", "dimension", "n", "total", "total_sq", "favorable"]
MASK_COLUMNS = ["rater", "provider", "mask", "respondents"]
COMPANY_RESPONDENT_COLUMNS = ["scope", "dimension", "respondents"]
DEPARTMENT_KEYS = ["department", "scope", "dimension"]
LINK_KEYS = ["rater", "provider", "dimension"]
COMPANY_KEYS = ["scope", "dimension"]
FIGURE_COLUMNS = list(FIGURE_FIELDS)
_SUMS = ["respondents", "ratings", "total", "total_sq", "favorable"]
# Which columns identify a row of each kind of table (`scope` and `dimension` as indexes into
# SCOPES and ROW_DIMENSIONS); tables also hold `scope` where it is not a key (links).
_KEYS = {"links": ["rater", "provider", "dimension"], "departments": DEPARTMENT_KEYS, "company": COMPANY_KEYS}
# Nullable columns are float arrays, NaN for empty: counts and ranks (whole numbers), and the flag.
NULLABLE_INTEGERS = ("respondents", "ratings", "rank")
_PREVIOUS = ("ratings", "mean", "variance")  # what a delta reads of the previous cycle's shown rows


@dataclass(frozen=True)
class Result:
    """One cycle's roll-up as tables. `departments`, `links` and `company` hold their keys (`scope`
    and `dimension` as indexes into SCOPES and ROW_DIMENSIONS), FIGURE_COLUMNS and `variance` (for
    the next cycle's significance tests). NULLABLE_INTEGERS and `delta_significant` are floats, NaN
    for empty. `summary`: the per-cycle figures; `decision`: what the differencing rule hid and why."""

    departments: dict
    links: dict
    company: dict
    summary: dict
    decision: differencing.Decision = None


def compute(
    cells,
    link_masks,
    *,
    min_group_size: int,
    previous: Result | None = None,
    company_respondents=None,
    people=None,
) -> Result:
    """Every figure of the contract for one cycle, from its aggregate tables.

    `cells`: CELL_COLUMNS (dimension: slugs, expectation included); `link_masks`: MASK_COLUMNS, per
    link the respondents per combination of service dimensions answered. `company_respondents`:
    COMPANY_RESPONDENT_COLUMNS, the distinct supplier-scope raters per dimension and overall (they
    overlap across departments); without it a lower bound is used, good for suppression decisions
    only. `previous`: the previous cycle's Result (computed with that cycle's own minimum group
    size, or read from its snapshot); deltas are empty without it. `people` (see `people_of`, or a
    function returning it, called only if needed): who answered what, so that the exact
    differencing check counts distinct raters exactly; without it a lower bound is used (it may
    hide a little more, never less).
    """
    cells = _cells(cells)
    masks = {c: _ints(link_masks, c) for c in MASK_COLUMNS}
    service = cells["dimension"] != _EXPECTATION
    links = _link_sums(_rows(cells, service), masks)
    departments = _department_sums(links)
    sums = {"links": links, "departments": departments}
    expectation_cells = _rows(cells, ~service)
    raters = differencing.Raters(masks, people, _expectation_counts(expectation_cells))
    with _cycle_collection_paused():
        decision, hidden = _decide(sums, masks, min_group_size, raters)
    # Company lines pool the departments whose rows are shown, and only those: a sum of shown rows
    # tells nothing they do not, so it never needs hiding, and no department is hidden for its sake
    # (a line over every department would hide a company figure of hundreds of raters to protect
    # one small department, or hide departments to protect it). Pages say "all departments shown".
    # (The exact count of distinct supplier raters is over every department: where some are left
    # out, the lower bound stands in; company respondents are stored, never shown.)
    every = not hidden["departments"].any()
    shown_departments = _shown_rows(departments, hidden["departments"])
    sums["company"] = _company_sums(shown_departments, company_respondents if every else None)
    hidden["company"] = sums["company"]["ratings"] == 0  # nothing of it is shown: no line
    expectation = _expectations(expectation_cells, sums)
    with _cycle_collection_paused():
        expectation_hidden = _expectation_hidden(expectation_cells, sums, hidden, raters, min_group_size)
    tables = {kind: _figures(sums[kind], *expectation[kind], hidden[kind], expectation_hidden[kind]) for kind in sums}
    if previous is not None:
        tables = {kind: _with_delta(table, getattr(previous, kind), _KEYS[kind]) for kind, table in tables.items()}
    for kind in ("departments", "links"):
        _rank(tables[kind])
    company = tables["company"]
    shown = (company["scope"] == 0) & (company["dimension"] == _OVERALL) & ~company["suppressed"]
    # The company mean as the company line shows it: hidden where the differencing rule hides that
    # line (otherwise it and the shown departments would give a hidden one away).
    summary = {
        "company_mean": float(company["mean"][shown][0]) if shown.any() else None,
        **_weakest(tables["departments"], tables["links"]),
    }
    return Result(tables["departments"], tables["links"], company, summary, decision)


def from_answer_sets(rows: np.ndarray | list[tuple]) -> tuple[dict, dict, dict]:
    """Cells, link masks and company respondents (the inputs of `compute`) from answer sets.

    `rows`: one per respondent and provider: rater department, provider department, respondent key,
    packed scores (see reports.columns.PACK_BASE). Respondent keys only group a person's sets here
    (their supplier-wide mask); they leave this function in no output.
    """
    sets = answer_set_array(rows)
    rater, provider, respondent, packed = sets.T
    links, link = _group([rater, provider])  # the distinct (rater, provider) pairs; each set's pair
    bits = PACK_BASE.bit_length() - 1  # PACK_BASE is a power of two
    scores = (packed[:, None] >> (bits * np.arange(_SCORECARD))) & (PACK_BASE - 1)  # sets × 7, no outcome
    answered = scores > 0
    cells = _cells_of(links, link, scores, answered)

    mask = answered[:, : differencing.DIMENSION_COUNT] @ (1 << np.arange(differencing.DIMENSION_COUNT))
    rated = mask != 0  # a set of expectation (or outcome) answers only rates no service dimension
    masks_per_link = differencing.MASKS
    per_mask = np.bincount(link[rated] * masks_per_link + mask[rated], minlength=len(links[0]) * masks_per_link)
    found = np.flatnonzero(per_mask)
    masks = {
        "rater": links[0][found // masks_per_link],
        "provider": links[1][found // masks_per_link],
        "mask": found % masks_per_link,
        "respondents": per_mask[found],
    }
    supplier = rated & (rater != provider)
    return cells, masks, company_respondents(respondent[supplier], mask[supplier])


def _cells_of(links, link, scores, answered) -> dict:
    """Count, sum, sum of squares and favourable count per link and dimension (where answered)."""
    dimensions = scores.shape[1]
    cell = (link[:, None] * dimensions + np.arange(dimensions)).ravel()  # per set and dimension

    def per_cell(weights):
        return np.bincount(cell, weights.ravel(), minlength=len(links[0]) * dimensions).reshape(-1, dimensions)

    sums = {
        "n": per_cell(answered),
        "total": per_cell(scores),
        "total_sq": per_cell(scores * scores),
        "favorable": per_cell(scores >= FAVORABLE_MIN),
    }
    at, dimension = np.nonzero(sums["n"])
    return {
        "rater": links[0][at],
        "provider": links[1][at],
        "dimension": np.asarray(ALL_DIMENSIONS, dtype=object)[dimension],
        **{name: values[at, dimension].astype("int64") for name, values in sums.items()},
    }


def people_of(rows: np.ndarray | list[tuple]) -> dict:
    """Who answered what, for the exact differencing check's count of distinct raters: per answer set
    (see `from_answer_sets`) its rater, provider, respondent key, mask of service dimensions
    answered and whether it holds an expectation answer. Only counts of distinct keys are ever
    taken of it; nothing of it is stored or leaves the roll-up."""
    sets = answer_set_array(rows)
    rater, provider, respondent, packed = sets.T
    bits = PACK_BASE.bit_length() - 1
    scores = (packed[:, None] >> (bits * np.arange(len(ALL_DIMENSIONS)))) & (PACK_BASE - 1)
    answered = scores > 0
    mask = answered[:, : differencing.DIMENSION_COUNT] @ (1 << np.arange(differencing.DIMENSION_COUNT))
    return {
        "rater": rater,
        "provider": provider,
        "respondent": respondent,
        "mask": mask,
        "expectation": answered[:, _EXPECTATION],
    }


def company_respondents(respondent: np.ndarray, mask: np.ndarray) -> dict:
    """Distinct supplier-scope raters per dimension and overall, from their supplier answer sets:
    a person's supplier-wide mask ORs the masks of the sets they gave."""
    order = np.argsort(respondent, kind="stable")
    respondent, mask = respondent[order], mask[order]
    starts = np.flatnonzero(np.r_[True, respondent[1:] != respondent[:-1]]) if len(respondent) else np.array([], int)
    people = np.bitwise_or.reduceat(mask, starts) if len(starts) else np.array([], dtype="int64")
    counts = np.bincount(people, minlength=differencing.MASKS)
    bits = np.arange(differencing.MASKS)
    respondents = [int(counts[(bits & (1 << i)) != 0].sum()) for i in range(len(SERVICE_DIMENSIONS))]
    return {
        "scope": np.full(_ROWS, SUPPLIER, dtype=object),
        "dimension": np.asarray(ROW_DIMENSIONS, dtype=object),
        "respondents": np.asarray([*respondents, int(counts[1:].sum())], dtype="int64"),
    }


def stored_rollup(rows: list[tuple]) -> Result:
    """A cycle's Result as its stored snapshot holds it, with what a later cycle's deltas read
    (ratings, mean, variance and suppressed of each row). `rows`: (kind, first id, second id, scope,
    dimension, ratings, mean, variance, suppressed) with kind "link", "department" or "company";
    at least one row."""
    kind, first, second, scope, dimension, ratings, mean, variance, suppressed = (
        np.asarray(column, dtype=object) for column in zip(*rows, strict=True)
    )

    def part(name, ids):
        chosen = kind == name
        table = {column: np.asarray(values[chosen], dtype="int64") for column, values in ids.items()}
        table["scope"] = _codes(scope[chosen], SCOPES)
        table["dimension"] = _codes(dimension[chosen], ROW_DIMENSIONS)
        for column, values in (("ratings", ratings), ("mean", mean), ("variance", variance)):
            table[column] = np.array([np.nan if v is None else v for v in values[chosen]], dtype="float64")
        table["suppressed"] = np.asarray(suppressed[chosen], dtype=bool)
        return table

    return Result(
        departments=part("department", {"department": first}),
        links=part("link", {"rater": first, "provider": second}),
        company=part("company", {}),
        summary={},
    )


def response_rates(participants, headcounts) -> tuple[dict, dict]:
    """Participants over employees active when the cycle opened, per department and overall.

    `participants`: department, participants; `headcounts`: department, eligible. A department
    without a headcount (e.g. an imported historical cycle) has an unknown rate; the overall rate
    is unknown unless every department with participants has a headcount. Per department: a table
    of department, participants, eligible and response_rate (NaN where unknown).
    """
    counted, headcounted = _ints(participants, "department"), _ints(headcounts, "department")
    departments = np.union1d(counted, headcounted)
    taking = np.zeros(len(departments), dtype="int64")
    taking[np.searchsorted(departments, counted)] = _ints(participants, "participants")
    eligible = np.full(len(departments), np.nan)
    eligible[np.searchsorted(departments, headcounted)] = _ints(headcounts, "eligible")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(eligible > 0, taking / eligible, np.nan)
    known = ~np.isnan(eligible)
    total_participants = int(taking.sum())
    complete = bool(len(departments)) and bool(known[taking > 0].all()) and bool(known.any())
    total_eligible = int(eligible[known].sum()) if complete else None
    overall = {
        "participants": total_participants,
        "eligible": total_eligible,
        "response_rate": _ratio(total_participants, total_eligible) if total_eligible else None,
    }
    table = {"department": departments, "participants": taking, "eligible": eligible, "response_rate": rate}
    return table, overall


def _ints(table, column: str) -> np.ndarray:
    return np.asarray(table[column], dtype="int64")


def _codes(names, choices: tuple) -> np.ndarray:
    """Indexes into `choices` of an array of names (a few distinct values: looked up once each)."""
    names = np.asarray(names, dtype=object)
    if not len(names):
        return np.zeros(0, dtype="int64")
    distinct, inverse = np.unique(names.astype(str), return_inverse=True)
    return np.asarray([choices.index(name) for name in distinct], dtype="int64")[inverse.ravel()]


def _cells(cells) -> dict:
    """Typed cells: ids and sums as int64, dimension as an index into ALL_DIMENSIONS. Outcome cells
    are dropped: the outcome counts in no scorecard figure."""
    typed = {column: _ints(cells, column) for column in CELL_COLUMNS if column != "dimension"}
    typed["dimension"] = _codes(cells["dimension"], ALL_DIMENSIONS)
    return _rows(typed, typed["dimension"] < _SCORECARD)


def _rows(table: dict, selected: np.ndarray) -> dict:
    return {column: values[selected] for column, values in table.items()}


def _codes_of_keys(*tables: list[np.ndarray]) -> list[np.ndarray]:
    """One int64 per row of each table of key columns (integers), equal where the keys are equal.

    Codes sort as the keys do (first column first). Mixed radix over the columns' ranges: sorting
    and matching one integer is ~20x faster than numpy's row-wise unique, used only where the
    ranges multiply beyond int64.
    """
    columns = [np.concatenate(parts).astype("int64") for parts in zip(*tables, strict=True)]
    lows = [int(column.min(initial=0)) for column in columns]
    spans = [int(column.max(initial=0)) - low + 1 for column, low in zip(columns, lows, strict=True)]
    if math.prod(spans) < 2**62:
        code = np.zeros(len(columns[0]), dtype="int64")
        for column, low, span in zip(columns, lows, spans, strict=True):
            code = code * span + (column - low)
    else:
        code = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)[1].ravel()
    return np.split(code, np.cumsum([len(t[0]) for t in tables])[:-1])


def _join(keys: list[np.ndarray], other: list[np.ndarray]) -> np.ndarray:
    """For each row of `keys` (columns), the row of `other` with the same key, or -1 (`other`'s keys distinct)."""
    mine, theirs = _codes_of_keys(keys, other)
    if not len(theirs):
        return np.full(len(mine), -1)
    order = np.argsort(theirs, kind="stable")
    at = order[np.minimum(np.searchsorted(theirs, mine, sorter=order), len(theirs) - 1)]
    return np.where(theirs[at] == mine, at, -1)


def _take(values: np.ndarray, at: np.ndarray, missing=np.nan) -> np.ndarray:
    """values[at] where at >= 0 (see `_join`), `missing` elsewhere."""
    if not len(values):
        return np.full(len(at), missing)
    return np.where(at >= 0, values[np.maximum(at, 0)], missing)


def _group(keys: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct keys (columns, sorted by the first column, then the next...) and, per row, the index of its key."""
    (code,) = _codes_of_keys(keys)
    _, first, index = np.unique(code, return_index=True, return_inverse=True)
    return [column[first] for column in keys], index.ravel()


def _link_sums(service: dict, masks: dict) -> dict:
    """Per link and dimension (six slugs and overall): respondents, ratings, total, total_sq, favorable.

    Every link that received a rating gets all seven rows: a dimension nobody in it rated has zeros
    (and is hidden), as the contract's link export requires."""
    (rater, provider), link = _group([service["rater"], service["provider"]])
    sums = {name: np.zeros((len(rater), _ROWS), dtype="int64") for name in _SUMS}
    for name, column in (("ratings", "n"), ("total", "total"), ("total_sq", "total_sq"), ("favorable", "favorable")):
        np.add.at(sums[name], (link, service["dimension"]), service[column])
        sums[name][:, _OVERALL] = sums[name][:, :_OVERALL].sum(axis=1)
    sums["respondents"][:, :_OVERALL] = sums["ratings"][:, :_OVERALL]
    answered = masks["mask"] != 0  # respondents who rated the link at all: its overall respondents
    link_of = _join([masks["rater"][answered], masks["provider"][answered]], [rater, provider])
    overall = np.bincount(link_of[link_of >= 0], masks["respondents"][answered][link_of >= 0], minlength=len(rater))
    sums["respondents"][:, _OVERALL] = overall.astype("int64")
    return {
        "rater": np.repeat(rater, _ROWS),
        "provider": np.repeat(provider, _ROWS),
        "scope": np.repeat((rater == provider).astype("int64"), _ROWS),
        "dimension": np.tile(np.arange(_ROWS), len(rater)),
        **{name: values.ravel() for name, values in sums.items()},
    }


def _department_sums(links: dict) -> dict:
    """Per department (the provider), scope and dimension: the sums of its links."""
    (department, scope, dimension), index = _group([links["provider"], links["scope"], links["dimension"]])
    table = {"department": department, "scope": scope, "dimension": dimension}
    for name in _SUMS:
        table[name] = np.bincount(index, links[name], minlength=len(department)).astype("int64")
    return table


def _shown_rows(table: dict, hidden: np.ndarray) -> dict:
    """`table` with the figures of its hidden rows set to zero: pooled, they add nothing, and every
    scope and dimension keeps its company line (hidden, with no ratings, where nothing is shown)."""
    out = dict(table)
    for name in _SUMS:
        out[name] = np.where(hidden, 0, table[name])
    return out


def _company_sums(departments: dict, company_respondents) -> dict:
    """Per scope and dimension, the sums of the department rows. Management raters are disjoint
    across departments (each rates their own): their sum is exact. Supplier raters overlap: the
    exact count where given, else the largest department's (a lower bound)."""
    (scope, dimension), index = _group([departments["scope"], departments["dimension"]])
    table = {"scope": scope, "dimension": dimension}
    for name in _SUMS:
        table[name] = np.bincount(index, departments[name], minlength=len(scope)).astype("int64")
    largest = np.zeros(len(scope), dtype="int64")
    np.maximum.at(largest, index, departments["respondents"])
    supplier = scope == 0
    table["respondents"] = np.where(supplier, largest, table["respondents"])
    if company_respondents is not None and len(company_respondents["respondents"]):
        given_scope = _codes(company_respondents["scope"], SCOPES)
        given_dimension = _codes(company_respondents["dimension"], ROW_DIMENSIONS)
        at = _join([scope, dimension], [given_scope, given_dimension])
        exact = _take(_ints(company_respondents, "respondents"), at, missing=0)
        table["respondents"] = np.where(supplier, exact, table["respondents"]).astype("int64")
    return table


def _expectations(expectation: dict, sums: dict) -> dict:
    """Per row of each kind: (count, total) of the expectation answers its link, department (in
    its scope) or company line (in its scope) received; NaN count where it received none."""
    scope = (expectation["rater"] == expectation["provider"]).astype("int64")
    groups = {
        "links": ([expectation["rater"], expectation["provider"]], ["rater", "provider"]),
        "departments": ([expectation["provider"], scope], ["department", "scope"]),
        "company": ([scope], ["scope"]),
    }
    out = {}
    for kind, (keys, columns) in groups.items():
        distinct, index = _group(keys)
        n = np.bincount(index, expectation["n"], minlength=len(distinct[0]))
        total = np.bincount(index, expectation["total"], minlength=len(distinct[0]))
        at = _join([sums[kind][c] for c in columns], distinct)
        out[kind] = (_take(n, at), _take(total, at))
    return out


@contextmanager
def _cycle_collection_paused():
    """The differencing rule builds a few million small tuples, sets and dicts that hold no
    reference cycle; Python's cycle collector, set off by their allocation, went over all of them
    again and again: a third of the rule's CPU time at 100,000 people. It is paused for the rule
    (what it frees, it frees by reference counting) and resumes as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decide(
    sums: dict[str, dict], masks: dict, min_group_size: int, raters: differencing.Raters
) -> tuple[differencing.Decision, dict]:
    """The differencing rule over every published node (management rows share their diagonal link's
    node): the family rule first, then the exact check of the whole system; returns the decision
    and, per kind of row, a boolean array: hidden or not."""
    small = {kind: (t["respondents"] < min_group_size) | (t["ratings"] == 0) for kind, t in sums.items()}
    if not any(flags.any() for flags in small.values()):
        # Nothing is hidden for its size, so no subtraction can give a small group away.
        return differencing.Decision(), small
    keys = {kind: _node_keys(table, kind) for kind, table in sums.items()}
    nodes: dict = {}
    for kind, table in sums.items():
        for key, respondents, ratings in zip(keys[kind], table["respondents"], table["ratings"], strict=True):
            nodes.setdefault(key, (respondents, ratings))
    nodes = {
        "key": list(nodes),
        "respondents": [v[0] for v in nodes.values()],
        "ratings": [v[1] for v in nodes.values()],
    }
    families = differencing.families_of(nodes)
    decision = differencing.hidden_rows(nodes, masks, min_group_size=min_group_size, families=families)
    pieces = differencing.score_pieces(sums["links"])
    decision = differencing.exact_rule(
        decision, nodes, pieces, raters, min_group_size=min_group_size, families=families
    )
    hidden = {kind: np.asarray([key in decision.hidden for key in keys[kind]], dtype=bool) for kind in sums}
    return decision, hidden


def _node_keys(table: dict, kind: str) -> list[tuple]:
    dimension, scope = table["dimension"].tolist(), [SCOPES[s] for s in table["scope"].tolist()]
    if kind == "links":
        links = zip(table["rater"].tolist(), table["provider"].tolist(), dimension, strict=True)
        return [differencing.link_key(*k) for k in links]
    if kind == "departments":
        departments = zip(table["department"].tolist(), scope, dimension, strict=True)
        return [differencing.department_key(*k) for k in departments]
    return [differencing.company_key(*k) for k in zip(scope, dimension, strict=True)]


def _expectation_counts(expectation: dict) -> dict:
    """(rater, provider) → expectation answers given (one per person and provider: its raters)."""
    return {
        (r, p): n
        for r, p, n in zip(
            expectation["rater"].tolist(), expectation["provider"].tolist(), expectation["n"].tolist(), strict=True
        )
        if n
    }


def _expectation_hidden(expectation: dict, sums: dict, hidden: dict, raters, min_group_size: int) -> dict:
    """Per row of each kind: is its expectation mean (and gap) hidden? The expectation answers to a
    department in a scope are a group of their own: hidden below the minimum of distinct raters,
    where no row of that department and scope is shown, or by the exact check. Links and company
    lines never show one (no page or file does), so they keep none."""
    groups: dict = {}
    for r, p in _expectation_counts(expectation):
        groups.setdefault(("E", p, SCOPES[int(r == p)]), set()).add((r, p))
    departments = sums["departments"]
    keys = [
        ("E", d, SCOPES[s])
        for d, s in zip(departments["department"].tolist(), departments["scope"].tolist(), strict=True)
    ]
    shown_with: dict = {}
    for key, is_hidden in zip(keys, hidden["departments"].tolist(), strict=True):
        shown_with[key] = shown_with.get(key, False) or not is_hidden
    groups = {key: group for key, group in groups.items() if key in shown_with}
    secret = differencing.expectation_hidden(groups, shown_with, raters, min_group_size=min_group_size)
    return {
        "links": np.ones(len(sums["links"]["rater"]), dtype=bool),
        "departments": np.asarray([k not in groups or k in secret for k in keys], dtype=bool),
        "company": np.ones(len(sums["company"]["scope"]), dtype=bool),
    }


def _figures(sums: dict, expectation_n, expectation_total, hidden: np.ndarray, expectation_hidden=None) -> dict:
    """Means, favourable %, CI, expectation mean and gap from the sums; a hidden row keeps none of
    them, and the expectation mean and gap are also empty where their own group is hidden."""
    n = sums["ratings"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums["total"] / np.where(n > 0, n, np.nan)
        variance = stats.sample_variance(n, sums["total"], sums["total_sq"])
        ci_low, ci_high = stats.mean_ci(n, mean, variance)
        expectation_mean = expectation_total / expectation_n
        favorable_pct = 100.0 * sums["favorable"] / n
    shown = ~hidden
    expectation_shown = shown if expectation_hidden is None else shown & ~expectation_hidden

    def blank(values):
        return np.where(shown, values, np.nan)

    out = {column: values for column, values in sums.items() if column not in _SUMS}
    out |= {
        "respondents": blank(sums["respondents"]),
        "ratings": blank(n),
        "mean": blank(mean),
        "favorable_pct": blank(favorable_pct),
        "ci_low": blank(ci_low),
        "ci_high": blank(ci_high),
        "expectation_mean": np.where(expectation_shown, expectation_mean, np.nan),
        "gap": np.where(expectation_shown, mean - expectation_mean, np.nan),
        "delta": np.full(len(n), np.nan),
        "delta_p_value": np.full(len(n), np.nan),
        "delta_significant": np.full(len(n), np.nan),
        "rank": np.full(len(n), np.nan),
        "suppressed": hidden.astype(bool),
        "variance": blank(variance),
    }
    return out


def _with_delta(current: dict, previous: dict, keys: list[str]) -> dict:
    """Delta and Welch's test against the previous cycle, where neither side is suppressed."""
    before = ~np.asarray(previous["suppressed"], dtype=bool)
    at = _join([current[k] for k in keys], [np.asarray(previous[k], dtype="int64")[before] for k in keys])
    prev_n, prev_mean, prev_var = (_take(np.asarray(previous[c], dtype="float64")[before], at) for c in _PREVIOUS)
    comparable = ~np.isnan(current["mean"]) & ~np.isnan(prev_mean)
    p = np.full(len(comparable), np.nan)
    p[comparable] = stats.welch_p_value(
        current["ratings"][comparable],
        current["mean"][comparable],
        current["variance"][comparable],
        prev_n[comparable],
        prev_mean[comparable],
        prev_var[comparable],
    )
    current["delta"] = np.where(comparable, current["mean"] - prev_mean, np.nan)
    current["delta_p_value"] = p
    current["delta_significant"] = np.where(np.isnan(p), np.nan, (p < stats.SIGNIFICANCE).astype("float64"))
    return current


def _rank(table: dict) -> None:
    """Rank 1 = best unrounded mean among non-suppressed rows of a scope and dimension; ties share the smaller rank."""
    shown = ~table["suppressed"]
    group = table["scope"] * _ROWS + table["dimension"]
    for value in np.unique(group[shown]):
        rows = np.flatnonzero(shown & (group == value))
        worse_first = np.sort(-table["mean"][rows])
        table["rank"][rows] = np.searchsorted(worse_first, -table["mean"][rows], side="left") + 1


def _weakest(departments: dict, links: dict) -> dict:
    """Lowest non-suppressed overall means; ties go to the lower id so that reruns agree."""

    def lowest(table: dict, scope: int, ids: list[str]):
        chosen = np.flatnonzero((table["dimension"] == _OVERALL) & (table["scope"] == scope) & ~table["suppressed"])
        if not len(chosen):
            return None
        order = np.lexsort([table[column][chosen] for column in reversed(ids)] + [table["mean"][chosen]])
        row = chosen[order[0]]
        return {column: int(table[column][row]) for column in ids} | {"mean": float(table["mean"][row])}

    department = lowest(departments, 0, ["department"]) or {}
    supplier_link = lowest(links, 0, ["rater", "provider"]) or {}
    management_link = lowest(links, 1, ["provider"]) or {}
    return {
        "weakest_department_id": department.get("department"),
        "weakest_department_mean": department.get("mean"),
        "weakest_supplier_link_rater_id": supplier_link.get("rater"),
        "weakest_supplier_link_provider_id": supplier_link.get("provider"),
        "weakest_supplier_link_mean": supplier_link.get("mean"),
        "weakest_management_link_id": management_link.get("provider"),
        "weakest_management_link_mean": management_link.get("mean"),
    }


def named(table: dict) -> dict:
    """A result table with `scope` and `dimension` as names (text) rather than indexes."""
    return table | {
        "scope": np.asarray(SCOPES, dtype=object)[table["scope"]],
        "dimension": np.asarray(ROW_DIMENSIONS, dtype=object)[table["dimension"]],
    }


def _ratio(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if denominator else None
