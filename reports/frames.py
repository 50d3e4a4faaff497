"""The roll-up's arithmetic, pure pandas: aggregate frames in, result frames out; no ORM, no I/O.

The input is what one SQL GROUP BY returns (see `reports.services`): per link (rater department →
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
"""

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.columns import FIGURE_FIELDS, PACK_BASE
from surveys.dimensions import ALL_DIMENSIONS, EXPECTATION, FAVORABLE_MIN, OVERALL, SERVICE_DIMENSIONS

from . import differencing, stats

SUPPLIER, MANAGEMENT = "supplier", "management"
SCOPES = (SUPPLIER, MANAGEMENT)
ROW_DIMENSIONS = (*SERVICE_DIMENSIONS, OVERALL)

CELL_COLUMNS = ["rater", "provider", "dimension", "n", "total", "total_sq", "favorable"]
MASK_COLUMNS = ["rater", "provider", "mask", "respondents"]
COMPANY_RESPONDENT_COLUMNS = ["scope", "dimension", "respondents"]
DEPARTMENT_KEYS = ["department", "scope", "dimension"]
LINK_KEYS = ["rater", "provider", "dimension"]
COMPANY_KEYS = ["scope", "dimension"]
FIGURE_COLUMNS = list(FIGURE_FIELDS)
_SUMS = ["respondents", "ratings", "total", "total_sq", "favorable"]


@dataclass(frozen=True)
class Rollup:
    """Result frames of one cycle. `departments`, `links` and `company` hold FIGURE_COLUMNS (plus
    `variance`, kept for the next cycle's significance tests and never stored); `summary` the
    per-cycle figures; `decision` what the differencing rule hid and why (for tests and audits)."""

    departments: pd.DataFrame
    links: pd.DataFrame
    summary: dict
    company: pd.DataFrame = None
    decision: differencing.Decision = None


def empty_cells() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(columns=CELL_COLUMNS), pd.DataFrame(columns=MASK_COLUMNS)


