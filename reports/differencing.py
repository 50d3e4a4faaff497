"""The contract's "No differencing" rule: which rows of one cycle's roll-up are hidden, decided once.

`hidden_rows` takes the sums of every published row (links, departments, company) and returns, per
row, whether it is suppressed: for its own size (fewer respondents than the minimum group size, or
no rating at all) or because a reader could otherwise work out a small group by subtraction.

Families. A *family* is one published total and the published parts it is the sum of (ratings,
score totals and favourable counts all add up, so the mean and favourable % of the pooled parts
follow from the total and the parts):

* ``dims``: every ``overall`` row and its six dimension rows, for each link and for each
  department in the supplier scope (a department's management rows *are* its diagonal link's rows,
  see below);
* ``links``: a department's supplier row in one dimension (or overall) and its links from the
  other departments in that dimension;
* ``company``: the company row of a scope and dimension and the department rows it pools;
  ``company-dims``: the company ``overall`` row of a scope and its six dimension rows.

The diagonal link (rater = provider) and the department's management row hold the same ratings:
they are one node here, so they always get one decision.

Who can be recovered. If a family's total is shown, total minus shown parts gives the *pooled*
hidden parts. Their distinct raters are what matter:

* ``dims``: one person may rate several dimensions, so the hidden dimensions' raters are the
  people who rated *any* of them. The roll-up reads, per link, how many respondents answered each
  combination of the six dimensions (a 6-bit mask); the union for any set of dimensions follows
  exactly. A department's (or the management company line's) union is the sum over its links,
  whose raters are disjoint (each person belongs to one rater department).
* ``links``: the hidden links' raters are disjoint (one rater department each): their sum.
* ``company`` (management scope): disjoint as well (each department's own staff): the sum.
* ``company`` and ``company-dims`` in the supplier scope: one person rates several suppliers and
  per-link aggregates cannot tell how many people the hidden departments share; the rule takes the
  largest hidden part's raters, a lower bound of the union. It may hide a company row that an
  exact count would let through, never the reverse.

The rule, for every family, repeated until nothing changes:

1. if the total is shown and its hidden parts that received ratings hold fewer distinct raters
   than the minimum (but at least one), the group is recoverable: hide more;
2. if exactly one member that received ratings (total or part) is hidden, it is recoverable
   exactly (the total minus the shown parts, or the sum of the parts); a row hidden to protect
   another would then protect nothing, and chains of such rows give small groups away (a hidden
   dimension recovered from its department column, then subtracted from its link's overall):
   hide more.

"Hide more" means: the next smallest shown part that received ratings (fewest respondents, then
fewest ratings, then the lowest ids: deterministic); or the total where no part is left. The
company families hide their total straight away: hiding a department instead would not help
while that department's links add up to it.

3. Combinations. Families share rows, so a reader can chain them: a hidden row may be pinned down
   by adding and subtracting several families even when each family on its own passes 1 and 2.
   After the family loop settles, every family becomes an equation (total − Σ parts = 0 over the
   hidden rows; shown rows are constants) and linear algebra finds each hidden row that lies in
   the row space of those equations, i.e. that some combination of shown figures gives exactly
   (`_worked_out`, one small SVD per connected group of hidden rows). Such a row with at least the
   minimum of respondents is then treated as shown by rules 1 and 2 (it is, in effect); one with
   fewer gets a partner: the smallest shown part, or the total, of the first family it is in. Then
   the family loop runs again, until neither step hides anything more.

Every extra hidden row records the rule and the family that asked for it (`Decision.reasons`).
Families are visited one violation at a time in a fixed order (links, then departments, then the
company; by ids within each), so the result does not depend on the order of the input; hidden
rows only ever get added, so the loop ends.

Cross-cycle: a delta is published only where both cycles show the row (`frames._with_delta`), so
delta = mean − previous mean adds no row that either cycle hides; the previous cycle's decision is
the one its own roll-up made (read from its snapshot, or recomputed from its answers the same way).

4. The exact check (`exact_rule`, `reports.exact`): the family rule is the fast first pass; what
   decides is one exact check of the whole system of published score rows over their pieces (rater
   department × provider × dimension): no weighted sum of shown rows may equal a quantity made only
   of hidden pieces of 1 to N − 1 distinct raters, however many families it combines. Where one
   does, one more row is hidden (recorded as ("combination", family kind, family total)) and the
   check runs again. Distinct raters come from the answer sets' respondent keys (`Raters`), or a
   lower bound where only the mask tables are given. The expectation answers are a group of their
   own, checked the same way (`expectation_hidden`).

Limits (stated in SECURITY.md): bounds (ratings are counts ≥ 0, scores 1–5) rather than exact
values, and ranks (an order, not a sum), are not searched for. The supplier company rows'
respondent counts are unions, not sums: they are in no equation (a reader learns from them only
how many people rated some supplier). A row's `overall` respondents are a sum over its links'
people; any combination of those counts lifts to the same combination of the rows' ratings, so the
score check covers them.
"""

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from surveys.dimensions import MANAGEMENT, SCOPES, SERVICE_DIMENSIONS, SUPPLIER

