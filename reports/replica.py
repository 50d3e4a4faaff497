"""Reading the published snapshot from a read replica (DATABASE_READ_URL), never half-replicated.

With DATABASE_READ_URL set, settings add a second database alias, `replica` (a streaming standby
of the primary), and install `SnapshotRouter`. Nothing is read from the replica unless a reader
asks for it: the dashboards, the department pages, HR's downloads, the export commands and the
API run inside `snapshot_reads()` (views: `@snapshot_view`). Inside, the router sends the reads
of the snapshot's tables (`SNAPSHOT_MODELS`: the cycles, their roll-up summaries and result rows,
the comments) to the replica, but only once the replica has shown that it holds the version of
the snapshot the primary names:

- the version is the list of visible cycles with their roll-up summary ids
  (`selectors.visible_cycles`, read from the primary and remembered per process for a moment:
  `visible.visible_cycles`); a roll-up writes a new summary row in the same transaction as its
  rows, and publishing changes the list, so the same list means the same published snapshot;
- on the first snapshot read of a request, the same list is read from the replica (one query). The
  replica replays whole transactions, so when its list equals the primary's it holds every row of
  those roll-ups; then every snapshot read of the request goes to the replica. Otherwise (it lags,
  or does not answer) every snapshot read of the request goes to the primary, as without a
  replica. A request never mixes the two for the snapshot.

Everything else goes to the primary: every write (`db_for_write`), the people, sessions and tokens,
departments and dimension labels (remembered per process, `visible`), the commitments, HR's
preview of an unpublished cycle (`on_primary`: the version above does not cover it), any read
inside a transaction, and every snapshot read of a request that wrote before its first one (a
request that writes reads what it wrote; the API's "token last used" stamp, every five minutes,
is such a write). The report views write nothing of the snapshot: what they write (the session,
that stamp) is bookkeeping on the primary. Without DATABASE_READ_URL there
is no router, and `snapshot_reads()` changes nothing (no query, no check).

A page served from the cache reads no snapshot row, so it does not ask the replica either. A page
built from the snapshot costs one query more than without a replica: the check, on the replica.
"""

import contextvars
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# After the replica fails to answer, this process reads the primary for this long before asking
# it again: a replica that is down costs one failed connection per process per period, not one
# per request.
RETRY_AFTER_SECONDS = 30.0
_down_until = 0.0

# What a report reads of a published cycle, all written by the roll-up's one transaction (the
# cycle row too: its status says whether the snapshot is published).
SNAPSHOT_MODELS = frozenset(
    {
        "surveys.Cycle",
        "surveys.Comment",
        "reports.CycleSummary",
        "reports.DepartmentResult",
        "reports.LinkResult",
        "reports.CompanyResult",
        "reports.ParticipationResult",
        "reports.DriverResult",
        "reports.DriverSummary",
        "reports.SelfViewResult",
    }
)


@dataclass
class _Reads:
    """One reader's choice: undecided until its first snapshot read, then an alias for all of them."""

    alias: str | None = None
    decided: bool = False


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("chainsurvey_snapshot_reads", default=None)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_holds(expected) -> bool:
    """Whether the replica's visible cycles, with their summary ids, are exactly `expected` (the
    primary's). One query on the replica; False when it does not answer (and, without asking it,
    for RETRY_AFTER_SECONDS after that)."""
    global _down_until
    from . import selectors

    if time.monotonic() < _down_until:
        return False
    try:
        found = selectors.visible_cycles(using=REPLICA)
    except DatabaseError as error:
        _down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "The read replica did not answer (%s): reading the primary for %d s.",
            type(error).__name__,
            RETRY_AFTER_SECONDS,
        )
        connections[REPLICA].close()
        return False
    return found == list(expected)


def _decide(reads: _Reads) -> str:
    from . import visible

    reads.alias = REPLICA if replica_holds(visible.visible_cycles()) else DEFAULT_DB_ALIAS
    reads.decided = True
    return reads.alias


def snapshot_alias() -> str | None:
    """The alias this reader's snapshot reads go to (deciding it now if not yet), or None outside
    `snapshot_reads()` or without a replica."""
    reads = _reads.get()
    if reads is None:
        return None
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return reads.alias if reads.decided else _decide(reads)


@contextmanager
def snapshot_reads(*, cycle_id: int | None = None):
    """Within: the snapshot's reads from the replica when it holds the primary's version, else from
    the primary. With `cycle_id`, a cycle that is not published (any more) is read from the
    primary: the version covers published cycles only. Nothing at all without a replica."""
    if not configured():
        yield
        return
    from . import visible

    reads = _Reads()
    if cycle_id is not None and cycle_id not in {cycle.id for cycle in visible.visible_cycles()}:
        reads.alias, reads.decided = DEFAULT_DB_ALIAS, True
    token = _reads.set(reads)
    try:
        yield
    finally:
        _reads.reset(token)


def on_primary() -> None:
    """The rest of this reader's snapshot reads from the primary (HR's preview of a cycle that is
    not published: the version check covers published cycles only)."""
    reads = _reads.get()
    if reads is not None:
        reads.alias, reads.decided = DEFAULT_DB_ALIAS, True


def _streamed(chunks, reads: _Reads):
    """A streamed response's chunks, each produced under the request's choice (a CSV download
    reads its rows while it streams, after the view has returned)."""
    iterator = iter(chunks)
    while True:
        token = _reads.set(reads)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _reads.reset(token)
        yield chunk


def snapshot_view(view):
    """A view that reads the published snapshot (GET/HEAD only: the report views are safe)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not configured() or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        reads = _Reads()
        token = _reads.set(reads)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _reads.reset(token)
        if getattr(response, "streaming", False):
            response.streaming_content = _streamed(response.streaming_content, reads)
        return response

    return wrapped


class SnapshotRouter:
    """Snapshot reads inside `snapshot_reads()` to the alias chosen there; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _reads.get() is None or model._meta.label not in SNAPSHOT_MODELS:
            return None  # the primary (or, for a related row, the database its instance came from)
        return snapshot_alias()

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None and not reads.decided:
            # A reader that writes before its first snapshot read reads the primary from then on.
            reads.alias, reads.decided = DEFAULT_DB_ALIAS, True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
