"""The exact check of a cycle's whole system of published figures (the contract's "No
differencing", any combination): plain Python, exact integer and rational arithmetic.

Model. Every published figure is a sum over *pieces*: for scores, one rater department × one
provider × one dimension (its count of ratings, sum of scores, favourable count and sum of squares
all add up the same way, so one 0/1 row per published row stands for all of them); for
expectation answers, one rater department × one provider. A row's pieces are given as a set.
Pieces that nobody rated are left out (they are zero, and a reader who takes them to be zero
learns nothing of anyone). A shown row that is one piece makes that piece *known*; the others are
*hidden*. Restricted to the hidden pieces, the shown rows span a space V of quantities a reader can
work out exactly (means times counts, counts, favourable counts, in any weighted sum).

Leak. A vector of V whose support is a set S of hidden pieces rated, all together, by 1 to N − 1
people (N: the minimum group size). For any S such a vector exists iff rank(M_H) − rank(M_{H∖S}) > 0
(M_H: the shown rows on the hidden pieces). A support of raters below N can only hold pieces of
fewer than N raters each ("small" pieces), so the search runs in W = {v ∈ V : supp v ⊆ small
pieces}: eliminate the large pieces first (Gauss over the shown rows, pivots only in large
columns); the rows left are zero on every large piece and span W. W is the direct sum of blocks
(pieces linked by its reduced basis), and every vector's support contains the support of an
*elementary* vector of one block (one of minimal support); raters only grow with the support, so
the smallest raters are found among elementary vectors, block by block. A block whose pieces
together have fewer than N raters leaks; a block of one dimension has one support, the block.

Search. Rows are 0/1 and totals and parts nest in two laminar families (pieces within links within
departments within the company; dimensions within departments within the company lines), so the
matrices are totally unimodular, pivots stay ±1 and every elementary vector is, up to scale,
y · basis with y ∈ {−1, 0, 1}^k (its values on the pivot pieces). The search goes depth first over
sets of basis rows, never extending a set whose pivot pieces already hold N raters (every vector
using those rows has them in its support). A matrix that turns out otherwise (a pivot not ±1) is
searched over every choice of k − 1 pieces to be zero (which fixes an elementary vector), in
fractions.Fraction. Past `ENUMERATION_BUDGET` candidates a block is taken as a leak: hides more,
never less.

Arithmetic. Integers while pivots are ±1; any other pivot switches that row operation to
fractions.Fraction. Exact either way: no floating point anywhere in the check.

Fix. While a leak exists, one more row is hidden: around the leak's pieces, the smallest shown
part (fewest respondents, then ratings, then key) of the tightest shown total holding them, or that
total where it has no shown part left. Hidden rows are only ever added, so the loop ends.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import comb

ENUMERATION_BUDGET = 4_000  # candidate vectors tried per block before the block is taken as a leak


@dataclass
class System:
    """One system of published rows. `rows`: row key → its pieces (frozensets; empty for rows that
    hold no rating); `families`: (total, parts) whose parts' pieces are exactly the total's, split;
    `order`: row key → sort key (smallest first); `piece_raters`: piece → its distinct raters;
    `raters`: distinct raters of a set of pieces (exact, or a lower bound: the check then hides a
    little more, never less)."""

    rows: dict[Hashable, frozenset]
    families: list[tuple[Hashable, tuple]]
    order: Callable[[Hashable], tuple]
    piece_raters: dict[Hashable, int]
    raters: Callable[[Iterable], int]
    # Optional: are the distinct raters of these pieces fewer than this? (may stop counting early)
    below: Callable[[Iterable, int], bool] | None = None
    # Optional: piece → the keys of rows that may hold it (a superset; every piece of `piece_raters`),
    # so that the check need not pass over every row's pieces to find them
    holders: Callable[[Hashable], Iterable] | None = None

    def fewer(self, pieces, minimum: int) -> bool:
        """Do `pieces` hold fewer than `minimum` distinct raters?"""
        return self.below(pieces, minimum) if self.below is not None else self.raters(pieces) < minimum


def settle(system: System, hidden: set, minimum: int) -> list[tuple[Hashable, int | None, frozenset]]:
    """Hide rows (adds to `hidden`) until no combination of shown rows isolates fewer than `minimum`
    raters; returns each row hidden, in order, with the index of the family it was hidden in (None
    if none) and the pieces of the leak that asked for it."""
    redundant = _redundancy(system)
    added, cache, index = [], {}, _Index(system)
    while True:
        leak = find_leak(system, hidden, minimum, redundant, cache, index)
        if leak is None:
            return added
        pick, family = _partner(system, hidden, leak, redundant, index)
        hidden.add(pick)
        added.append((pick, family, leak))


class _Index:
    """Which rows hold each piece, and the one-piece rows: built once per `settle`, so that each
    round's equations are found from the rows hidden since the last round rather than by a pass
    over every row. Hidden rows are only ever added within a `settle`: the unknown pieces and the
    equations of the last round are kept and brought up to date (recomputed from scratch should
    `hidden` ever lose a row)."""

    def __init__(self, system: System):
        self.system = system
        self.singles: dict = defaultdict(list)  # piece → the one-piece rows that are it
        self.single_pieces: dict = {}  # one-piece row → (the piece it is,)
        for key, pieces in system.rows.items():
            if len(pieces) == 1:
                (piece,) = pieces
                self.singles[piece].append(key)
                self.single_pieces[key] = (piece,)
        if system.holders is not None:
            rows, given = system.rows, system.holders
            self.holders = _Lazy(lambda piece: [k for k in given(piece) if k in rows and piece in rows[k]])
            self.never_single = [piece for piece in system.piece_raters if piece not in self.singles]
        else:
            self.holders = defaultdict(list)
            for key, pieces in system.rows.items():
                for piece in pieces:
                    self.holders[piece].append(key)
            self.never_single = [piece for piece in self.holders if piece not in self.singles]
        self._rank: dict | None = None
        self.families_of: dict = defaultdict(list)  # total → the indexes of its families
        for number, (total, _) in enumerate(system.families):
            self.families_of[total].append(number)
        self._reset()

    def _reset(self) -> None:
        self._seen: set = set()  # the hidden rows the state below is up to date with
        self._unknown: set = set()
        self._unknown_of: dict = defaultdict(set)  # shown row → its unknown pieces
        # The same frozenset object for a row's equation while it does not change: the rounds'
        # cache of components then compares equations by identity and reuses their hashes.
        self._frozen: dict = {}
        self._spread(self.never_single, self._seen)

    def _spread(self, pieces, hidden: set) -> None:
        """Pieces newly unknown: into the equations of the shown rows that hold them."""
        unknown_of, unknown = self._unknown_of, self._unknown
        for piece in pieces:
            if piece in unknown:
                continue
            unknown.add(piece)
            for key in self.holders[piece]:
                if key not in hidden:
                    unknown_of[key].add(piece)
                    self._frozen.pop(key, None)

    def unknown(self, hidden: set) -> set:
        """The pieces no shown one-piece row gives: those that are no row alone, and those whose
        one-piece rows are all hidden."""
        self._catch_up(hidden)
        return self._unknown

    def unknown_of(self, hidden: set) -> dict:
        """Per shown row with unknown pieces, those pieces (the equations before the redundant
        rows are left out)."""
        self._catch_up(hidden)
        return self._unknown_of

    def equation(self, key) -> frozenset:
        """The unknown pieces of a shown row (see `unknown_of`), as one frozenset while they last."""
        found = self._frozen.get(key)
        if found is None:
            found = self._frozen[key] = frozenset(self._unknown_of[key])
        return found

    def ordered(self, keys) -> list:
        """`keys` in the system's order (smallest first), by a rank of every row computed once."""
        if self._rank is None:
            self._rank = {key: i for i, key in enumerate(sorted(self.system.rows, key=self.system.order))}
        return sorted(keys, key=self._rank.__getitem__)

    def _catch_up(self, hidden: set) -> None:
        if not self._seen <= hidden:
            self._reset()
        fresh = hidden - self._seen
        if not fresh:
            return
        newly = []
        for key in fresh:
            self._unknown_of.pop(key, None)
            self._frozen.pop(key, None)
            for piece in self.single_pieces.get(key, ()):
                if piece not in self._unknown and all(other in hidden for other in self.singles[piece]):
                    newly.append(piece)
        self._seen |= fresh
        self._spread(newly, hidden)


