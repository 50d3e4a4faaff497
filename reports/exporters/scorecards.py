"""The contract's scorecard export: one row per department, scope and dimension, from the snapshot."""

from collections.abc import Iterator

from surveys.models import Cycle

from .. import selectors
from .base import Column, ListExporter


class ScorecardExporter(ListExporter):
    columns = (
        Column("cycle"),
        Column("department"),
        Column("scope"),
        Column("dimension"),
        Column("respondents", "int"),
        Column("ratings", "int"),
        Column("mean", "float", 2),
        Column("favorable_pct", "float", 1),
        Column("expectation_mean", "float", 2),
        Column("gap", "float", 2),
        Column("delta", "float", 2),
        Column("rank", "int"),
        Column("suppressed", "bool"),
    )

    def __init__(self, *, cycle_id: int):
        self.cycle = Cycle.objects.get(pk=cycle_id)

    def records(self, *, department_id: int | None = None):
        """The snapshot rows behind the export, in its order (the API pages through these)."""
        return selectors.scorecard_rows(cycle=self.cycle, department_id=department_id)

    def rows(self) -> Iterator[tuple]:
        for record in self.records().iterator(chunk_size=2000):
            yield self.row(record)

    def row(self, row) -> tuple:
        # Suppressed rows store no figures (see reports.models); blanking here too keeps the
        # export safe even if a figure ever slipped into one.
        shown = not row.suppressed
        return (
            self.cycle.name,
            row.department.name,
            row.scope,
            row.dimension,
            *(
                (row.respondents, row.ratings, row.mean, row.favorable_pct, row.expectation_mean, row.gap)
                if shown
                else (None,) * 6
            ),
            row.delta if shown else None,
            row.rank if shown else None,
            row.suppressed,
        )
