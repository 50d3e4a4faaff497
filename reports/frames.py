"""The roll-up's arithmetic, pure pandas: aggregate frames in, result frames out; no ORM, no I/O.

The input is what one SQL GROUP BY returns (see `reports.services`): per link (rater department →
provider department) and dimension, the count, sum, sum of squares and count of favourable scores,
plus per link the distinct respondents over the six service dimensions. Everything else follows
from those sufficient statistics, because

* a respondent gives at most one answer per provider and dimension (a database constraint), so a
  link-and-dimension count of answers *is* its count of distinct respondents; and
* each respondent belongs to exactly one rater department in a cycle, so distinct respondents of a
  department (in a scope) are the sum of its links' distinct respondents.

Counts, sums and sums of squares add up exactly; means, variances and confidence intervals are
derived last, suppression is applied in `_figures` (the one place), and only then are deltas,
significance and ranks computed, over non-suppressed rows only.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from surveys.dimensions import EXPECTATION, OVERALL, SERVICE_DIMENSIONS

from . import stats

SUPPLIER, MANAGEMENT = "supplier", "management"
SCOPES = (SUPPLIER, MANAGEMENT)
ROW_DIMENSIONS = (*SERVICE_DIMENSIONS, OVERALL)

CELL_COLUMNS = ["rater", "provider", "dimension", "n", "total", "total_sq", "favorable"]
LINK_RESPONDENT_COLUMNS = ["rater", "provider", "respondents"]
DEPARTMENT_KEYS = ["department", "scope", "dimension"]
LINK_KEYS = ["rater", "provider", "dimension"]
FIGURE_COLUMNS = [
    "respondents",
    "ratings",
    "mean",
    "favorable_pct",
    "ci_low",
    "ci_high",
    "expectation_mean",
    "gap",
    "delta",
    "delta_p_value",
    "delta_significant",
    "rank",
    "suppressed",
]
_SUMS = ["respondents", "ratings", "total", "total_sq", "favorable"]


@dataclass(frozen=True)
class Rollup:
    """Result frames of one cycle. `departments` and `links` hold FIGURE_COLUMNS (plus `variance`,
    kept for the next cycle's significance tests and never stored); `summary` the per-cycle figures."""

    departments: pd.DataFrame
    links: pd.DataFrame
    summary: dict


def empty_cells() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(columns=CELL_COLUMNS), pd.DataFrame(columns=LINK_RESPONDENT_COLUMNS)


def rollup(
    cells: pd.DataFrame,
    link_respondents: pd.DataFrame,
    *,
    min_group_size: int,
    previous: "Rollup | None" = None,
) -> Rollup:
    """Every figure of the contract for one cycle, from its aggregate frames.

    `previous` is the previous cycle's Rollup (computed with that cycle's own minimum group size);
    deltas are empty without it.
    """
    cells = _typed_cells(cells)
    service = cells[cells["dimension"] != EXPECTATION]
    expectation = cells[cells["dimension"] == EXPECTATION]

    link_sums = _link_sums(service, link_respondents)
    link_expectation = (
        expectation.groupby(["rater", "provider"], as_index=False)[["n", "total"]]
        .sum()
        .rename(columns={"n": "exp_n", "total": "exp_total"})
    )
    links = _figures(link_sums, link_expectation, ["rater", "provider"], min_group_size)
    links.insert(2, "scope", _scope(links))

    department_sums = (
        link_sums.assign(department=link_sums["provider"], scope=_scope(link_sums))
        .groupby(DEPARTMENT_KEYS, as_index=False, observed=True)[_SUMS]
        .sum()
    )
    department_expectation = (
        link_expectation.assign(department=link_expectation["provider"], scope=_scope(link_expectation))
        .groupby(["department", "scope"], as_index=False)[["exp_n", "exp_total"]]
        .sum()
    )
    departments = _figures(department_sums, department_expectation, ["department", "scope"], min_group_size)

    if previous is not None:
        departments = _with_delta(departments, previous.departments, DEPARTMENT_KEYS)
        links = _with_delta(links, previous.links, LINK_KEYS)
    departments = _ranked(departments, DEPARTMENT_KEYS)
    links = _ranked(links, LINK_KEYS)

    supplier_service = service[service["rater"] != service["provider"]]
    summary = {
        "company_mean": _ratio(supplier_service["total"].sum(), supplier_service["n"].sum()),
        **_weakest(departments, links),
    }
    return Rollup(departments=departments, links=links, summary=summary)


def links_needing_exact_respondents(cells: pd.DataFrame, *, min_group_size: int) -> pd.DataFrame:
    """Links (rater, provider) of a *previous* cycle whose distinct respondents must be counted exactly.

    The previous cycle's respondent counts serve one purpose: deciding which of its rows are
    suppressed (deltas need nothing else). A link's largest per-dimension count is a lower bound of
    its distinct respondents (one answer per respondent and dimension). Where that bound reaches the
    minimum group size, the link is certainly shown, and so is its department (whose respondents
    are the sum over its links); only the other links need an exact count, which spares a full
    DISTINCT scan. A department whose links are all short gets every link counted exactly.
    """
    bounds = _respondent_lower_bounds(_typed_cells(cells))
    return bounds.loc[bounds["respondents"] < min_group_size, ["rater", "provider"]].reset_index(drop=True)


def previous_link_respondents(cells: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """Per link of a previous cycle: the exact distinct respondents where counted, else the lower bound
    (see `links_needing_exact_respondents`). Good for suppression decisions only, never for display."""
    bounds = _respondent_lower_bounds(_typed_cells(cells))
    merged = bounds.merge(exact[LINK_RESPONDENT_COLUMNS].astype("int64"), on=["rater", "provider"], how="left")
    merged["respondents"] = merged["respondents_y"].fillna(merged["respondents_x"]).astype("int64")
    return merged[LINK_RESPONDENT_COLUMNS]


def _respondent_lower_bounds(cells: pd.DataFrame) -> pd.DataFrame:
    service = cells[cells["dimension"] != EXPECTATION]
    return service.groupby(["rater", "provider"], as_index=False)["n"].max().rename(columns={"n": "respondents"})


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


def _link_sums(service: pd.DataFrame, link_respondents: pd.DataFrame) -> pd.DataFrame:
    """Per link and dimension (six slugs and overall): respondents, ratings, total, total_sq, favorable."""
    per_dimension = service.rename(columns={"n": "ratings"}).assign(respondents=service["n"])
    overall = per_dimension.groupby(["rater", "provider"], as_index=False)[
        ["ratings", "total", "total_sq", "favorable"]
    ].sum()
    respondents = link_respondents[LINK_RESPONDENT_COLUMNS].astype("int64")
    overall = overall.merge(respondents, on=["rater", "provider"], how="left", validate="one_to_one")
    overall["respondents"] = overall["respondents"].fillna(0).astype("int64")
    overall["dimension"] = OVERALL
    sums = pd.concat(
        [per_dimension[["rater", "provider", "dimension", *_SUMS]], overall[["rater", "provider", "dimension", *_SUMS]]]
    )
    sums["dimension"] = pd.Categorical(sums["dimension"], categories=ROW_DIMENSIONS, ordered=True)
    return sums.sort_values(LINK_KEYS, ignore_index=True)


def _figures(sums: pd.DataFrame, expectation: pd.DataFrame, group: list[str], min_group_size: int) -> pd.DataFrame:
    """Means, favourable %, CI, expectation mean and gap from the sums; suppression applied here."""
    frame = sums.merge(expectation, on=group, how="left")
    n = frame["ratings"].astype("float64")
    mean = frame["total"] / n
    variance = stats.sample_variance(n, frame["total"], frame["total_sq"])
    ci_low, ci_high = stats.mean_ci(n, mean.to_numpy(), variance)
    expectation_mean = frame["exp_total"] / frame["exp_n"]
    suppressed = frame["respondents"] < min_group_size
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
    if group == ["department", "scope"]:
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
