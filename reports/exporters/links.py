"""The contract's link export: one row per link (rater → provider department) and dimension."""

from collections.abc import Iterator

from surveys.models import Cycle

from .. import selectors
from .base import Column, ListExporter


class LinkExporter(ListExporter):
    columns = (
        Column("cycle"),
        Column("rater_department"),
        Column("provider_department"),
        Column("dimension"),
        Column("respondents", "int"),
        Column("ratings", "int"),
        Column("mean", "float", 2),
        Column("favorable_pct", "float", 1),
        Column("suppressed", "bool"),
    )

    def __init__(self, *, cycle_id: int):
        self.cycle = Cycle.objects.get(pk=cycle_id)

    def records(self, *, provider_id: int | None = None):
        """The snapshot rows behind the export, in its order (the API pages through these)."""
        return selectors.link_rows(cycle=self.cycle, provider_id=provider_id)

    def rows(self) -> Iterator[tuple]:
        for record in self.records().iterator(chunk_size=2000):
            yield self.row(record)

    def row(self, row) -> tuple:
        shown = not row.suppressed
        return (
            self.cycle.name,
            row.rater_department.name,
            row.provider_department.name,
            row.dimension,
            *((row.respondents, row.ratings, row.mean, row.favorable_pct) if shown else (None,) * 4),
            row.suppressed,
        )