from . import exact

DIMENSION_COUNT = len(SERVICE_DIMENSIONS)  # index DIMENSION_COUNT is `overall`
OVERALL_INDEX = DIMENSION_COUNT
ROWS = range(OVERALL_INDEX + 1)  # the row indexes of a total's family: the six dimensions and overall
MASKS = 1 << DIMENSION_COUNT  # answer masks: sets of service dimensions
_MASK_COLUMNS = ("rater", "provider", "mask", "respondents")
# _HITS[h, m]: does a respondent with answer mask m count among the raters of dimension set h?
_HITS = (np.arange(MASKS)[:, None] & np.arange(MASKS)[None, :]) != 0


@dataclass(frozen=True)
class Family:
    kind: str
    total: tuple
    parts: tuple[tuple, ...]
    mask_owner: tuple | None = None  # whose mask table counts raters of hidden dimensions (dims families)


@dataclass
class Decision:
    """`hidden`: every hidden node key; `reasons`: extra hidden node → (rule, family kind, family total)."""

    hidden: set = field(default_factory=set)
    reasons: dict = field(default_factory=dict)


def link_key(rater: int, provider: int, dimension: int) -> tuple:
    return ("L", int(rater), int(provider), int(dimension))


def department_key(department: int, scope: str, dimension: int) -> tuple:
    # The management row of a department is its diagonal link: one node, one decision.
    if scope == MANAGEMENT:
        return link_key(department, department, dimension)
    return ("D", int(department), int(dimension))


def company_key(scope: str, dimension: int) -> tuple:
    return ("C", scope, int(dimension))


def mask_raters(masks) -> dict[tuple, np.ndarray]:
    """Per link (rater, provider): distinct raters of every set of dimensions (an array of 64, by bit set).

    `masks`: columns rater, provider, mask (bit i = the i-th service dimension answered), respondents
    (a DataFrame or a dict of arrays).
    """
    rater, provider, mask, respondents = (np.asarray(masks[c], dtype="int64") for c in _MASK_COLUMNS)
    if not len(rater):
        return {}
    links, index = np.unique(np.stack([rater, provider], axis=1), axis=0, return_inverse=True)
    counts = np.zeros((len(links), MASKS), dtype="int64")
    np.add.at(counts, (index.ravel(), mask), respondents)
    tables = counts @ _HITS.T.astype("int64")  # [link, set of dimensions]
    return {(int(r), int(p)): tables[i] for i, (r, p) in enumerate(links)}


def hidden_rows(nodes, masks, *, min_group_size: int, families=None) -> Decision:
    """Decide the hidden rows. `nodes`: columns key (tuple), respondents, ratings, one row per
    distinct node; `masks`: see `mask_raters` (DataFrames or dicts of arrays); `families`:
    `families_of(nodes)`, if the caller has them."""
    size = dict(zip(nodes["key"], np.asarray(nodes["respondents"], dtype="int64"), strict=True))
    ratings = dict(zip(nodes["key"], np.asarray(nodes["ratings"], dtype="int64"), strict=True))
    families = _families(list(size)) if families is None else families
    rule = _Rule(families, size, ratings, _union_tables(mask_raters(masks)), min_group_size)
    decision = Decision(hidden={key for key in size if size[key] < min_group_size or ratings[key] == 0})
    known: set = set()
    dirty = {i for i, f in enumerate(rule.families) if any(m in decision.hidden and ratings[m] for m in _members(f))}
    while dirty:
        rule.settle(decision, known, dirty)
        # Rows the family rule left hidden but that some combination of families pins down.
        worked_out = _worked_out(rule.families, decision.hidden, ratings)
        leaks = sorted((key for key in worked_out if size[key] < min_group_size), key=str)
        changed = (worked_out - set(leaks)) ^ known
        known = worked_out - set(leaks)
        dirty = {i for key in changed for i in rule.members_of[key]}
        for leak in leaks:
            dirty |= rule.unpin(leak, decision)
    return decision


