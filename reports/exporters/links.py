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

    # The export reads plain values, not model instances: three instances a row (the row and its
    # two departments) were most of the command's time at 100,000 people (270,000 link rows).
    _VALUES = (
        "rater_department__name",
        "provider_department__name",
        "dimension",
        "respondents",
        "ratings",
        "mean",
        "favorable_pct",
        "suppressed",
    )

    def rows(self) -> Iterator[tuple]:
        for values in self.records().values_list(*self._VALUES).iterator(chunk_size=5000):
            yield self._shaped(*values)

    def row(self, row) -> tuple:
        return self._shaped(
            *(row.rater_department.name, row.provider_department.name),
            *(getattr(row, name) for name in self._VALUES[2:]),
        )

    def _shaped(self, rater, provider, dimension, respondents, ratings, mean, favorable_pct, suppressed) -> tuple:
        shown = not suppressed
        return (
            self.cycle.name,
            rater,
            provider,
            dimension,
            *((respondents, ratings, mean, favorable_pct) if shown else (None,) * 4),
            suppressed,
        )
