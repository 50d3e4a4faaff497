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

    def rows(self) -> Iterator[tuple]:
        for row in selectors.link_rows(cycle=self.cycle).iterator(chunk_size=2000):
            shown = not row.suppressed
            yield (
                self.cycle.name,
                row.rater_department.name,
                row.provider_department.name,
                row.dimension,
                *((row.respondents, row.ratings, row.mean, row.favorable_pct) if shown else (None,) * 4),
                row.suppressed,
            )