class _Lazy(dict):
    """A dict that computes a missing value once, from its key."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        value = self[key] = self.compute(key)
        return value


def find_leak(
    system: System, hidden: set, minimum: int, redundant=None, cache=None, index: _Index | None = None
) -> frozenset | None:
    """The pieces of one leak (see the module docstring), or None when there is none. `cache`: block
    → its result, kept between the calls of one `settle` (most blocks do not change)."""
    redundant = _redundancy(system) if redundant is None else redundant
    cache = {} if cache is None else cache
    index = _Index(system) if index is None else index
    # The equations: per shown row (smallest first) that is no sum of shown parts, its pieces that
    # no shown one-piece row gives (its pieces minus the known ones), where it has any.
    unknown_of = index.unknown_of(hidden)
    equations = []
    for key in index.ordered(unknown_of):
        if redundant(key, hidden):
            continue  # the sum of shown parts: it adds nothing a reader does not already have
        equations.append(index.equation(key))
    small = lambda piece: system.piece_raters[piece] < minimum  # noqa: E731
    for pieces, component in _components(equations):
        if not any(small(p) for p in pieces):
            continue
        # A component whose equations are those of an earlier round has the same leak (or none):
        # everything below is a function of its equations, their order and the minimum.
        signature = ("component", minimum, tuple(component))
        if signature not in cache:
            cache[signature] = _component_leak(system, pieces, component, minimum, small, cache)
        if cache[signature] is not None:
            return cache[signature]
    return None


def _component_leak(system: System, pieces: set, component: list, minimum: int, small, cache: dict):
    """The first leak among one component's blocks (see `find_leak`), or None."""
    ordered = sorted(pieces)
    large_columns = [p for p in ordered if not small(p)]
    small_columns = [p for p in ordered if small(p)]
    rest = _eliminate([dict.fromkeys(e, 1) for e in component], large_columns)[1]
    if not rest:
        return None
    pivots = _eliminate(rest, small_columns, with_columns=True)[0]
    leads = [column for column, _ in pivots]
    basis = _reduced(pivots)
    for block_rows, block_pieces in _blocks(basis):
        lead_of = [
            next(c for c in leads if c in row and all(c not in r for r in block_rows if r is not row))
            for row in block_rows
        ]
        signature = (minimum, tuple(tuple(sorted(row.items())) for row in block_rows))
        if signature in cache:
            leak = cache[signature]
        else:
            leak = cache[signature] = _smallest_support(block_rows, lead_of, block_pieces, system.fewer, minimum)
        if leak is not None:
            return leak
    return None


