"""Whether a cycle's results may leave the app, decided once for every way out: HR's downloads,
the export commands, and the API (which renders the same exporters' rows as JSON).

A file or a response leaves only for a rolled-up cycle whose results are visible (published, or
imported history); the export commands, run by whoever operates the server, may also export a
closed cycle's roll-up before it is published (`unpublished_ok`), to check it before HR does.
"""

from dataclasses import dataclass

from .. import selectors

HIDDEN, COMPUTING, MISSING = "hidden", "computing", "missing"


@dataclass
class ExportUnavailable(Exception):
    """The cycle's results may not leave the app (yet): `reason` is one of HIDDEN (not published,
    or still open), COMPUTING (its roll-up is under way) or MISSING (never rolled up)."""

    cycle: object
    reason: str

    def __str__(self) -> str:
        name = self.cycle.name
        if self.reason == HIDDEN:
            return f"Cycle {name}'s results are not published: nothing of it leaves the app yet."
        if self.reason == COMPUTING:
            return f"Cycle {name} is being rolled up: try again in a moment."
        return f"Cycle {name} has no roll-up yet: run `python manage.py rollup {name}` first."


def exportable_cycle(name: str, *, unpublished_ok: bool = False):
    """The cycle named `name` if its results may leave the app, None if there is no such cycle;
    raises ExportUnavailable otherwise. One query."""
    found = selectors.cycle_with_rollup_state(name=name)
    if found is None:
        return None
    if found.status == found.Status.OPEN or not (found.results_visible or unpublished_ok):
        raise ExportUnavailable(found, HIDDEN)
    if not found.has_rollup:
        raise ExportUnavailable(found, COMPUTING if found.rollup_pending else MISSING)
    return found
