"""No combination of a cycle's published figures gives away a group below the minimum (the
contract's "No differencing", any combination), against an independent brute-force search.

Random small companies go through the real roll-up (`rollup_cycle`) and the real outputs: the
scorecard CSV, the links CSV and the company lines as the pages read them. The reader here knows
which rows are shown and, for each, that it is the sum of its pieces (rater department × provider ×
dimension for scores; rater department × provider for expectation answers): counts, sums of scores
and favourable counts all have that one structure. The oracle asks whether some weighted sum of
shown rows equals a quantity made only of hidden pieces whose raters, together, are 1 to N − 1
people: for a set S of hidden pieces that happens exactly when rank(M_H) − rank(M_{H∖S}) > 0 (M_H:
the shown rows restricted to the hidden pieces). It enumerates every maximal S below N raters (the
pieces rated only by some N − 1 people) and decides with fractions.Fraction: exact, no rounding.

It does not import `reports.differencing`: it is the roll-up's judge, not its copy.
"""

import csv
import io
import itertools
import tempfile
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import selectors
from reports.services import rollup_cycle
from surveys.dimensions import OVERALL, SERVICE_DIMENSIONS
from surveys.models import Cycle, Department
from tests.reports.builders import add_answers

MINIMUM = 5


# --- Random companies -------------------------------------------------------------------------


@st.composite
def companies(draw):
    """(departments, answers): answers are (respondent, rater index, provider index, dimension, score);
    each person belongs to one department, rates a few providers (their own = management), skips
    dimensions at random and gives an expectation answer or not."""
    departments = draw(st.integers(3, 6))
    people = draw(st.integers(6, 30))
    answers = []
    for person in range(1, people + 1):
        home = draw(st.integers(0, departments - 1))
        providers = draw(st.sets(st.integers(0, departments - 1), min_size=1, max_size=min(3, departments)))
        for provider in sorted(providers):
            rated = draw(st.lists(st.booleans(), min_size=6, max_size=6).filter(any))
            for dimension, answered in zip(SERVICE_DIMENSIONS, rated, strict=True):
                if answered:
                    answers.append((person, home, provider, dimension, draw(st.integers(1, 5))))
            if draw(st.booleans()):
                answers.append((person, home, provider, "expectation", draw(st.integers(1, 5))))
    return departments, answers


# --- Through the real roll-up and the real exports ----------------------------------------------