# --- Linear algebra ----------------------------------------------------------------------------


def _eliminate(rows: list[dict], columns: list, *, with_columns: bool = False) -> tuple[list, list[dict]]:
    """Gaussian elimination of sparse rows (column → int or Fraction) on `columns`, in order: (the
    pivot rows, or (column, row) pairs `with_columns`; the other rows, zero on every one of
    `columns`). Exact; integers while pivots are ±1. The rows given are changed."""
    pool = dict(enumerate(rows))
    where = defaultdict(set)
    for i, row in pool.items():
        for column in row:
            where[column].add(i)
    pivots = []
    for column in columns:
        holders = where.get(column)
        if not holders:
            continue
        chosen = min(holders, key=lambda i: (len(pool[i]), i))
        pivot = pool.pop(chosen)
        for c in pivot:
            where[c].discard(chosen)
        value = pivot[column]
        for i in sorted(where[column]):
            row = pool[i]
            factor = row[column] * value if value in (1, -1) else Fraction(row[column]) / value
            for c, v in pivot.items():
                updated = row.get(c, 0) - factor * v
                if updated:
                    if c not in row:
                        where[c].add(i)
                    row[c] = updated
                elif c in row:
                    del row[c]
                    where[c].discard(i)
        pivots.append((column, pivot) if with_columns else pivot)
    return pivots, [row for row in pool.values() if row]