def from_answer_sets(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cells, link masks and company respondents (the inputs of `rollup`) from answer sets.

    `rows`: one per respondent and provider: rater department, provider department, respondent key,
    packed scores (see reports.columns.PACK_BASE). Respondent keys only group a person's sets here
    (their supplier-wide mask); they leave this function in no output.
    """
    sets = np.fromiter(itertools.chain.from_iterable(rows), dtype="int64", count=4 * len(rows)).reshape(-1, 4)
    rater, provider, respondent, packed = sets.T
    width = int(provider.max(initial=0)) + 1
    keys, link = np.unique(rater * width + provider, return_inverse=True)
    link = link.ravel()
    scores = (packed[:, None] // PACK_BASE ** np.arange(len(ALL_DIMENSIONS))) % PACK_BASE  # sets × 7
    answered = scores > 0
    cells = _cells_of(keys, width, link, scores, answered)

    mask = answered[:, : differencing.DIMENSION_COUNT] @ (1 << np.arange(differencing.DIMENSION_COUNT))
    rated = mask != 0  # a set of expectation answers only rates no service dimension
    per_mask = np.bincount(link[rated] * differencing.MASKS + mask[rated], minlength=len(keys) * differencing.MASKS)
    found = np.flatnonzero(per_mask)
    masks = pd.DataFrame(
        {
            "rater": keys[found // differencing.MASKS] // width,
            "provider": keys[found // differencing.MASKS] % width,
            "mask": found % differencing.MASKS,
            "respondents": per_mask[found],
        }
    )
    supplier = rated & (rater != provider)
    return cells, masks, company_respondents(respondent[supplier], mask[supplier])


def _cells_of(keys, width, link, scores, answered) -> pd.DataFrame:
    """Count, sum, sum of squares and favourable count per link and dimension (where answered)."""

    def per_link(weights):
        return np.stack([np.bincount(link, weights[:, k], minlength=len(keys)) for k in range(weights.shape[1])], 1)

    sums = {
        "n": per_link(answered),
        "total": per_link(scores),
        "total_sq": per_link(scores * scores),
        "favorable": per_link(scores >= FAVORABLE_MIN),
    }
    links, dimensions = np.nonzero(sums["n"])
    cells = pd.DataFrame(
        {
            "rater": keys[links] // width,
            "provider": keys[links] % width,
            "dimension": np.asarray(ALL_DIMENSIONS, dtype=object)[dimensions],
            **{name: values[links, dimensions].astype("int64") for name, values in sums.items()},
        }
    )
    return cells[CELL_COLUMNS]


def company_respondents(respondent: np.ndarray, mask: np.ndarray) -> pd.DataFrame:
    """Distinct supplier-scope raters per dimension and overall, from their supplier answer sets:
    a person's supplier-wide mask ORs the masks of the sets they gave."""
    order = np.argsort(respondent, kind="stable")
    respondent, mask = respondent[order], mask[order]
    starts = np.flatnonzero(np.r_[True, respondent[1:] != respondent[:-1]]) if len(respondent) else np.array([], int)
    people = np.bitwise_or.reduceat(mask, starts) if len(starts) else np.array([], dtype="int64")
    counts = np.bincount(people, minlength=differencing.MASKS)
    rows = [
        (SUPPLIER, slug, int(counts[(np.arange(differencing.MASKS) & (1 << i)) != 0].sum()))
        for i, slug in enumerate(SERVICE_DIMENSIONS)
    ]
    rows.append((SUPPLIER, OVERALL, int(counts[1:].sum())))
    return pd.DataFrame(rows, columns=COMPANY_RESPONDENT_COLUMNS)


def stored_rollup(rows: list[tuple]) -> "Rollup":
    """A cycle's Rollup as its stored snapshot holds it, with what a later cycle's deltas read:
    ratings, mean, variance and suppressed of each row. `rows`: (kind, first id, second id, scope,
    dimension, ratings, mean, variance, suppressed) with kind "link", "department" or "company"."""
    frame = pd.DataFrame(
        rows, columns=["kind", "first", "second", "scope", "dimension", "ratings", "mean", "variance", "suppressed"]
    )
    frame = frame.astype(
        {"first": "int64", "second": "int64", "mean": "float64", "variance": "float64", "suppressed": "bool"}
    )
    frame["ratings"] = frame["ratings"].astype("Int64")
    frame["scope"] = pd.Categorical(frame["scope"], categories=SCOPES, ordered=True)
    frame["dimension"] = pd.Categorical(frame["dimension"], categories=ROW_DIMENSIONS, ordered=True)
    figures = ["ratings", "mean", "variance", "suppressed"]

    def part(kind, names):
        selected = frame[frame["kind"] == kind].rename(columns=names)
        return selected[[*names.values(), "scope", "dimension", *figures]].reset_index(drop=True)

    return Rollup(
        departments=part("department", {"first": "department"}),
        links=part("link", {"first": "rater", "second": "provider"}),
        company=part("company", {}),
        summary={},
    )


def rollup(
    cells: pd.DataFrame,
    link_masks: pd.DataFrame,
    *,
    min_group_size: int,
    previous: "Rollup | None" = None,
    company_respondents: pd.DataFrame | None = None,
) -> Rollup:
    """Every figure of the contract for one cycle, from its aggregate frames.

    `link_masks`: per link, respondents per combination of service dimensions answered.
    `company_respondents`: distinct supplier-scope raters per dimension and overall (they overlap
    across departments); without it a lower bound is used, good for suppression decisions only.
    `previous` is the previous cycle's Rollup (computed with that cycle's own minimum group size);
    deltas are empty without it.
    """
    cells = _typed_cells(cells)
    link_masks = link_masks[MASK_COLUMNS].astype("int64")
    service = cells[cells["dimension"] != EXPECTATION]
    expectation = cells[cells["dimension"] == EXPECTATION]

    link_sums = _link_sums(service, link_masks)
    link_expectation = (
        expectation.groupby(["rater", "provider"], as_index=False)[["n", "total"]]
        .sum()
        .rename(columns={"n": "exp_n", "total": "exp_total"})
    )
    department_sums = (
        link_sums.assign(department=link_sums["provider"], scope=_scope(link_sums))
        .groupby(DEPARTMENT_KEYS, as_index=False, observed=True)[_SUMS]
        .sum()
    )
    company_sums = _company_sums(department_sums, company_respondents)
    sums = {"link": link_sums, "department": department_sums, "company": company_sums}
    decision, hidden = _decide(sums, link_masks, min_group_size)

    links = _figures(link_sums, link_expectation, ["rater", "provider"], hidden["link"])
    links.insert(2, "scope", _scope(links))
    department_expectation = (
        link_expectation.assign(department=link_expectation["provider"], scope=_scope(link_expectation))
        .groupby(["department", "scope"], as_index=False)[["exp_n", "exp_total"]]
        .sum()
    )
    departments = _figures(
        department_sums,
        department_expectation,
        ["department", "scope"],
        hidden["department"],
    )
    company_expectation = department_expectation.groupby("scope", as_index=False, observed=True)[
        ["exp_n", "exp_total"]
    ].sum()
    company = _figures(company_sums, company_expectation, ["scope"], hidden["company"])

    if previous is not None:
        departments = _with_delta(departments, previous.departments, DEPARTMENT_KEYS)
        links = _with_delta(links, previous.links, LINK_KEYS)
        if previous.company is not None:
            company = _with_delta(company, previous.company, COMPANY_KEYS)
    departments = _ranked(departments, DEPARTMENT_KEYS)
    links = _ranked(links, LINK_KEYS)
    company = company.sort_values(COMPANY_KEYS, ignore_index=True)

    # The company mean as the company line shows it: hidden where the differencing rule hides that
    # line (otherwise it and the shown departments would give a hidden one away).
    shown_company = company[(company["scope"] == SUPPLIER) & (company["dimension"] == OVERALL) & ~company["suppressed"]]
    summary = {
        "company_mean": float(shown_company["mean"].iloc[0]) if len(shown_company) else None,
        **_weakest(departments, links),
    }
    return Rollup(departments=departments, links=links, summary=summary, company=company, decision=decision)


def links_needing_masks(cells: pd.DataFrame, *, min_group_size: int) -> pd.DataFrame:
    """Links (rater, provider) of a *previous* cycle whose dimension masks must be read exactly.

    The previous cycle's respondent counts serve one purpose: deciding which of its rows are hidden
    (deltas need nothing else). A link whose every dimension was answered by none or by at least
    the minimum group size needs no exact masks: the union of any of its dimensions that received
    ratings reaches the minimum whatever the overlap, so nested masks (`previous_link_masks`) give
    the same decisions. Only links with a dimension answered by 1 to minimum − 1 people are read,
    which spares a full DISTINCT scan of the previous cycle.
    """
    counts = _dimension_counts(_typed_cells(cells))
    small = ((counts > 0) & (counts < min_group_size)).any(axis=1)
    return counts.index[small].to_frame(index=False)


def previous_link_masks(cells: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """Per link of a previous cycle: the exact masks where read, else nested masks (the fewest
    respondents consistent with the per-dimension counts). Good for suppression decisions only."""
    exact = exact[MASK_COLUMNS].astype("int64")
    counts = _dimension_counts(_typed_cells(cells))
    if len(exact):
        counts = counts[~counts.index.isin(pd.MultiIndex.from_frame(exact[["rater", "provider"]]))]
    matrix = counts.to_numpy(dtype="int64")  # links × 6
    if not len(matrix):
        return exact
    # Respondent k of a link answers every dimension whose count is at least k: for a dimension
    # with count c, the respondents between the next lower count and c share one mask.
    covers = matrix[:, None, :] >= matrix[:, :, None]  # [link, d, d']: does count d' reach count d?
    masks = (covers * (1 << np.arange(differencing.DIMENSION_COUNT))).sum(axis=2)
    lower = np.where(matrix[:, None, :] < matrix[:, :, None], matrix[:, None, :], 0).max(axis=2)
    links = counts.index.to_frame(index=False)
    nested = pd.DataFrame(
        {
            "rater": np.repeat(links["rater"].to_numpy(), differencing.DIMENSION_COUNT),
            "provider": np.repeat(links["provider"].to_numpy(), differencing.DIMENSION_COUNT),
            "mask": masks.ravel(),
            "respondents": (matrix - lower).ravel(),
        }
    )
    nested = nested[nested["respondents"] > 0].drop_duplicates(["rater", "provider", "mask"])
    return pd.concat([exact, nested], ignore_index=True)


def _dimension_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """Answers per link (index: rater, provider) and service dimension (columns, contract order)."""
    service = cells[cells["dimension"] != EXPECTATION]
    table = service.pivot_table(index=["rater", "provider"], columns="dimension", values="n", aggfunc="sum")
    return table.reindex(columns=list(SERVICE_DIMENSIONS)).fillna(0).astype("int64")


def response_rates(participants: pd.DataFrame, headcounts: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Participants over employees active when the cycle opened, per department and overall.

    `participants`: department, participants; `headcounts`: department, eligible. A department
    without a headcount (e.g. an imported historical cycle) has an unknown rate; the overall rate
    is unknown unless every department with participants has a headcount.
    """
    frame = pd.merge(
        participants.astype({"department": "int64", "participants": "int64"}),
        headcounts.astype({"department": "int64", "eligible": "int64"}),
        on="department",
        how="outer",
    ).sort_values("department", ignore_index=True)
    frame["participants"] = frame["participants"].fillna(0).astype("int64")
    frame["eligible"] = frame["eligible"].astype("Int64")
    eligible = frame["eligible"].astype("float64")
    frame["response_rate"] = np.where(eligible > 0, frame["participants"] / eligible, np.nan)
    known = frame["eligible"].notna()
    total_participants = int(frame["participants"].sum())
    complete = bool(len(frame)) and bool(known[frame["participants"] > 0].all()) and bool(known.any())
    total_eligible = int(frame.loc[known, "eligible"].sum()) if complete else None
    overall = {
        "participants": total_participants,
        "eligible": total_eligible,
        "response_rate": _ratio(total_participants, total_eligible) if total_eligible else None,
    }
    return frame, overall


def _typed_cells(cells: pd.DataFrame) -> pd.DataFrame:
    cells = cells[CELL_COLUMNS].copy()
    for column in ("rater", "provider", "n", "total", "total_sq", "favorable"):
        cells[column] = cells[column].astype("int64")
    cells["dimension"] = cells["dimension"].astype("str")
    return cells


def _scope(frame: pd.DataFrame) -> np.ndarray:
    return np.where(frame["rater"] == frame["provider"], MANAGEMENT, SUPPLIER)


def _link_sums(service: pd.DataFrame, link_masks: pd.DataFrame) -> pd.DataFrame:
    """Per link and dimension (six slugs and overall): respondents, ratings, total, total_sq, favorable.

    Every link that received a rating gets all seven rows: a dimension nobody in it rated has zeros
    (and is hidden), as the contract's link export requires."""
    per_dimension = service.rename(columns={"n": "ratings"}).assign(respondents=service["n"])
    overall = per_dimension.groupby(["rater", "provider"], as_index=False)[
        ["ratings", "total", "total_sq", "favorable"]
    ].sum()
    answered = link_masks[link_masks["mask"] != 0]
    respondents = answered.groupby(["rater", "provider"], as_index=False)["respondents"].sum()
    overall = overall.merge(respondents, on=["rater", "provider"], how="left", validate="one_to_one")
    overall["respondents"] = overall["respondents"].fillna(0).astype("int64")
    overall["dimension"] = OVERALL
    sums = pd.concat(
        [per_dimension[["rater", "provider", "dimension", *_SUMS]], overall[["rater", "provider", "dimension", *_SUMS]]]
    )
    if len(sums) < len(overall) * len(ROW_DIMENSIONS):  # some link has a dimension nobody rated
        full = overall[["rater", "provider"]].merge(pd.DataFrame({"dimension": list(ROW_DIMENSIONS)}), how="cross")
        sums = full.merge(sums, on=LINK_KEYS, how="left")
        sums[_SUMS] = sums[_SUMS].fillna(0).astype("int64")
    sums["dimension"] = pd.Categorical(sums["dimension"], categories=ROW_DIMENSIONS, ordered=True)
    return sums.sort_values(LINK_KEYS, ignore_index=True)


def _company_sums(department_sums: pd.DataFrame, company_respondents: pd.DataFrame | None) -> pd.DataFrame:
    """Per scope and dimension, the sums of the department rows; respondents as the docstring of `rollup` says.

    Management raters are disjoint across departments (each rates their own): their sum is exact.
    """
    sums = department_sums.groupby(COMPANY_KEYS, as_index=False, observed=True)[_SUMS].sum()
    largest = department_sums.groupby(COMPANY_KEYS, as_index=False, observed=True)["respondents"].max()
    supplier = sums["scope"] == SUPPLIER
    lower_bound = sums[COMPANY_KEYS].merge(largest, on=COMPANY_KEYS, how="left")["respondents"]
    sums.loc[supplier, "respondents"] = lower_bound[supplier].to_numpy()
    if company_respondents is not None and len(company_respondents):
        exact = (
            sums[COMPANY_KEYS]
            .astype(str)
            .merge(
                company_respondents[COMPANY_RESPONDENT_COLUMNS].astype({"scope": str, "dimension": str}),
                on=COMPANY_KEYS,
                how="left",
            )["respondents"]
        )
        sums.loc[supplier, "respondents"] = exact[supplier].fillna(0).astype("int64").to_numpy()
    sums["respondents"] = sums["respondents"].astype("int64")
    return sums


def _node_keys(frame: pd.DataFrame, kind: str) -> list[tuple]:
    dimension = frame["dimension"].cat.codes.to_numpy() if hasattr(frame["dimension"], "cat") else None
    if dimension is None:
        dimension = frame["dimension"].map({d: i for i, d in enumerate(ROW_DIMENSIONS)}).to_numpy()
    if kind == "link":
        return [differencing.link_key(*k) for k in zip(frame["rater"], frame["provider"], dimension, strict=True)]
    if kind == "department":
        return [
            differencing.department_key(*k) for k in zip(frame["department"], frame["scope"], dimension, strict=True)
        ]
    return [differencing.company_key(*k) for k in zip(frame["scope"], dimension, strict=True)]


def _decide(sums: dict[str, pd.DataFrame], link_masks, min_group_size) -> tuple[differencing.Decision, dict]:
    """The differencing rule over every published node (management rows share their diagonal link's
    node); returns the decision and, per kind of row, a boolean Series: hidden or not."""
    small = {kind: (f["respondents"] < min_group_size) | (f["ratings"] == 0) for kind, f in sums.items()}
    if not any(flags.any() for flags in small.values()):
        # Nothing is hidden for its size, so no subtraction can give a small group away.
        return differencing.Decision(), {kind: flags.astype("bool") for kind, flags in small.items()}
    keys = {kind: _node_keys(frame, kind) for kind, frame in sums.items()}
    nodes = pd.concat(
        [
            pd.DataFrame({"key": keys[kind], "respondents": frame["respondents"], "ratings": frame["ratings"]})
            for kind, frame in sums.items()
        ],
        ignore_index=True,
    ).drop_duplicates("key")
    decision = differencing.hidden_rows(nodes, link_masks, min_group_size=min_group_size)
    hidden = {
        kind: pd.Series([key in decision.hidden for key in keys[kind]], index=frame.index, dtype="bool")
        for kind, frame in sums.items()
    }
    return decision, hidden


def _figures(sums: pd.DataFrame, expectation: pd.DataFrame, group: list[str], suppressed: pd.Series) -> pd.DataFrame:
    """Means, favourable %, CI, expectation mean and gap from the sums; a hidden row keeps none of them."""
    frame = sums.merge(expectation, on=group, how="left")
    suppressed = pd.Series(suppressed.to_numpy(), index=frame.index)
    n = frame["ratings"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = frame["total"] / n.where(n > 0)
        variance = stats.sample_variance(n, frame["total"], frame["total_sq"])
        ci_low, ci_high = stats.mean_ci(n, mean.to_numpy(), variance)
    expectation_mean = frame["exp_total"] / frame["exp_n"]
    shown = ~suppressed

    out = frame[[*group, "dimension"]].copy()
    out["respondents"] = frame["respondents"].astype("Int64").where(shown)
    out["ratings"] = frame["ratings"].astype("Int64").where(shown)
    out["mean"] = mean.where(shown)
    out["favorable_pct"] = (100.0 * frame["favorable"] / n).where(shown)
    out["ci_low"] = pd.Series(ci_low, index=frame.index).where(shown)
    out["ci_high"] = pd.Series(ci_high, index=frame.index).where(shown)
    out["expectation_mean"] = expectation_mean.where(shown)
    out["gap"] = (mean - expectation_mean).where(shown)
    out["delta"] = np.nan
    out["delta_p_value"] = np.nan
    out["delta_significant"] = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    out["rank"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    out["suppressed"] = suppressed.astype("bool")
    out["variance"] = pd.Series(variance, index=frame.index).where(shown)
    if "scope" in group:
        out["scope"] = pd.Categorical(out["scope"], categories=SCOPES, ordered=True)
    return out


def _with_delta(current: pd.DataFrame, previous: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Delta and Welch's test against the previous cycle, where neither side is suppressed."""
    before = previous.loc[~previous["suppressed"], [*keys, "ratings", "mean", "variance"]]
    before = before.rename(columns={"ratings": "prev_n", "mean": "prev_mean", "variance": "prev_var"})
    frame = current.merge(before, on=keys, how="left", validate="one_to_one")
    comparable = frame["mean"].notna() & frame["prev_mean"].notna()
    frame["delta"] = (frame["mean"] - frame["prev_mean"]).where(comparable)
    p = stats.welch_p_value(
        frame["ratings"].astype("float64"),
        frame["mean"],
        frame["variance"],
        frame["prev_n"].astype("float64"),
        frame["prev_mean"],
        frame["prev_var"],
    )
    frame["delta_p_value"] = pd.Series(p, index=frame.index).where(comparable)
    significant = pd.Series(frame["delta_p_value"] < stats.SIGNIFICANCE, dtype="boolean")
    frame["delta_significant"] = significant.where(comparable & frame["delta_p_value"].notna(), pd.NA)
    return frame.drop(columns=["prev_n", "prev_mean", "prev_var"])


def _ranked(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rank 1 = best unrounded mean among non-suppressed rows of a scope and dimension; ties share the smaller rank."""
    shown = ~frame["suppressed"]
    ranks = frame.loc[shown].groupby(["scope", "dimension"], observed=True)["mean"].rank(method="min", ascending=False)
    frame["rank"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame.loc[ranks.index, "rank"] = ranks.astype("int64")
    return frame.sort_values(
        keys if keys != DEPARTMENT_KEYS else ["department", "scope", "dimension"], ignore_index=True
    )


def _weakest(departments: pd.DataFrame, links: pd.DataFrame) -> dict:
    """Lowest non-suppressed overall means; ties go to the lower id so that reruns agree."""

    def lowest(frame: pd.DataFrame, columns: list[str]):
        candidates = frame[(frame["dimension"] == OVERALL) & ~frame["suppressed"]]
        if candidates.empty:
            return None
        row = candidates.sort_values(["mean", *columns]).iloc[0]
        return row

    department = lowest(departments[departments["scope"] == SUPPLIER], ["department"])
    supplier_link = lowest(links[links["scope"] == SUPPLIER], ["rater", "provider"])
    management_link = lowest(links[links["scope"] == MANAGEMENT], ["provider"])
    return {
        "weakest_department_id": None if department is None else int(department["department"]),
        "weakest_department_mean": None if department is None else float(department["mean"]),
        "weakest_supplier_link_rater_id": None if supplier_link is None else int(supplier_link["rater"]),
        "weakest_supplier_link_provider_id": None if supplier_link is None else int(supplier_link["provider"]),
        "weakest_supplier_link_mean": None if supplier_link is None else float(supplier_link["mean"]),
        "weakest_management_link_id": None if management_link is None else int(management_link["provider"]),
        "weakest_management_link_mean": None if management_link is None else float(management_link["mean"]),
    }


def _ratio(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if denominator else None