class _Rule:
    """The families of one cycle and the loop that applies the rule to them."""

    def __init__(self, families, size, ratings, union, minimum):
        self.families, self.size, self.ratings, self.union, self.minimum = families, size, ratings, union, minimum
        self.members_of = defaultdict(list)
        for index, family in enumerate(families):
            for member in _members(family):
                self.members_of[member].append(index)

    def settle(self, decision: Decision, known: set, dirty: set) -> None:
        """One violation at a time, lowest family first (links, then departments, then the company):
        a fix made low down often settles the families above it, so fewer rows are hidden."""
        queue = sorted(dirty)
        queued = set(queue)
        while queue:
            index = heapq.heappop(queue)
            queued.discard(index)
            family = self.families[index]
            found = _violation(family, decision.hidden, known, self)
            if found is None:
                continue
            key, why = found
            decision.hidden.add(key)
            decision.reasons[key] = (why, family.kind, family.total)
            for other in (*self.members_of[key], index):
                if other not in queued:
                    queued.add(other)
                    heapq.heappush(queue, other)

    def unpin(self, leak: tuple, decision: Decision) -> set:
        """Hide one more row near a small row that a combination of families pins down: the smallest
        shown part (or the shown total) of the nearest family that has one, searching outwards
        from the families of the leak through their hidden rows (breadth first, by family order)."""
        seen, frontier, rows = set(), sorted(self.members_of[leak]), {leak}
        while frontier:
            for index in frontier:
                family = self.families[index]
                shown = [p for p in family.parts if self.ratings.get(p, 0) and p not in decision.hidden]
                pick = min(shown, key=self._order) if shown else None
                if pick is None and family.total not in decision.hidden and self.ratings.get(family.total, 0):
                    pick = family.total
                if pick is not None:
                    decision.hidden.add(pick)
                    decision.reasons[pick] = ("worked out", family.kind, family.total)
                    return set(self.members_of[pick])
            seen.update(frontier)
            rows.update(m for i in frontier for m in _members(self.families[i]) if m in decision.hidden)
            frontier = sorted({i for m in rows for i in self.members_of[m]} - seen)
        return set()

    def _order(self, key: tuple) -> tuple:
        return (self.size[key], self.ratings[key], key)


def _members(family: Family) -> tuple:
    return (family.total, *family.parts)


def _violation(family: Family, hidden: set, known: set, rule: _Rule) -> tuple[tuple, str] | None:
    """The node this family asks to hide next and why ('few' or 'lone'), or None.

    A hidden row in `known` is worked out exactly elsewhere: it counts as shown here."""
    rated = [part for part in family.parts if rule.ratings.get(part, 0) > 0]
    opaque_parts = [part for part in rated if part in hidden and part not in known]
    total_rated = rule.ratings.get(family.total, 0) > 0
    total_open = family.total not in hidden or family.total in known
    reason = None
    if total_open and opaque_parts and _raters(family, opaque_parts, rule.size, rule.union) < rule.minimum:
        reason = "few"
    elif len(opaque_parts) + (not total_open and total_rated) == 1:
        reason = "lone"
    if reason is None:
        return None
    shown = [part for part in rated if part not in hidden]
    if family.kind.startswith("company") and family.total not in hidden:
        return family.total, reason
    if shown:
        return min(shown, key=rule._order), reason
    return (family.total, reason) if family.total not in hidden and total_rated else None


def _raters(family: Family, parts: list[tuple], size: dict, union: dict) -> int:
    """Distinct raters of the pooled hidden parts of a family (see the module docstring)."""
    table = union.get(family.mask_owner) if family.mask_owner is not None else None
    if table is not None:
        return int(table[sum(1 << part[-1] for part in parts)])
    if family.kind == "links" or family.total[1] == MANAGEMENT:
        return sum(size[part] for part in parts)
    # Supplier company lines: raters overlap across departments; the largest part is a lower bound.
    return max(size[part] for part in parts)