def published(departments: int, answers: list) -> dict:
    """Roll the company up and read back what is published, rolled back afterwards.

    Returns {"score": {row key: shown}, "expectation": {row key: shown}} with row keys
    ("L", rater, provider, dim), ("D", department, scope, dim), ("C", scope, dim) for scores and
    ("D", department, scope), ("C", scope) for expectation means; departments as indexes."""
    out = {}
    with transaction.atomic():
        made = Department.objects.bulk_create(
            [Department(name=f"Dept {i}", slug=f"dept-{i}") for i in range(departments)]
        )
        made = list(Department.objects.filter(pk__in=[d.pk for d in made]).order_by("name"))
        index = {d.name: i for i, d in enumerate(made)}
        cycle = Cycle.objects.create(
            name="2026-Q3", status=Cycle.Status.CLOSED, is_historical=True, min_group_size=MINIMUM
        )
        add_answers(cycle, [(who, made[r], made[p], dim, score) for who, r, p, dim, score in answers])
        rollup_cycle(cycle_id=cycle.id)
        with tempfile.TemporaryDirectory() as folder:
            scorecards, links = Path(folder) / "scorecards.csv", Path(folder) / "links.csv"
            call_command(
                "export_scorecards", cycle.name, "--format", "csv", "-o", str(scorecards), stdout=io.StringIO()
            )
            call_command("export_links", cycle.name, "-o", str(links), stdout=io.StringIO())
            score, expectation = {}, {}
            with open(links, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    key = ("L", index[row["rater_department"]], index[row["provider_department"]], row["dimension"])
                    score[key] = row["suppressed"] == "false"
            with open(scorecards, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    department = index[row["department"]]
                    score[("D", department, row["scope"], row["dimension"])] = row["suppressed"] == "false"
                    if row["expectation_mean"] != "":
                        expectation[("D", department, row["scope"])] = True
        for row in selectors.company_rows(cycle_ids=[cycle.id]):
            score[("C", row["scope"], row["dimension"])] = not row["suppressed"]
            if not row["suppressed"] and row["expectation_mean"] is not None:
                expectation[("C", row["scope"])] = True
        out = {"score": score, "expectation": expectation}
        transaction.set_rollback(True)
    return out


# --- The oracle -----------------------------------------------------------------------------------


def score_pieces(answers) -> dict:
    """(rater, provider, dimension) → the set of people who rated it."""
    raters = defaultdict(set)
    for who, rater, provider, dimension, _ in answers:
        if dimension in SERVICE_DIMENSIONS:
            raters[(rater, provider, dimension)].add(who)
    return raters


def expectation_pieces(answers) -> dict:
    """(rater, provider) → the set of people who gave that provider an expectation answer."""
    raters = defaultdict(set)
    for who, rater, provider, dimension, _ in answers:
        if dimension == "expectation":
            raters[(rater, provider)].add(who)
    return raters


def score_row_pieces(key, pieces) -> set:
    """The pieces a published score row adds up, written from the contract's definitions."""
    dims = lambda d: SERVICE_DIMENSIONS if d == OVERALL else (d,)  # noqa: E731
    if key[0] == "L":
        _, rater, provider, d = key
        return {(rater, provider, x) for x in dims(d)} & set(pieces)
    if key[0] == "D":
        _, department, scope, d = key
        return {
            p
            for p in pieces
            if p[1] == department and p[2] in dims(d) and (p[0] == department) == (scope == "management")
        }
    _, scope, d = key
    return {p for p in pieces if p[2] in dims(d) and (p[0] == p[1]) == (scope == "management")}


def expectation_row_pieces(key, pieces) -> set:
    if key[0] == "D":
        _, department, scope = key
        return {p for p in pieces if p[1] == department and (p[0] == department) == (scope == "management")}
    _, scope = key
    return {p for p in pieces if (p[0] == p[1]) == (scope == "management")}


def _eliminate(rows: list[list[Fraction]], columns: list[int]) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Gauss–Jordan on `columns` (in order): (rows with a pivot there, the other rows, now zero there)."""
    rows = [list(r) for r in rows]
    pivots = []
    for column in columns:
        at = next((i for i, r in enumerate(rows) if r[column] != 0), None)
        if at is None:
            continue
        pivot = rows.pop(at)
        scale = pivot[column]
        pivot = [v / scale for v in pivot]
        for r in (*rows, *pivots):
            if r[column] != 0:
                factor = r[column]
                for j, v in enumerate(pivot):
                    if v:
                        r[j] -= factor * v
        pivots.append(pivot)
    return pivots, [r for r in rows if any(r)]


def rank(rows: list[list[Fraction]], columns: list[int]) -> int:
    return len(_eliminate(rows, columns)[0])


def find_leak(pieces: dict, rows: list[set], minimum: int):
    """A quantity made only of hidden pieces of 1 to minimum − 1 raters that the shown `rows` (sets of
    pieces) determine, as (coefficients by piece, its raters); or None."""
    known = {next(iter(r)) for r in rows if len(r) == 1}
    hidden = sorted(set(pieces) - known, key=str)
    column = {p: i for i, p in enumerate(hidden)}
    matrix = [[Fraction(0)] * len(hidden) for _ in rows]
    for r, row in zip(matrix, rows, strict=True):
        for piece in row:
            if piece in column:
                r[column[piece]] = Fraction(1)
    matrix = [r for r in matrix if any(r)]
    small = [column[p] for p in hidden if len(pieces[p]) < minimum]
    large = [column[p] for p in hidden if len(pieces[p]) >= minimum]
    # W: the combinations of shown rows that are zero on every piece of `minimum` raters or more.
    _, rest = _eliminate(matrix, large)
    basis, _ = _eliminate(rest, small)
    # W is the direct sum of its blocks (pieces linked through its reduced basis): a vector of W
    # supported in S exists iff one exists within one block.
    for rows, support in _blocks(basis, small):
        leak = _block_leak(rows, support, hidden, pieces, minimum)
        if leak is not None:
            return leak
    return None


def _blocks(basis, columns):
    group = {c: c for c in columns}

    def root(c):
        while group[c] != c:
            c = group[c]
        return c

    for row in basis:
        used = [c for c in columns if row[c]]
        for c in used[1:]:
            group[root(c)] = root(used[0])
    blocks = defaultdict(list)
    for row in basis:
        blocks[root(next(c for c in columns if row[c]))].append(row)
    return [(rows, [c for c in columns if root(c) == key]) for key, rows in blocks.items()]


def _block_leak(basis, support, hidden, pieces, minimum):
    people = sorted(set().union(*(pieces[hidden[c]] for c in support)))
    if len(people) < minimum:
        return _describe(basis, support, [], hidden, pieces)
    if len(basis) == 1:
        return None  # one vector (up to scale): its support is the whole block
    bit = {who: 1 << i for i, who in enumerate(people)}
    mask = {c: sum(bit[w] for w in pieces[hidden[c]]) for c in support}
    candidates = set()
    for chosen in itertools.combinations(people, minimum - 1):
        allowed = sum(bit[w] for w in chosen)
        inside = frozenset(c for c in support if mask[c] & ~allowed == 0)
        if inside:
            candidates.add(inside)
    tried = []
    for inside in sorted(candidates, key=len, reverse=True):
        if any(inside <= bigger for bigger in tried):
            continue
        tried.append(inside)
        outside = [c for c in support if c not in inside]
        if rank(basis, outside) < len(basis):
            return _describe(basis, support, outside, hidden, pieces)
    return None


def _describe(basis, support, outside, hidden, pieces):
    """One combination of `basis` that is zero on `outside`: its coefficients and raters."""
    if outside:
        # y with y·basis = 0 on `outside`: eliminate the transposed system.
        transposed = [[b[c] for b in basis] for c in outside]
        pivots, _ = _eliminate(transposed, list(range(len(basis))))
        lead = [next(j for j, v in enumerate(p) if v) for p in pivots]
        free = next(j for j in range(len(basis)) if j not in lead)
        y = [Fraction(0)] * len(basis)
        y[free] = Fraction(1)
        for p, j in zip(pivots, lead, strict=True):
            y[j] = -p[free]
        vector = [sum(y[i] * basis[i][c] for i in range(len(basis))) for c in support]
    else:
        vector = [basis[0][c] for c in support]
    coefficients = {hidden[c]: v for c, v in zip(support, vector, strict=True) if v}
    raters = set().union(*(pieces[p] for p in coefficients))
    return coefficients, raters


def leaks(answers, shown: dict, minimum: int) -> list:
    """Every system's leak (scores; expectation answers), each as (system, coefficients, raters)."""
    found = []
    for name, pieces, row_pieces in (
        ("score", score_pieces(answers), score_row_pieces),
        ("expectation", expectation_pieces(answers), expectation_row_pieces),
    ):
        rows = [row_pieces(key, pieces) for key, is_shown in shown[name].items() if is_shown]
        leak = find_leak(pieces, [r for r in rows if r], minimum)
        if leak is not None:
            found.append((name, *leak))
    return found


def recovered(answers, system, coefficients) -> dict:
    """What the combination gives away, from the answers (ground truth): ratings and score sum."""
    count, total = Fraction(0), Fraction(0)
    for _, rater, provider, dimension, score in answers:
        key = (rater, provider, dimension) if system == "score" else (rater, provider)
        if (system == "score") == (dimension in SERVICE_DIMENSIONS) and key in coefficients:
            count += coefficients[key]
            total += coefficients[key] * score
    return {"ratings": count, "sum": total}


# --- The properties -----------------------------------------------------------------------------


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(companies())
def test_no_combination_of_published_figures_isolates_a_small_group(company):
    departments, answers = company
    shown = published(departments, answers)
    found = leaks(answers, shown, MINIMUM)
    details = [
        (
            system,
            {str(k): str(v) for k, v in coefficients.items()},
            len(raters),
            recovered(answers, system, coefficients),
        )
        for system, coefficients, raters in found
    ]
    assert found == [], details


# --- The oracle itself, on hand-made cases (it must be able to fail) ----------------------------


def test_the_oracle_finds_a_pair_pinned_down_only_by_combining_families():
    # Two hidden pieces of 2 people each, in different links of one provider and dimension: the
    # department row minus the shown links gives their sum (4 people) although neither is alone.
    pieces = {(0, 2, "courtesy"): {1, 2}, (1, 2, "courtesy"): {3, 4}, (3, 2, "courtesy"): set(range(5, 11))}
    rows = [set(pieces), {(3, 2, "courtesy")}]
    coefficients, raters = find_leak(pieces, rows, 5)
    assert set(coefficients) == {(0, 2, "courtesy"), (1, 2, "courtesy")} and raters == {1, 2, 3, 4}
    # With a third hidden piece of 2 more people pooled in, the sum holds 6: nothing small.
    pieces[(4, 2, "courtesy")] = {11, 12}
    assert find_leak(pieces, [set(pieces), {(3, 2, "courtesy")}], 5) is None


def test_the_oracle_finds_a_small_part_of_a_large_hidden_group():
    # Hidden a (2 people), b (2), c (6 people); shown: a+b+c and c+b... (b+c) - nothing, but a+b+c
    # minus (b+c) is a alone: 2 people, though every hidden set the rows touch is large.
    pieces = {"a": {1, 2}, "b": {3, 4}, "c": {5, 6, 7, 8, 9, 10}}
    assert find_leak(pieces, [{"a", "b", "c"}, {"b", "c"}], 5)[1] == {1, 2}
    assert find_leak(pieces, [{"a", "b", "c"}], 5) is None
    # The same person in two pieces counts once: a and b by the same 4 people pool 4, not 8.
    pieces = {"a": {1, 2, 3, 4}, "b": {1, 2, 3, 4}, "c": set(range(5, 12))}
    assert find_leak(pieces, [{"a", "b", "c"}, {"c"}], 5)[1] == {1, 2, 3, 4}
