"""The roll-up's result tables as pandas DataFrames, for tests and audits to read (reports.frames
itself is numpy only)."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports import differencing, frames
from surveys.dimensions import ROW_DIMENSIONS, SCOPES


@dataclass(frozen=True)
class Rollup:
    """A frames.Result as DataFrames (scope and dimension as their names); `columns` is the Result."""

    departments: pd.DataFrame
    links: pd.DataFrame
    summary: dict
    company: pd.DataFrame | None = None
    decision: differencing.Decision | None = None
    columns: frames.Result | None = None


def empty_cells() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(columns=frames.CELL_COLUMNS), pd.DataFrame(columns=frames.MASK_COLUMNS)


def rollup(cells, link_masks, *, min_group_size: int, previous=None, company_respondents=None) -> Rollup:
    """`frames.compute`, as DataFrames."""
    result = frames.compute(
        cells,
        link_masks,
        min_group_size=min_group_size,
        previous=previous.columns if isinstance(previous, Rollup) else previous,
        company_respondents=company_respondents,
    )
    return Rollup(
        departments=as_frame(result.departments),
        links=as_frame(result.links),
        company=as_frame(result.company),
        summary=result.summary,
        decision=result.decision,
        columns=result,
    )


def as_frame(table: dict) -> pd.DataFrame:
    """A result table as a DataFrame: scope and dimension by name, nullable columns as pandas' nullable types."""
    frame = pd.DataFrame(table)
    scope_names = np.asarray(SCOPES, dtype=object)[table["scope"]]
    frame["scope"] = scope_names if "rater" in table else pd.Categorical(scope_names, categories=SCOPES, ordered=True)
    frame["dimension"] = pd.Categorical.from_codes(table["dimension"], categories=ROW_DIMENSIONS, ordered=True)
    for column in frames.NULLABLE_INTEGERS:
        frame[column] = frame[column].astype("Int64")
    frame["delta_significant"] = frame["delta_significant"].astype("boolean")
    return frame
