"""The contract's commitments export (`export_commitments`): one row per published commitment on a
cycle's results, with the verdict of the next cycle with results. Drafts never leave the app; the
before and after figures are the scorecard's own, empty where the scorecard hides them."""

from collections.abc import Iterator

from reports.exporters.base import Column, ListExporter
from surveys.models import Cycle

from . import verdicts
from .models import Commitment


class CommitmentsUnavailable(ValueError):
    """The cycle's results are not published: no commitment answers them yet."""


class CommitmentExporter(ListExporter):
    columns = (
        Column("cycle"),
        Column("department"),
        Column("scope"),
        Column("dimension"),
        Column("commitment"),
        Column("owner_email"),
        Column("due"),
        Column("status"),
        Column("follow_up_cycle"),
        Column("before_mean", "float", 2),
        Column("after_mean", "float", 2),
        Column("delta", "float", 2),
        Column("p_value", "float", 3),
        Column("verdict"),
    )

    def __init__(self, *, cycle_id: int):
        self.cycle = Cycle.objects.get(pk=cycle_id)
        if not self.cycle.results_visible:
            raise CommitmentsUnavailable(f"{self.cycle.name}'s results are not published: it has no commitments yet.")

    def rows(self) -> Iterator[tuple]:
        commitments = list(
            Commitment.objects.published()
            .filter(cycle=self.cycle)
            .select_related("department", "owner__user")
            .order_by("-department__is_executive_office", "department__name", "scope", "dimension", "id")
        )
        found = verdicts.judgements(commitments)
        for c in commitments:
            j = found[c.id]
            yield (
                self.cycle.name,
                c.department.name,
                c.scope,
                c.dimension,
                c.text,
                c.owner.email,
                c.due.isoformat(),
                c.status,
                j.follow_up_cycle,
                j.before_mean,
                j.after_mean,
                j.delta,
                j.p_value,
                j.verdict,
            )
