"""The contract's drivers export: six rows per supplier-scope department and six for the company
in each scope (`department` empty), as the roll-up stored them (reports.drivers rounds them)."""

from collections.abc import Iterator

from surveys.models import Cycle

from .. import selectors
from .base import Column, ListExporter


class DriverExporter(ListExporter):
    columns = (
        Column("cycle"),
        Column("department"),
        Column("scope"),
        Column("dimension"),
        Column("observations", "int"),
        Column("tier"),
        Column("correlation", "float", 2),
        Column("importance_pct", "float", 1),
        Column("importance_low", "float", 1),
        Column("importance_high", "float", 1),
        Column("r2", "float", 2),
    )

    def __init__(self, *, cycle_id: int):
        self.cycle = Cycle.objects.get(pk=cycle_id)

    def rows(self) -> Iterator[tuple]:
        for row in selectors.driver_rows(cycle=self.cycle):
            yield (
                self.cycle.name,
                "" if row.department is None else row.department.name,
                row.scope,
                row.dimension,
                row.observations,
                row.tier,
                row.correlation,
                row.importance_pct,
                row.importance_low,
                row.importance_high,
                row.r2,
            )