def _reduced(pivots: list[tuple]) -> list[dict]:
    """Echelon pivot rows (column, row) made reduced (each pivot column zero in every other row)."""
    rows = [dict(row) for _, row in pivots]
    for i in range(len(pivots) - 1, -1, -1):
        column = pivots[i][0]
        pivot = rows[i]
        value = pivot[column]
        for j in range(i):
            row = rows[j]
            if column in row:
                factor = row[column] * value if value in (1, -1) else Fraction(row[column]) / value
                for c, v in pivot.items():
                    updated = row.get(c, 0) - factor * v
                    if updated:
                        row[c] = updated
                    else:
                        row.pop(c, None)
    return rows


def _components(equations: list[frozenset]) -> list[tuple[set, list]]:
    """Pieces linked by equations, each group with its equations (union-find)."""
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for equation in equations:
        first, *rest = equation
        root = find(first)
        for piece in rest:
            other = find(piece)
            if other != root:
                parent[other] = root
    groups, members = defaultdict(list), defaultdict(set)
    for equation in equations:
        groups[find(next(iter(equation)))].append(equation)
    for piece in parent:
        members[find(piece)].add(piece)
    return [(members[root], groups[root]) for root in sorted(groups, key=lambda r: min(members[r]))]


def _blocks(basis: list[dict]) -> list[tuple[list[dict], list]]:
    """The basis split into blocks of rows whose pieces link up (W is their direct sum)."""
    pieces_of = [frozenset(row) for row in basis]
    grouped = _components(pieces_of)
    out = []
    for pieces, _ in grouped:
        rows = [row for row in basis if next(iter(row)) in pieces]
        out.append((rows, sorted(pieces)))
    return out


def _smallest_support(rows: list[dict], leads: list, pieces: list, fewer, minimum: int) -> frozenset | None:
    """A support of fewer than `minimum` raters among the block's vectors, or None. `rows`: the
    block's reduced basis; `leads`: each row's pivot piece (in no other row); `fewer(pieces,
    minimum)`: do the pieces hold fewer than `minimum` distinct raters?"""
    if fewer(pieces, minimum):
        return frozenset(pieces)
    k = len(rows)
    if k == 1:
        return None
    if all(v in (1, -1) for row in rows for v in row.values()):
        return _smallest_unimodular(rows, leads, fewer, minimum)
    if comb(len(pieces), k - 1) > ENUMERATION_BUDGET:
        return frozenset(pieces)  # too many to try: taken as a leak (hides more, never less)
    # Any other matrix: every elementary vector is zero on some k − 1 pieces (and fixed by them).
    dense = [[row.get(p, 0) for p in pieces] for row in rows]
    seen = set()
    for zeros in combinations(range(len(pieces)), k - 1):
        y = _left_null_vector(dense, zeros)
        if y is None:
            continue
        support = frozenset(
            pieces[j] for j in range(len(pieces)) if sum(y[i] * dense[i][j] for i in range(k) if y[i]) != 0
        )
        if support in seen:
            continue
        seen.add(support)
        if fewer(support, minimum):
            return support
    return None