def _union_tables(per_link: dict[tuple, np.ndarray]) -> dict:
    """Mask tables per dims family owner: a link; a supplier department (sum of its links); the
    management company line (sum of the diagonal links)."""
    tables: dict = {}
    for (rater, provider), table in per_link.items():
        tables[("L", rater, provider)] = table
        owner = ("D", provider) if rater != provider else ("C", MANAGEMENT)
        tables[owner] = tables.get(owner, 0) + table
    return tables


def _families(keys: list[tuple]) -> list[Family]:
    """Every family among the published nodes, bottom-up (the order `_Rule.settle` visits them):
    links, departments, company."""
    present = set(keys)
    links = sorted(key for key in present if key[0] == "L")
    departments = sorted({key[1] for key in present if key[0] == "D"})
    into = _links_into(links)
    families = [
        *_link_dims_families(links),
        *_department_links_families(departments, into),
        *_department_dims_families(departments),
        *_company_families(departments, into),
        *_company_dims_families(),
    ]
    return [family for family in families if family.total in present]


def _links_into(links: list[tuple]) -> defaultdict:
    """(provider, dimension) → the supplier links into it; (None, dimension) → the diagonal links."""
    into = defaultdict(list)
    for key in links:
        into[(key[2] if key[1] != key[2] else None, key[3])].append(key)
    return into


def _link_dims_families(links: list[tuple]) -> list[Family]:
    """Each link's overall row and its dimension rows (the diagonal's are its management rows)."""
    by_link = defaultdict(list)
    for key in links:
        by_link[key[1:3]].append(key)
    return [
        _dims_family(link_key(rater, provider, OVERALL_INDEX), members, ("L", rater, provider))
        for (rater, provider), members in sorted(by_link.items())
    ]


def _department_links_families(departments: list[int], into: defaultdict) -> list[Family]:
    """Each department's supplier row, per dimension, and the links from the other departments."""
    return [
        Family("links", department_key(department, "supplier", dimension), tuple(into[(department, dimension)]))
        for department in departments
        for dimension in ROWS
    ]


def _department_dims_families(departments: list[int]) -> list[Family]:
    """Each department's supplier overall row and its dimension rows."""
    families = []
    for department in departments:
        members = [department_key(department, SUPPLIER, dimension) for dimension in ROWS]
        families.append(_dims_family(members[-1], members, ("D", department)))
    return families


def _company_families(departments: list[int], into: defaultdict) -> list[Family]:
    """The company row of each scope and dimension and what it pools: the departments' supplier
    rows, or the diagonal links (every department's management)."""
    families = []
    for scope in SCOPES:
        for dimension in ROWS:
            if scope == SUPPLIER:
                parts = tuple(department_key(department, scope, dimension) for department in departments)
            else:
                parts = tuple(into[(None, dimension)])
            families.append(Family("company", company_key(scope, dimension), parts))
    return families


def _company_dims_families() -> list[Family]:
    """The company overall row of each scope and its dimension rows."""
    families = []
    for scope in SCOPES:
        members = [company_key(scope, dimension) for dimension in ROWS]
        owner = ("C", MANAGEMENT) if scope == MANAGEMENT else None
        families.append(_dims_family(members[-1], members, owner, kind="company-dims"))
    return families


def _dims_family(total: tuple, members: list[tuple], owner, *, kind: str = "dims") -> Family:
    parts = tuple(key for key in members if key[-1] != OVERALL_INDEX)
    return Family(kind, total, parts, owner)


def _worked_out(families: list[Family], hidden: set, ratings: dict) -> set:
    """Hidden rows with ratings that the shown rows pin down exactly, by any combination of families.

    Each family is an equation, total − Σ parts = 0, over the additive figures of its rows; shown
    rows are constants. A hidden row is pinned down when it is zero in every solution of the
    homogeneous system over the hidden rows (its kernel), i.e. when it lies in the row space of the
    equations, solved per connected group of equations."""
    unknown = {key for key in hidden if ratings.get(key, 0)}
    equations = []
    for family in families:
        row = {}
        for member, sign in ((family.total, 1), *((p, -1) for p in family.parts)):
            if member in unknown:
                row[member] = row.get(member, 0) + sign
        row = {key: value for key, value in row.items() if value}
        if row:
            equations.append(row)
    pinned = set()
    for keys, rows in _components(equations):
        # Pinned down ⇔ e_key lies in the row space ⇔ in the reduced echelon form, key is a pivot
        # column whose row holds nothing else. Exact (integers, fractions.Fraction past a pivot
        # other than ±1) and sparse: the equations are a few terms each.
        pivots = exact._eliminate(rows, keys, with_columns=True)[0]
        reduced = exact._reduced(pivots)
        pinned.update(column for (column, _), row in zip(pivots, reduced, strict=True) if len(row) == 1)
    return pinned


