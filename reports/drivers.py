"""Driver analysis (contract "Drivers"): which of the six dimensions move the outcome answer, per
supplier-scope department and company-wide per scope. Pure numpy: answer sets in, rounded rows out.

Per group, an observation is one (rater, provider) answer set with the outcome and all six
dimensions. The figures:

* Spearman correlations: Pearson correlations of average ranks (ties share their mean rank).
* General dominance weights from the 7 × 7 Spearman matrix: the R² of each of the 63 subsets of
  dimensions is read off the matrix by the sweep operator (no regression on raw rows), and each
  dimension's weight is its mean gain in R², first within each subset size, then over the sizes:
  a fixed linear map of the 64 R² values (`_DOMINANCE`). The six weights sum to the full R².
* A 95 % percentile bootstrap interval of each weight's share of R², resampling respondents
  (1,000 resamples). Each resample draws the cycle's respondents with replacement, and every
  group is recomputed on it (a respondent drawn twice counts twice in each group they answered
  for), as a survey's groups are all read from one sample: one draw serves every group, which is
  what makes 1,000 resamples affordable in the roll-up. The generator is seeded from the answers,
  and respondents are put in an order that follows their answers, not their random keys, so the
  same answers always give the same interval. A resample's figures are weighted correlations of
  the group's average ranks (one matrix product per group instead of ranking 1,000 resampled
  copies; with 5-point scores, re-ranking a resample moves ranks by a fraction of a tie's width).
  The products are shared between two threads (numpy lets go of the interpreter in them) with the
  matrix library held to one thread of its own (threadpoolctl); the figures do not depend on the
  threads or on how the resamples are cut into blocks: the draws are the generator's one sequence.

Every figure is rounded here: only rounded figures reach the snapshot. No NaN leaves this module;
empty is None.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from reports.columns import PACK_BASE, answer_set_array
from surveys.dimensions import ALL_DIMENSIONS, MANAGEMENT, OUTCOME, SERVICE_DIMENSIONS, SUPPLIER

WEIGHTS, CORRELATIONS, COMPANY = "weights", "correlations", "company"
TIERS = (WEIGHTS, CORRELATIONS, COMPANY)
WEIGHTS_MIN, CORRELATIONS_MIN = 100, 30
RESAMPLES = 1000
COLUMNS = [
    "department",
    "scope",
    "dimension",
    "observations",
    "tier",
    "correlation",
    "importance_pct",
    "importance_low",
    "importance_high",
    "r2",
]

_P = len(SERVICE_DIMENSIONS)
_Y = _P  # the outcome's row and column in a group's 7 × 7 matrix
_OUTCOME = ALL_DIMENSIONS.index(OUTCOME)
_CHUNK = 1024
_PIVOT_MIN = 1e-9  # a dimension whose residual variance is below this adds nothing (constant or collinear)


def tier(observations: int) -> str:
    """The contract's tier of a group of `observations`."""
    if observations >= WEIGHTS_MIN:
        return WEIGHTS
    if observations >= CORRELATIONS_MIN:
        return CORRELATIONS
    return COMPANY


# ---- Observations ----


@dataclass(frozen=True)
class Observations:
    """Complete answer sets: rater and provider department, respondent key, and scores (n × 7: the
    six dimensions, then the outcome). `outcome_answers_count`: the outcome answers among all sets."""

    rater: np.ndarray
    provider: np.ndarray
    respondent: np.ndarray
    scores: np.ndarray
    outcome_answers_count: int


def observations(rows: np.ndarray | list[tuple]) -> Observations:
    """The observations among answer sets as reports.services reads them (rater, provider,
    respondent, packed scores; see reports.columns.PACK_BASE)."""
    sets = answer_set_array(rows)
    rater, provider, respondent, packed = sets.T
    bits = PACK_BASE.bit_length() - 1
    wanted = np.array([*(ALL_DIMENSIONS.index(s) for s in SERVICE_DIMENSIONS), _OUTCOME])
    scores = (packed[:, None] >> (bits * wanted)) & (PACK_BASE - 1)
    complete = (scores > 0).all(axis=1)
    return Observations(
        rater=rater[complete],
        provider=provider[complete],
        respondent=respondent[complete],
        scores=scores[complete].astype("int8"),  # 1–5: an eighth of the memory of int64
        outcome_answers_count=int((scores[:, _Y] > 0).sum()),
    )