def _smallest_unimodular(rows: list[dict], leads: list, fewer, minimum: int) -> frozenset | None:
    """`_smallest_support` for a totally unimodular block (rows of two laminar families, pivoted on
    ±1): every elementary vector is, up to scale, y · rows with y in {-1, 0, 1}^k (y is its value on
    the pivot pieces). A vector's support holds the pivot pieces of the rows it uses, so a set of
    rows whose pivot pieces already have `minimum` raters is never extended (depth first)."""
    k = len(rows)

    def signs(chosen: list[int]) -> frozenset | None:
        # The support of y · rows, given lazily (raters are counted only until they reach the
        # minimum): the chosen rows' pivot pieces first (each in its own row only: never zero),
        # then the other pieces where the signed sum is not zero.
        head = [leads[i] for i in chosen]
        chosen_rows = [rows[i] for i in chosen]
        others = list(dict.fromkeys(c for row in chosen_rows for c in row if c not in set(head)))
        for pattern in itertools.product((1, -1), repeat=len(chosen) - 1):
            coefficients = (1, *pattern)

            def support(coefficients=coefficients):
                yield from head
                for c in others:
                    if sum(k * row.get(c, 0) for k, row in zip(coefficients, chosen_rows, strict=True)):
                        yield c

            if fewer(support(), minimum):
                return frozenset(support())
        return None

    budget = [ENUMERATION_BUDGET]

    def search(start: int, chosen: list[int]) -> frozenset | None:
        for i in range(start, k):
            trial = [*chosen, i]
            if not fewer([leads[j] for j in trial], minimum):
                continue
            budget[0] -= 2 ** (len(trial) - 1)
            if budget[0] < 0:
                return frozenset(leads)  # too many to try: taken as a leak (hides more, never less)
            found = signs(trial) or search(i + 1, trial)
            if found is not None:
                return found
        return None

    return search(0, [])


def _left_null_vector(dense: list[list], zeros: tuple) -> list | None:
    """y ≠ 0 with y · dense = 0 on the columns `zeros` when that is one line of solutions, else None."""
    k = len(dense)
    system = [{i: dense[i][j] for i in range(k) if dense[i][j]} for j in zeros]
    pivots, _ = _eliminate([r for r in system if r], list(range(k)), with_columns=True)
    if len(pivots) != k - 1:
        return None
    # Echelon form: each pivot row is zero on the earlier pivots' columns, so solve last to first,
    # the one column without a pivot set to 1.
    leads = {lead for lead, _ in pivots}
    y = [Fraction(0)] * k
    y[next(i for i in range(k) if i not in leads)] = Fraction(1)
    for lead, pivot in reversed(pivots):
        y[lead] = -sum(Fraction(v) * y[c] for c, v in pivot.items() if c != lead) / pivot[lead]
    return y


# --- Hiding more -------------------------------------------------------------------------------


def _redundancy(system: System):
    """A test: is this shown row the sum of shown parts of one of its families (so hiding it, or
    leaving it out of the equations, changes nothing a reader can work out)?"""
    by_total = defaultdict(list)
    for total, parts in system.families:
        rated = tuple(p for p in parts if system.rows.get(p))
        if rated and sum(len(system.rows[p]) for p in rated) == len(system.rows.get(total, ())):
            by_total[total].append(rated)

    def redundant(key, hidden) -> bool:
        return any(all(p not in hidden for p in parts) for parts in by_total.get(key, ()))

    return redundant


def _partner(system: System, hidden: set, leak: frozenset, redundant, lookup: _Index) -> tuple[Hashable, int | None]:
    """The row to hide next for this leak (see the module docstring), and its family's index."""
    rows = system.rows
    holding = {k for piece in leak for k in lookup.holders[piece]}  # the rows with a piece of the leak
    totals = sorted(
        (k for k in holding if k not in hidden and len(rows[k]) > 1),
        key=lambda k: (len(rows[k]), system.order(k)),
    )
    families_of = lookup.families_of
    for total in totals:
        candidates = [
            (system.order(p), p, index)
            for index in families_of.get(total, ())
            for p in system.families[index][1]
            if p not in hidden and rows.get(p) and not (rows[p] & leak) and not redundant(p, hidden)
        ]
        if candidates:
            _, pick, index = min(candidates)
            return pick, index
        if not redundant(total, hidden):
            return total, (families_of.get(total) or [None])[0]
    return totals[0], (families_of.get(totals[0]) or [None])[0]
