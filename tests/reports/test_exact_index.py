"""reports.exact's round index: what it brings up to date from the rows hidden since the last round
(the unknown pieces, each shown row's equation, the rows' order) equals what a fresh index computes
from scratch, on random systems and random growing (and once shrinking) sets of hidden rows."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.exact import System, _Index


@st.composite
def systems_and_hiding(draw):
    pieces = list(range(draw(st.integers(2, 12))))
    rows = {("one", p): frozenset([p]) for p in pieces if draw(st.booleans())}
    for n in range(draw(st.integers(1, 12))):
        rows[("sum", n)] = frozenset(draw(st.sets(st.sampled_from(pieces), min_size=1)))
    rows[("empty",)] = frozenset()
    steps = draw(st.lists(st.sets(st.sampled_from(sorted(rows))), min_size=1, max_size=6))
    size = {key: draw(st.integers(0, 9)) for key in rows}
    return pieces, rows, steps, size


def fresh(system, hidden):
    index = _Index(system)
    return set(index.unknown(hidden)), {k: frozenset(v) for k, v in index.unknown_of(hidden).items() if v}


@settings(max_examples=200, deadline=None)
@given(systems_and_hiding(), st.booleans())
def test_the_index_kept_between_rounds_equals_a_fresh_one(case, given_holders):
    pieces, rows, steps, size = case
    holders = (lambda piece: list(rows)) if given_holders else None  # a superset, as the roll-up gives
    system = System(
        rows=rows,
        families=[],
        order=lambda key: (size[key], key),
        piece_raters=dict.fromkeys(pieces, 1),
        raters=len,
        holders=holders,
    )
    kept, hidden = _Index(system), set()
    for step in [*steps, set()]:
        hidden |= step
        unknown_of = kept.unknown_of(hidden)
        assert (set(kept.unknown(hidden)), {k: kept.equation(k) for k in unknown_of if unknown_of[k]}) == fresh(
            system, hidden
        )
        assert all(kept.equation(k) == unknown_of[k] for k in unknown_of)
        assert kept.ordered(unknown_of) == sorted(unknown_of, key=system.order)
    # A set of hidden rows that lost some (never within one settle): recomputed, still right.
    smaller = set(list(hidden)[: len(hidden) // 2])
    unknown_of = kept.unknown_of(smaller)
    assert (set(kept.unknown(smaller)), {k: kept.equation(k) for k in unknown_of if unknown_of[k]}) == fresh(
        system, smaller
    )