# ---- Ranks, correlations, R² of subsets and dominance ----


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (1-based; ties share their mean rank) of each column of small positive integers."""
    return _ranks_by_row(np.asarray(values, dtype="int64").T).T


def _ranks_by_row(values: np.ndarray, centre: bool = False) -> np.ndarray:
    """average_ranks of each row of `values` (variables × n, small positive integers); with
    `centre`, less their mean (n + 1) / 2 and divided by n."""
    ranks = np.empty(values.shape, dtype="float64")
    for row, (these, table) in enumerate(zip(values, _rank_tables(values, centre), strict=True)):
        np.take(table, these, out=ranks[row])
    return ranks


def _rank_tables(values: np.ndarray, centre: bool = False) -> list[np.ndarray]:
    """Per row of `values` (see _ranks_by_row), the rank of each value: ranks are looked up in it."""
    n = values.shape[1]
    tables = []
    for these in values:
        counts = np.bincount(these)
        below = np.cumsum(counts) - counts
        table = below + (counts + 1) / 2.0
        if centre:
            table = (table - (n + 1) / 2.0) / n
        tables.append(table)
    return tables


_K = _P + 1
_UPPER = np.triu_indices(_K)  # the 28 products' (row, column), in the moments' order
_PAIR = np.zeros((_K, _K), dtype="intp")
_PAIR[_UPPER] = np.arange(len(_UPPER[0]))
_PAIR = np.maximum(_PAIR, _PAIR.T).ravel()  # cell (i, j) of a 7 × 7 matrix → its product
_DIAGONAL = _PAIR[:: _K + 1]
_ROW, _COLUMN = (index.ravel() for index in np.indices((_K, _K)))


def _correlations(moments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Correlation matrices (N × 7 × 7) and which variables vary (N × 7), from weighted moments
    (N × 36: total weight, 7 sums, then the 28 products of the upper triangle). A variable that does
    not vary gets zero correlations and a zero diagonal: it is never swept in, so it adds no R²."""
    correlation, varies = _correlations_by_cell(np.asarray(moments, dtype="float64").T)
    return np.moveaxis(correlation.reshape(_K, _K, -1), -1, 0), varies.T