def _components(equations: list[dict]) -> list[tuple[list, list]]:
    """Groups of hidden rows linked by equations, each with its equations (union-find)."""
    parent: dict = {}

    def find(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for row in equations:
        first, *rest = row
        for key in rest:
            parent[find(key)] = find(first)
        find(first)
    keys, rows = defaultdict(list), defaultdict(list)
    for key in sorted(parent, key=str):
        keys[find(key)].append(key)
    for row in equations:
        rows[find(next(iter(row)))].append(row)
    return [(keys[root], rows[root]) for root in sorted(keys, key=str)]


# --- The exact check (reports.exact) over every published row --------------------------------


class Raters:
    """Distinct raters of a set of pieces: score pieces (rater, provider, dimension index) or
    expectation pieces (rater, provider).

    With `people` (per answer set: rater, provider, respondent, mask of service dimensions answered,
    expectation answered or not) the count is exact. People belong to one rater department (checked
    here: where some respondent key appears under two, every count is taken over the whole company
    at once), so a count is the sum, per rater department, of the distinct raters of its pieces,
    each counted from that department's own sets of raters: bits of an int per piece over the
    department's people (small ints, a few hundred bits), built the first time a count needs them.

    Without `people`, a lower bound: exact within one link (the mask tables), the largest link of
    each rater department across providers (one person may rate several), summed over rater
    departments (each person belongs to one): the check then hides a little more than needed,
    never less."""

    def __init__(self, masks, people=None, expectation_counts=None):
        self.masks, self.people = masks, people
        self.expectation_counts = expectation_counts or {}
        self._tables: dict | None = None
        self._bits: dict | None = None
        self._departments: dict | None = None  # rater department → (start, end) of its sets, sorted
        self._department_bits: dict = {}
        self._flat_bits: dict = {}  # piece → its raters' bits (see _bits_of_department)

    @property
    def tables(self) -> dict:
        if self._tables is None:
            self._tables = mask_raters(self.masks)
        return self._tables

    def _people(self):
        if callable(self.people):  # decoded only when a count is needed (most roll-ups never need one)
            self.people = self.people()
        people = self.people
        return people if people is not None and len(people["respondent"]) else None

    def _by_department(self, people) -> dict | None:
        """Rater department → the slice of its answer sets (people sorted by rater department), or
        None when some respondent key appears under two rater departments."""
        if self._departments is None:
            rater = np.asarray(people["rater"], dtype="int64")
            respondent = np.asarray(people["respondent"], dtype="int64")
            order = np.lexsort([respondent, rater])
            rater, respondent = rater[order], respondent[order]
            by_key = np.argsort(respondent, kind="stable")
            key, department = respondent[by_key], rater[by_key]
            if ((key[1:] == key[:-1]) & (department[1:] != department[:-1])).any():  # a key in two departments
                self._departments = {}
                return None
            self._order = order
            starts = np.flatnonzero(np.r_[True, rater[1:] != rater[:-1]])
            ends = np.r_[starts[1:], len(rater)]
            self._departments = {
                int(rater[a]): (int(a), int(b)) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
            }
        return self._departments or None

    def _bits_of_department(self, rater: int) -> dict:
        """Per piece of one rater department, the set of its raters as bits of one int (bit i: the
        department's i-th respondent key)."""
        found = self._department_bits.get(rater)
        if found is not None:
            return found
        people = self.people
        start, end = self._departments.get(rater, (0, 0))
        at = self._order[start:end]
        provider = np.asarray(people["provider"], dtype="int64")[at]
        _, who = np.unique(np.asarray(people["respondent"], dtype="int64")[at], return_inverse=True)
        who = who.ravel()
        mask = np.asarray(people["mask"], dtype="int64")[at]
        expected = np.asarray(people["expectation"], dtype=bool)[at]
        providers, slot = np.unique(provider, return_inverse=True)
        slot = slot.ravel()
        width = DIMENSION_COUNT + 1  # the six dimensions, then the expectation
        matrix = np.zeros((len(providers) * width, int(who.max(initial=-1)) + 1), dtype=bool)
        for dimension in range(DIMENSION_COUNT):
            chosen = (mask >> dimension & 1) == 1
            matrix[slot[chosen] * width + dimension, who[chosen]] = True
        matrix[slot[expected] * width + DIMENSION_COUNT, who[expected]] = True
        packed = np.packbits(matrix, axis=1, bitorder="little")
        bits = {}
        for row in np.flatnonzero(matrix.any(axis=1)).tolist():
            provider_id, dimension = int(providers[row // width]), row % width
            piece = (rater, provider_id) if dimension == DIMENSION_COUNT else (rater, provider_id, dimension)
            bits[piece] = int.from_bytes(packed[row].tobytes(), "little")
        self._department_bits[rater] = bits
        self._flat_bits.update(bits)
        return bits

    @property
    def bits(self) -> dict | None:
        """Per piece, the set of its raters as bits of one int over the whole company (built on
        first use): the count where some respondent key appears under two rater departments."""
        people = self._people()
        if self._bits is None and people is not None:
            _, index = np.unique(np.asarray(people["respondent"], dtype="int64"), return_inverse=True)
            bits: dict = defaultdict(int)
            columns = zip(
                np.asarray(people["rater"]).tolist(),
                np.asarray(people["provider"]).tolist(),
                index.ravel().tolist(),
                np.asarray(people["mask"]).tolist(),
                np.asarray(people["expectation"]).tolist(),
                strict=True,
            )
            for rater, provider, who, mask, expected in columns:
                bit = 1 << who
                for dimension in range(DIMENSION_COUNT):
                    if mask >> dimension & 1:
                        bits[(rater, provider, dimension)] |= bit
                if expected:
                    bits[(rater, provider)] |= bit
            self._bits = dict(bits)
        return self._bits

    def count(self, pieces) -> int:
        pieces = list(pieces)
        people = self._people()
        if people is not None:
            if self._by_department(people) is None:
                bits = self.bits
                union = 0
                for piece in pieces:
                    union |= bits.get(piece, 0)
                return union.bit_count()
            flat, unions = self._flat_bits, {}
            for piece in pieces:
                bits = flat.get(piece)
                if bits is None:
                    bits = self._bits_of_piece(piece)
                unions[piece[0]] = unions.get(piece[0], 0) | bits
            return sum(union.bit_count() for union in unions.values())
        per_link: dict = defaultdict(int)
        for piece in pieces:
            per_link[piece[:2]] |= (1 << piece[2]) if len(piece) == 3 else 0
        largest: dict = defaultdict(int)
        for (rater, provider), dims in per_link.items():
            if dims:
                found = int(self.tables[(rater, provider)][dims])
            else:  # an expectation piece: one answer per person and provider
                found = self.expectation_counts.get((rater, provider), 0)
            largest[rater] = max(largest[rater], found)
        return sum(largest.values())

    def below(self, pieces, minimum: int) -> bool:
        """count(pieces) < minimum, stopping as soon as the pieces counted so far reach it (the
        exact check asks this of large supports, which reach a small minimum within a few pieces)."""
        people = self._people()
        if people is None or self._by_department(people) is None:
            return self.count(pieces) < minimum
        flat, unions, total = self._flat_bits, {}, 0
        for piece in pieces:
            bits = flat.get(piece)
            if bits is None:
                bits = self._bits_of_piece(piece)
            before = unions.get(piece[0], 0)
            after = before | bits
            if after != before:
                unions[piece[0]] = after
                total += after.bit_count() - before.bit_count()
                if total >= minimum:
                    return False
        return total < minimum

    def _bits_of_piece(self, piece: tuple) -> int:
        """A piece's raters as bits over its rater department's people (0 for a piece nobody rated)."""
        bits = self._bits_of_department(piece[0]).get(piece, 0)
        self._flat_bits[piece] = bits
        return bits


def score_pieces(links) -> tuple[dict[tuple, set], dict[tuple, int]]:
    """Per published score row (node key), its pieces (rater, provider, dimension index) with
    ratings, as a set (read only); and per piece its raters (its ratings: one answer per person,
    provider and dimension).

    `links`: the roll-up's link table (rater, provider, dimension index, ratings; seven rows a link)."""
    columns = [np.asarray(links[c]) for c in ("rater", "provider", "dimension", "ratings")]
    chosen = (columns[2] != OVERALL_INDEX) & (columns[3] > 0)
    rater, provider, dimension, ratings = (column[chosen].tolist() for column in columns)
    pieces = list(zip(rater, provider, dimension, strict=True))
    piece_raters = dict(zip(pieces, ratings, strict=True))
    # The keys as link_key, department_key and company_key make them (a department's management
    # rows are its diagonal link's), written out: this runs once per piece and row.
    rows: dict = defaultdict(set)
    supplier: list = []
    for piece in pieces:
        r, p, d = piece
        rows[("L", r, p, d)].add(piece)
        rows[("L", r, p, OVERALL_INDEX)].add(piece)
        if r != p:
            rows[("D", p, d)].add(piece)
            rows[("D", p, OVERALL_INDEX)].add(piece)
            supplier.append(piece)
    management = [piece for piece in pieces if piece[0] == piece[1]]
    for scope, members in ((SUPPLIER, supplier), (MANAGEMENT, management)):
        if members:
            rows[company_key(scope, OVERALL_INDEX)] = set(members)
        for piece in members:
            rows[("C", scope, piece[2])].add(piece)
    return dict(rows), piece_raters


def exact_rule(
    decision: Decision, nodes, pieces: tuple, raters: Raters, *, min_group_size: int, families=None
) -> Decision:
    """The exact check over every published score row, after the family rule: hides more rows
    (each recorded as ("combination", family kind, family total)) until no combination of shown
    rows isolates a small group. `families`: `families_of(nodes)`, if the caller has them."""
    size = dict(zip(nodes["key"], np.asarray(nodes["respondents"], dtype="int64").tolist(), strict=True))
    ratings = dict(zip(nodes["key"], np.asarray(nodes["ratings"], dtype="int64").tolist(), strict=True))
    rows, piece_raters = pieces
    families = _families(list(size)) if families is None else families
    system = exact.System(
        rows={key: rows.get(key, frozenset()) for key in size},
        families=[(f.total, f.parts) for f in families],
        order=lambda key: (size[key], ratings[key], key),
        piece_raters=piece_raters,
        raters=raters.count,
        below=raters.below,
        holders=_score_piece_holders,
    )
    for key, family, _ in exact.settle(system, decision.hidden, min_group_size):
        named = families[family] if family is not None else Family("exact", None, ())
        decision.reasons[key] = ("combination", named.kind, named.total)
    return decision


def _score_piece_holders(piece: tuple) -> list[tuple]:
    """The published score rows that hold a piece (as `score_pieces` builds them)."""
    rater, provider, dimension = piece
    scope = MANAGEMENT if rater == provider else SUPPLIER
    keys = [link_key(rater, provider, d) for d in (dimension, OVERALL_INDEX)]
    keys += [company_key(scope, d) for d in (dimension, OVERALL_INDEX)]
    if scope == SUPPLIER:
        keys += [department_key(provider, SUPPLIER, d) for d in (dimension, OVERALL_INDEX)]
    return keys


def families_of(nodes) -> list[Family]:
    """Every family among the nodes (see `hidden_rows`), for `hidden_rows` and `exact_rule` to share."""
    return _families(list(dict.fromkeys(nodes["key"])))


def expectation_hidden(groups: dict, shown_with: dict, raters: Raters, *, min_group_size: int) -> set:
    """Which expectation figures are hidden: a group of its own (the contract's `expectation_mean`).

    `groups`: key ("E", department, scope) → its pieces (rater, provider) with an expectation
    answer; `shown_with`: key → whether any score row it would be shown on is shown. Hidden: below
    the minimum of distinct raters, nowhere to be shown, or by the exact check (a company line,
    ("E", None, scope), would be checked with the departments' groups as its parts)."""
    hidden = {
        key
        for key, group in groups.items()
        if not group or not shown_with.get(key) or raters.count(group) < min_group_size
    }
    families = []
    for scope in SCOPES:
        total = ("E", None, scope)
        if total in groups:
            parts = tuple(sorted(k for k in groups if k[1] is not None and k[2] == scope))
            families.append((total, parts))
    counts = {key: raters.count(group) for key, group in groups.items()}
    system = exact.System(
        rows={key: frozenset(group) for key, group in groups.items()},
        families=families,
        order=lambda key: (counts[key], key[1] is None, key[1] or 0, key[2]),  # the company line last
        piece_raters={piece: raters.count([piece]) for group in groups.values() for piece in group},
        raters=raters.count,
        below=raters.below,
    )
    exact.settle(system, hidden, min_group_size)
    return hidden