def _correlations_by_cell(moments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """_correlations with the matrices last: moments 36 × N in, correlations 49 × N (cell i·7 + j)
    and which variables vary (7 × N) out."""
    weight = np.where(moments[0] > 0, moments[0], 1.0)  # nobody drawn: all zero, no NaN
    mean = moments[1 : 1 + _K] / weight
    covariance = moments[1 + _K :] / weight - mean[_UPPER[0]] * mean[_UPPER[1]]
    variance = covariance[_DIAGONAL]
    varies = variance > 1e-12 * np.maximum(1.0, np.abs(mean) ** 2)
    scale = np.where(varies, np.sqrt(np.where(varies, variance, 1.0)), np.inf)
    correlation = covariance[_PAIR] / scale[_ROW] / scale[_COLUMN]
    np.clip(correlation, -1.0, 1.0, out=correlation)
    correlation[:: _K + 1] = varies
    return correlation, varies


def subset_r2(correlation: np.ndarray) -> np.ndarray:
    """R² of the least-squares fit of the outcome (last variable) on every subset of the six
    dimensions, from correlation matrices (N × 7 × 7): N × 64, subset m holding dimension i when
    bit i of m is set (R² of the empty subset is 0).

    Sweeping a correlation matrix on a set of dimensions leaves 1 − R² of that set in the outcome's
    diagonal cell. The subsets are built one dimension at a time: before step p there is one Schur
    complement per subset of the dimensions before p, on the dimensions from p on and the outcome;
    step p keeps each as it is (p left out) and sweeps each on p (p taken in), so that every step is
    a few operations over all subsets and matrices at once (six steps in all, the same arithmetic
    as sweeping each subset from its parent). A dimension whose residual variance is below
    _PIVOT_MIN (constant, or a combination of those already in) is skipped: it adds nothing to the fit.
    """
    correlation = np.asarray(correlation, dtype="float64")
    r2 = np.empty((len(correlation), 2**_P))
    for start in range(0, len(correlation), _CHUNK):  # ~1,000 matrices at a time stay in the cache
        part = correlation[start : start + _CHUNK]
        r2[start : start + len(part)] = _subset_r2_by_cell(np.moveaxis(part, 0, -1).reshape(_K * _K, -1)).T
    return r2


def _subset_r2_by_cell(correlation: np.ndarray) -> np.ndarray:
    """subset_r2 with the matrices last: correlations 49 × n (cell i·7 + j) in, R² 64 × n out."""
    n = correlation.shape[-1]
    schur = np.ascontiguousarray(correlation).reshape(1, _K, _K, n)  # subsets × (7 − p) × (7 − p) × n
    r2 = np.empty((2**_P, n))
    r2[0] = 0.0
    for _ in range(_P):
        half, size = len(schur), schur.shape[1]
        pivot = schur[:, 0, 0]
        usable = pivot > _PIVOT_MIN
        column = schur[:, 1:, 0]
        scaled = column * (usable / np.where(usable, pivot, 1.0))[:, None]  # zero where the pivot is unusable
        if size == 2:  # the last dimension: only the outcome's cell is left
            np.subtract(schur[:, 1, 1], column[:, 0] * scaled[:, 0], out=r2[half:])
            np.subtract(1.0, r2[half:], out=r2[half:])
            break
        following = np.empty((2 * half, size - 1, size - 1, n))  # subset index: bit p = p taken in
        rest = schur[:, 1:, 1:]
        following[:half] = rest
        swept = following[half:]
        np.multiply(column[:, :, None], scaled[:, None, :], out=swept)
        np.subtract(rest, swept, out=swept)
        np.subtract(1.0, swept[:, -1, -1], out=r2[half : 2 * half])
        schur = following
    return np.clip(r2, 0.0, 1.0, out=r2)


def _dominance_matrix() -> np.ndarray:
    """The 64 × 6 map from subset R² to general dominance weights (see the module docstring)."""
    coefficients = np.zeros((2**_P, _P))
    for mask in range(2**_P):
        size = bin(mask).count("1")
        for j in range(_P):
            if mask & (1 << j):
                coefficients[mask, j] += 1.0 / (_P * math.comb(_P - 1, size - 1))
            else:
                coefficients[mask, j] -= 1.0 / (_P * math.comb(_P - 1, size))
    return coefficients


_DOMINANCE = _dominance_matrix()


def dominance_weights(correlation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """General dominance weights (N × 6) and the full model's R² (N), from correlation matrices."""
    r2 = subset_r2(correlation)
    return r2 @ _DOMINANCE, r2[:, -1]


def _moments(ranks: np.ndarray) -> np.ndarray:
    """Per observation: 1, the seven ranks and their 28 upper-triangle products (n × 36), in the
    order of np.triu_indices(7)."""
    return _moments_by_row(np.ascontiguousarray(np.asarray(ranks, dtype="float64").T)).T


def _moments_by_row(ranks: np.ndarray) -> np.ndarray:
    """_moments with the observations last: ranks 7 × n in, moments 36 × n out (each row written
    whole: no temporary copies)."""
    k, n = ranks.shape
    out = np.empty((1 + k + k * (k + 1) // 2, n))
    out[0] = 1.0
    out[1 : 1 + k] = ranks
    at = 1 + k
    for i in range(k):
        np.multiply(ranks[i], ranks[i:], out=out[at : at + k - i])
        at += k - i
    return out


# ---- Groups ----


def _seed_and_order(respondent: np.ndarray, scores: np.ndarray, provider: np.ndarray, label: str):
    """A seed from the group's answers, and its respondents in an order that depends on their answers
    only (identical respondents are interchangeable). Returns (seed, respondent index per
    observation into that order, number of respondents)."""
    code = provider.astype("uint64") * np.uint64(PACK_BASE ** (_P + 1))
    for column in range(_P + 1):
        code = code + scores[:, column].astype("uint64") * np.uint64(PACK_BASE**column)
    mixed = _mix(code)
    people, person = np.unique(respondent, return_inverse=True)
    content = np.zeros(len(people), dtype="uint64")
    np.add.at(content, person, mixed)  # an order-free hash of each respondent's answer sets (wraps)
    content = _mix(content)
    order = np.argsort(content, kind="stable")
    rank_of = np.empty(len(people), dtype="int64")
    rank_of[order] = np.arange(len(people))
    digest = hashlib.blake2b(np.sort(content).tobytes() + label.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little"), rank_of[person.ravel()], len(people)


def _stable_order(values: np.ndarray) -> np.ndarray:
    """np.argsort(values, kind="stable") of whole numbers; as 16-bit ones where they fit (radix sort)."""
    if len(values) and values.min() >= 0 and values.max() < 2**16:
        values = values.astype("uint16")
    return np.argsort(values, kind="stable")


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, elementwise (uint64 arithmetic wraps)."""
    z = values.astype("uint64") + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _resampled_counts(rng: np.random.Generator, people: int, resamples: int) -> np.ndarray:
    """How often each respondent is drawn in each resample, people × resamples (float32: small
    whole numbers): `people` draws with replacement per resample. Counted one resample at a time
    and turned people × resamples a few resamples at a time, in the processor's cache."""
    drawn = rng.integers(0, people, size=(resamples, people), dtype=np.int32)
    counts = np.empty((people, resamples), dtype="float32")
    block = 8
    counted = np.empty((block, people), dtype="float32")
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        for row in range(size):
            counted[row] = np.bincount(drawn[start + row], minlength=people)
        counts[:, start : start + size] = counted[:size].T
    return counts


@dataclass(frozen=True)
class _Job:
    """One group's bootstrap: its people (indexes into the resampled people; None when it holds
    every one of them, in order) and each one's moments summed over their observations in the
    group, transposed (float32, 36 × people)."""

    people: np.ndarray | None
    moments: np.ndarray


# People whose observations' moments are computed at a time: the company's group holds ~800,000
# observations at 100,000 people, whose 36 moments at once were 230 MiB of the roll-up's peak.
_MOMENT_PIECE_PEOPLE = 32_768


def _grouped_moments(scores: np.ndarray, person: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The group's moments (see _moments) of its centred ranks, from its scores (7 × n) and
    respondents (n, sorted): their sum over all observations (36), each respondent's sum over
    their observations in the group (float32, 36 × people) and those people. Ranked and computed a
    piece of people at a time."""
    n = scores.shape[1]
    tables = _rank_tables(scores, centre=True)  # centred and scaled: no precision lost in the moments
    starts = np.flatnonzero(np.r_[True, person[1:] != person[:-1]]) if n else np.zeros(0, dtype="intp")
    ends = np.r_[starts[1:], n]
    total = np.zeros(1 + _K + _K * (_K + 1) // 2)
    per_person = np.empty((len(total), len(starts)), dtype="float32")
    for first in range(0, len(starts), _MOMENT_PIECE_PEOPLE):
        last = min(first + _MOMENT_PIECE_PEOPLE, len(starts))
        low, high = starts[first], ends[last - 1]
        ranks = np.stack([np.take(table, these[low:high]) for table, these in zip(tables, scores, strict=True)])
        moments = _moments_by_row(ranks)
        total += moments.sum(axis=1)
        if last - first < high - low:  # someone with several observations in the group: their sum
            moments = np.add.reduceat(moments, starts[first:last] - low, axis=1)
        per_person[:, first:last] = moments
    return total, per_person, person[starts]


_THREADS = 2  # the machine's cores: numpy lets go of the interpreter in the products and the draws


def _bootstrap(jobs: list[_Job], people: int, seed: int, resamples: int) -> list[np.ndarray]:
    """Importance shares (% of R²) of each job over `resamples` resamples of the `people`
    respondents: one list of resamples × 6 arrays, NaN where a resample's R² is 0 (or the group
    drew nobody). Every group is computed on the same resamples of respondents, as a survey's
    groups are read from one sample: a respondent drawn twice counts twice in every group they are in.

    A group's resampled moments are its moments times its people's counts: one matrix product per
    group and block of resamples, its people's counts gathered into a reused buffer. The groups are
    shared between _THREADS threads while this one draws the next block's counts (the draws are
    the generator's one sequence, whatever the blocks), and the resamples' figures are computed in
    chunks on the same threads: the figures do not depend on the threads. The matrix library is
    held to one thread meanwhile: its own threads wait for each other by spinning, which on a
    busy machine costs more than they bring."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(seed)
    block = max(8, min(resamples, 2_000_000 // max(people, 1) // 8 * 8))  # the counts: ≤ ~8 MB, in the cache
    shares_of = _balanced([0 if job.people is None else len(job.people) for job in jobs], _THREADS)
    most = max((len(job.people) for job in jobs if job.people is not None), default=0)
    resampled = np.empty((jobs[0].moments.shape[0], len(jobs), resamples))  # 36 × jobs × resamples

    def products(indexes, counts, start, gathered):
        size = counts.shape[1]
        for index in indexes:
            job = jobs[index]
            if job.people is None:
                theirs = counts
            else:
                theirs = np.take(counts, job.people, axis=0, out=gathered[: len(job.people), :size])
            resampled[:, index, start : start + size] = job.moments @ theirs

    with _blas_threads(1), ThreadPoolExecutor(_THREADS) as pool:
        buffers = [np.empty((most, block), dtype="float32") for _ in shares_of]
        counts = _resampled_counts(rng, people, min(block, resamples))
        for start in range(0, resamples, block):
            running = [
                pool.submit(products, indexes, counts, start, buffer)
                for indexes, buffer in zip(shares_of, buffers, strict=True)
            ]
            following = start + block
            if following < resamples:
                counts = _resampled_counts(rng, people, min(block, resamples - following))
            for each in running:
                each.result()
        flat = resampled.reshape(len(resampled), -1)
        share = np.empty((flat.shape[1], _P))
        list(pool.map(lambda start: _shares(flat, start, share), range(0, flat.shape[1], _CHUNK)))
    return list(share.reshape(len(jobs), resamples, _P))


def _shares(resampled: np.ndarray, start: int, out: np.ndarray) -> None:
    """Importance shares of the resampled moments (36 × N) start … start + _CHUNK into out (N × 6),
    NaN where R² is 0 or the resample drew nobody of the group: one chunk, which stays in the cache."""
    part = resampled[:, start : start + _CHUNK]
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation, _ = _correlations_by_cell(part)
        r2 = _subset_r2_by_cell(correlation)
        weights, full = r2.T @ _DOMINANCE, r2[-1][:, None]
        out[start : start + part.shape[1]] = np.where((full > 0) & (part[:1].T > 0), 100.0 * weights / full, np.nan)


def _balanced(sizes: list[int], parts: int) -> list[list[int]]:
    """Indexes of `sizes` in `parts` lists of about equal total (the largest first, each to the lightest)."""
    totals, chosen = [0] * parts, [[] for _ in range(parts)]
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        lightest = totals.index(min(totals))
        chosen[lightest].append(index)
        totals[lightest] += sizes[index] or max(sizes, default=0) * 5  # everyone: no gather, but many rows
    return [each for each in chosen if each]


def _blas_threads(limit: int):
    """The matrix library held to `limit` threads (threadpoolctl), as a context manager."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=limit, user_api="blas")


def _interval(shares: np.ndarray) -> tuple[list, list]:
    ((low, high),) = _intervals([shares])
    return low, high


def _intervals(shares: list[np.ndarray]) -> list[tuple[list, list]]:
    """The rounded 95 % percentile interval (low and high, six each) of each group's resampled
    shares (resamples × 6; a resample with a NaN is left out). The groups with every resample valid
    share one np.percentile call (each column is its own, so the figures are the same)."""
    valid = [~np.isnan(each).any(axis=1) for each in shares]
    whole = [index for index, each in enumerate(valid) if each.all()]
    bounds: dict[int, np.ndarray] = {}
    if whole:
        together = np.percentile(np.concatenate([shares[i] for i in whole], axis=1), [2.5, 97.5], axis=0)
        bounds.update((i, together[:, at * _P : (at + 1) * _P]) for at, i in enumerate(whole))
    for index, each in enumerate(valid):
        if index not in bounds and each.any():
            bounds[index] = np.percentile(shares[index][each], [2.5, 97.5], axis=0)
    empty = [None] * _P
    return [
        ([_round(v, 1) for v in bounds[i][0]], [_round(v, 1) for v in bounds[i][1]]) if i in bounds else (empty, empty)
        for i in range(len(shares))
    ]


def _point_figures(scores: np.ndarray, person: np.ndarray, everyone: int) -> tuple[dict, _Job | None]:
    """A group's rounded figures without the interval from its scores (7 × n: the six dimensions,
    then the outcome) and respondents (n, sorted, indexes among `everyone`), and its bootstrap job
    where it needs an interval (None elsewhere)."""
    n = scores.shape[1]
    empty = [None] * _P
    figures = {
        "tier": tier(n),
        "correlation": empty,
        "importance_pct": empty,
        "importance_low": empty,
        "importance_high": empty,
        "r2": None,
    }
    if figures["tier"] == COMPANY:
        return figures, None
    total, per_person, people = _grouped_moments(scores, person)
    correlation, varies = _correlations(total[None])
    shown = varies[0, :_P] & varies[0, _Y]
    figures["correlation"] = [_round(correlation[0, i, _Y], 2) if shown[i] else None for i in range(_P)]
    if figures["tier"] != WEIGHTS or not varies[0, _Y]:
        return figures, None
    weights, r2 = dominance_weights(correlation)
    figures["r2"] = _round(r2[0], 2)
    if r2[0] <= 0:
        return figures, None
    figures["importance_pct"] = [_round(100.0 * w / r2[0], 1) for w in weights[0]]
    whole = len(people) == everyone  # sorted and distinct: then it is 0 … everyone − 1
    return figures, _Job(people=None if whole else people, moments=per_person)


def group_figures(
    scores: np.ndarray, respondent: np.ndarray, provider: np.ndarray, *, label: str, resamples: int = RESAMPLES
) -> dict:
    """The rounded figures of one group on its own (its respondents resampled): per dimension,
    correlation, importance_pct, importance_low, importance_high (lists of six, None where empty)
    and r2 (None where empty), by the group's tier. `scores`: n × 7 (the six dimensions, then the
    outcome); `label` names the group in its seed."""
    scores = np.asarray(scores, dtype="int64")
    seed, person, people = _seed_and_order(respondent, scores, provider, label)
    order = np.argsort(person, kind="stable")  # each respondent's observations together
    figures, job = _point_figures(np.ascontiguousarray(scores[order].T), person[order], people)
    if job is not None:
        (shares,) = _bootstrap([job], people, seed, resamples)
        figures["importance_low"], figures["importance_high"] = _interval(shares)
    return figures


def _round(value: float, digits: int) -> float | None:
    value = float(value)
    if not math.isfinite(value):
        return None
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else rounded  # no "-0.0" in any file


# ---- The cycle ----


def compute(
    observed: Observations, *, supplier_departments, min_group_size: int, resamples: int = RESAMPLES
) -> list[dict]:
    """Every row of the contract's drivers export for one cycle (COLUMNS; `department` None for the
    company): six per department in `supplier_departments` (those rated in the supplier scope),
    then six for the company in each scope.

    Each group is a group of people: one of fewer than `min_group_size` distinct raters reads as
    tier `company` with every figure empty, its `observations` too. The supplier company count is
    the sum of the departments' counts, so where some are blank the blank ones must together hold
    at least `min_group_size` distinct raters, or more are blanked (the smallest first), the
    company count last, as the scorecards' differencing rule does.
    """
    supplier = observed.rater != observed.provider
    # The respondents of the whole cycle, in an order and with a seed that follow their answers only.
    seed, person, people = _seed_and_order(observed.respondent, observed.scores, observed.provider, "cycle")
    # Each group's observations as index arrays, each respondent's together: one sort by respondent,
    # then one (stable) by department instead of a mask and a sort per department.
    by_person = _stable_order(person)
    rated = by_person[supplier[by_person]]
    rated = rated[_stable_order(observed.provider[rated])]
    providers = observed.provider[rated]
    groups = []
    for department in sorted(int(d) for d in supplier_departments):
        first, last = np.searchsorted(providers, [department, department + 1])
        groups.append((department, SUPPLIER, rated[first:last]))
    groups.append((None, SUPPLIER, by_person[supplier[by_person]]))
    groups.append((None, MANAGEMENT, by_person[~supplier[by_person]]))

    by_variable = np.ascontiguousarray(observed.scores.T)
    rows, counts, jobs = [], {}, []
    for department, scope, chosen in groups:
        n = len(chosen)
        theirs = person[chosen]
        raters = int(n > 0) + int(np.count_nonzero(theirs[1:] != theirs[:-1]))  # one person per respondent
        small = raters < min_group_size
        figures, job = _point_figures(np.take(by_variable, chosen[: 0 if small else n], axis=1), theirs, people)
        if job is not None:
            jobs.append((figures, job))
        counts[department, scope] = None if small else n
        rows.append((department, scope, n, figures))
    if jobs:
        shares = _bootstrap([job for _, job in jobs], people, seed, resamples)
        for (figures, _), interval in zip(jobs, _intervals(shares), strict=True):
            figures["importance_low"], figures["importance_high"] = interval
    _blank_differences(counts, observed, supplier, min_group_size)

    out = []
    for department, scope, _n, figures in rows:
        for i, slug in enumerate(SERVICE_DIMENSIONS):
            out.append(
                {
                    "department": department,
                    "scope": scope,
                    "dimension": slug,
                    "observations": counts[department, scope],
                    "tier": figures["tier"],
                    "correlation": figures["correlation"][i],
                    "importance_pct": figures["importance_pct"][i],
                    "importance_low": figures["importance_low"][i],
                    "importance_high": figures["importance_high"][i],
                    "r2": figures["r2"],
                }
            )
    return out


def _blank_differences(counts: dict, observed: Observations, supplier: np.ndarray, min_group_size: int) -> None:
    """Blank more supplier department counts (smallest first), then the company's, until the blank
    ones hold at least `min_group_size` distinct raters together (or none is blank)."""
    departments = [d for (d, scope) in counts if d is not None and scope == SUPPLIER]
    blank = {d for d in departments if counts[d, SUPPLIER] is None}
    if not blank:
        return

    def raters_of(chosen_departments):
        chosen = supplier & np.isin(observed.provider, list(chosen_departments))
        return len(np.unique(observed.respondent[chosen]))

    shown = sorted((d for d in departments if d not in blank), key=lambda d: (counts[d, SUPPLIER], d))
    while raters_of(blank) < min_group_size:
        if not shown:
            counts[None, SUPPLIER] = None
            return
        smallest = shown.pop(0)
        blank.add(smallest)
        counts[smallest, SUPPLIER] = None
