"""Roll-up: one bulk read of a cycle's answers, numpy tables (reports.frames), and the snapshot
replaced in one transaction. The Celery task and `manage.py rollup` both call `rollup_cycle`.
Only computing: requesting a roll-up and sending it to the workers is `reports.runs`.

The database does the heavy part in one scan of the cycle's answers: one row per respondent and
provider (their scores packed into one integer), from which the cells (count, sum, sum of squares
and favourable count per link and dimension), the respondents per link and combination of
dimensions answered (for the differencing rule) and the company's distinct supplier raters follow
in numpy. Deltas read the previous cycle's stored snapshot (~11,000 rows for 40 departments) where
it is current; otherwise that cycle is recomputed from its answers the same way. Either way the
deltas compare with the rows that cycle's own roll-up shows or hides. The number of queries is the
same on both paths and grows with neither departments nor links.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from surveys.dimensions import ALL_DIMENSIONS
from surveys.models import Answer, Cycle, CycleHeadcount, Dimension, Participation, SelfViewAnswer
from surveys.selectors import previous_cycle

from .columns import PACK_BASE, answer_set_array
from .models import (
    CompanyResult,
    CycleSummary,
    DepartmentResult,
    DriverResult,
    DriverSummary,
    LinkResult,
    ParticipationResult,
    RollupRun,
    SelfViewResult,
)

if TYPE_CHECKING:
    import numpy as np

    from . import frames


class CycleStillOpen(ValueError):
    """A roll-up of a cycle that is still open: refused, since its answers so far are interim."""

    def __init__(self, cycle: Cycle):
        super().__init__(
            f"Cycle {cycle.name} is still open: it has no results until it is closed "
            f"(`python manage.py close_cycle {cycle.name}` ends answering and rolls it up)."
        )


def rollup_cycle(*, cycle_id: int, run_id: int | None = None) -> RollupRun:
    """Compute the cycle's roll-up and replace its snapshot atomically; idempotent.

    Refuses (CycleStillOpen) a cycle that is still open, checked under the cycle's lock: nothing of
    its interim answers is computed or stored. A run this call created is removed again; a run it
    was given stays started, and the task records the refusal on it as a failure.
    """
    if run_id is None:
        run = RollupRun.objects.create(cycle_id=cycle_id)
    else:
        run = RollupRun.objects.get(pk=run_id)
    RollupRun.objects.filter(pk=run.pk).update(state=RollupRun.State.STARTED, started_at=timezone.now())

    try:
        with transaction.atomic():
            # Serialises concurrent roll-ups of the same cycle: the second waits, then redoes the work.
            cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
            if cycle.status == Cycle.Status.OPEN:
                raise CycleStillOpen(cycle)
            answers_count = _replace_snapshot(cycle, run=run)
            run.state = RollupRun.State.DONE
            run.finished_at = timezone.now()
            run.answers_count = answers_count
            run.save(update_fields=["state", "finished_at", "answers_count"])
    except CycleStillOpen:
        if run_id is None:
            run.delete()
        raise
    return run


def compute_rollup(*, cycle: Cycle) -> tuple[frames.Result, int, Cycle | None, dict]:
    """The cycle's result tables (read-only): the roll-up, its number of answers, the previous cycle
    and its drivers (`driver_rows`). Refuses (CycleStillOpen) a cycle that is still open."""
    result, ratings, previous, drivers = _compute(cycle)
    drivers = drivers.result()
    return result, ratings + drivers["outcome_answers_count"], previous, drivers


def _compute(cycle: Cycle) -> tuple[frames.Result, int, Cycle | None, Future]:
    """compute_rollup's work, its drivers still being computed in a thread (`.result()` waits for
    them): the roll-up's writes can go to the database meanwhile. The drivers are numpy work that
    needs no database; the writes are mostly the database's, in its own process."""
    if cycle.status == Cycle.Status.OPEN:
        raise CycleStillOpen(cycle)
    frames_module = _import_meanwhile("reports.frames")  # numpy: nothing before the arithmetic needs it
    positions = {pk: ALL_DIMENSIONS.index(slug) for pk, slug in Dimension.objects.values_list("id", "slug")}
    previous = previous_cycle(cycle=cycle)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # work_mem: the answer sets (~1 per 7 answers) are hashed in memory rather than spilled to
            # disk. synchronous_commit: the snapshot is derived data; a crash that loses this commit
            # loses the run record with it (same transaction), so the run stays `started` and is redone.
            # jit: compiling the expressions costs more than it saves on a scan this size.
            cursor.execute(
                "SELECT set_config('work_mem', '256MB', true), set_config('synchronous_commit', 'off', true),"
                " set_config('jit', 'off', true)"
            )
    answer_sets = _read_answer_sets(cycle.id, positions)
    stored = [] if previous is None else _read_stored_rollup(previous)
    frames = frames_module()
    cells, masks, company_respondents = frames.from_answer_sets(answer_sets)
    previous_result = None
    if stored:
        previous_result = frames.stored_rollup(stored)
    elif previous is not None:
        previous_result = _recomputed_rollup(previous, positions)
    result = frames.compute(
        cells,
        masks,
        min_group_size=cycle.min_group_size,
        previous=previous_result,
        company_respondents=company_respondents,
        people=partial(frames.people_of, answer_sets),
    )
    return result, int(cells["n"].sum()), previous, _meanwhile(driver_rows, cycle, answer_sets, result)


def _meanwhile(function: Callable, *args) -> Future:
    """`function(*args)` started in a thread of its own; the Future's result() waits for it (and
    raises its exception, in the caller's thread)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=function.__name__)
    try:
        return pool.submit(function, *args)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def driver_rows(cycle: Cycle, answer_sets: np.ndarray, result: frames.Result) -> dict:
    """The drivers of the cycle from the same answer sets (reports.drivers): `rows` as the
    contract's export has them (department ids, None for the company), `outcome_answers` (whether
    there are any) and their count."""
    from . import drivers

    observed = drivers.observations(answer_sets)
    departments = result.departments
    supplier = departments["department"][departments["scope"] == 0]  # rated in the supplier scope
    rows = drivers.compute(observed, supplier_departments=set(supplier.tolist()), min_group_size=cycle.min_group_size)
    return {
        "rows": rows,
        "outcome_answers": observed.outcome_answers_count > 0,
        "outcome_answers_count": observed.outcome_answers_count,
    }


def _import_meanwhile(name: str) -> Callable[[], object]:
    """Start importing module `name` in a thread; returns a function that waits for it and returns it.

    In a fresh process (`manage.py rollup`, a new worker) importing numpy takes ~0.1-0.15 s, half
    as long as the database takes to scan the answers: the import runs while this thread waits for
    the database instead of before. Already imported: nothing to wait for.
    """
    if name in sys.modules:
        return partial(importlib.import_module, name)
    # Not a daemon: an interpreter that exits must not cut an import short.
    thread = threading.Thread(target=_import_quietly, args=(name,), name=f"import {name}")
    thread.start()

    def wait():
        thread.join()
        return importlib.import_module(name)  # an import that failed in the thread raises here

    return wait


def _import_quietly(name: str) -> None:
    with contextlib.suppress(BaseException):  # the waiting thread imports it again and raises the error
        importlib.import_module(name)


def _replace_snapshot(cycle: Cycle, *, run: RollupRun | None = None) -> int:
    """Replace the cycle's snapshot rows with a fresh roll-up; returns the number of answers read.

    Call inside a transaction: readers see the old snapshot or the new one, never a mix.
    """
    result, answers_count, previous, pending_drivers = _compute(cycle)
    try:
        return _write_snapshot(cycle, run, result, answers_count, previous, pending_drivers)
    except BaseException:
        with contextlib.suppress(BaseException):  # the thread ends before the transaction does
            pending_drivers.result()
        raise  # the first error


def _write_snapshot(cycle, run, result, ratings_count, previous, pending_drivers: Future) -> int:
    """_replace_snapshot's writes: the roll-up's tables while the drivers are computed, then theirs."""
    from . import frames  # loaded by _compute, while the database read the answers

    participants = Participation.objects.filter(cycle=cycle).values("department").annotate(count=Count("id"))
    participants = list(participants.order_by().values_list("department", "count"))
    headcounts = list(CycleHeadcount.objects.filter(cycle=cycle).values_list("department_id", "eligible"))
    participation, overall = frames.response_rates(
        {"department": [d for d, _ in participants], "participants": [n for _, n in participants]},
        {"department": [d for d, _ in headcounts], "eligible": [n for _, n in headcounts]},
    )

    snapshot = (
        DepartmentResult,
        LinkResult,
        CompanyResult,
        ParticipationResult,
        CycleSummary,
        DriverResult,
        SelfViewResult,
    )
    for model in (*snapshot, DriverSummary):
        model.objects.filter(cycle=cycle).delete()

    for model, table in (
        (DepartmentResult, frames.named(result.departments)),
        (LinkResult, frames.named(result.links)),
        (CompanyResult, frames.named(result.company)),
        (ParticipationResult, participation),
    ):
        _insert(model, _database_columns(cycle, table))

    _write_self_views(cycle)
    drivers = pending_drivers.result()
    answers_count = ratings_count + drivers["outcome_answers_count"]
    CycleSummary.objects.create(
        cycle=cycle,
        run=run,
        computed_at=timezone.now(),
        answers_count=answers_count,
        previous_cycle=previous,
        min_group_size=cycle.min_group_size,
        shows_anything=_shows_anything(result),
        **result.summary,
        **overall,
    )
    rows = drivers["rows"]
    columns = {name: [row[name] for row in rows] for name in rows[0]} if rows else {}
    if columns:
        _insert(DriverResult, _database_columns(cycle, columns))
    DriverSummary.objects.create(cycle=cycle, outcome_answers=drivers["outcome_answers"])
    return answers_count


def _write_self_views(cycle: Cycle) -> None:
    """The self-view figures (reports.selfview), from their own table: one read, and one write
    when there are any."""
    from . import selfview

    rows = SelfViewAnswer.objects.filter(cycle=cycle).values_list(
        "respondent", "department_id", "scope", "dimension__slug", "score"
    )
    results = selfview.compute(rows.iterator(), min_group_size=cycle.min_group_size)
    if results:
        SelfViewResult.objects.bulk_create([SelfViewResult(cycle=cycle, **row) for row in results])


def _shows_anything(result) -> bool:
    """Whether any row of the roll-up is shown: one not suppressed, of any table."""
    return any(not all(table["suppressed"]) for table in (result.departments, result.links, result.company))


def _read_answer_sets(cycle_id: int, positions: dict[int, int]) -> np.ndarray:
    """The cycle's answers in one scan, one row per respondent and provider: rater department,
    provider department, respondent key and their scores packed into one integer (PACK_BASE), as a
    (sets × 4) int64 array (reports.columns.answer_set_array).

    Everything the roll-up needs of this cycle follows (cells, link masks, company respondents,
    the drivers), so the answers are read once; grouping ~7 answers into one set is about one plain
    GROUP BY's work. On PostgreSQL the rows arrive as a binary COPY read straight into numpy: no
    Python object per set (at 100,000 people, 900,000 tuples were ~550 MiB and decoded three times).
    """
    table = Answer._meta.db_table
    packed = " ".join(f"WHEN {int(pk)} THEN score * {PACK_BASE**k}" for pk, k in positions.items())
    sql = f"""
        SELECT rater_department_id::int8, provider_department_id::int8, respondent::int8,
               COALESCE(SUM(CASE dimension_id {packed} END), 0)::int8
        FROM {table} WHERE cycle_id = %s
        GROUP BY rater_department_id, provider_department_id, respondent
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql.replace("::int8", ""), [cycle_id])
            return answer_set_array(cursor.fetchall())
        stream, statement = bytearray(), f"COPY ({sql}) TO STDOUT (FORMAT binary)"
        with cursor.cursor.copy(statement, [cycle_id]) as copy:
            for block in copy:
                stream += block
        if connection.queries_logged:  # psycopg's copy() bypasses Django's query log
            connection.queries_log.append({"sql": statement, "time": "0.000"})
    return _binary_copy_int8_rows(stream, columns=4)


def _binary_copy_int8_rows(stream: bytes, *, columns: int) -> np.ndarray:
    """The rows of a binary COPY stream whose `columns` fields are all non-null int8, as an int64
    array (rows × columns). Format: a 19-byte header, then per row a 2-byte field count and per
    field a 4-byte length (8) and the big-endian value, then a 2-byte trailer (-1)."""
    import numpy as np

    header, trailer = 19, 2
    row = np.dtype([("fields", ">i2"), *((f"f{i}", [("length", ">i4"), ("value", ">i8")]) for i in range(columns))])
    body = len(stream) - header - trailer
    if body < 0 or body % row.itemsize or not stream.startswith(b"PGCOPY\n\xff\r\n\x00"):
        raise ValueError("unexpected COPY stream (not fixed-width int8 rows)")
    rows = np.frombuffer(stream, dtype=row, count=body // row.itemsize, offset=header)
    widths = [rows[f"f{i}"]["length"] for i in range(columns)]
    if (rows["fields"] != columns).any() or any((width != 8).any() for width in widths):
        raise ValueError("unexpected COPY stream (a null or a field of another width)")
    return np.stack([rows[f"f{i}"]["value"] for i in range(columns)], axis=1).astype("int64")


def _read_stored_rollup(previous: Cycle) -> list[tuple]:
    """The rows of the previous cycle's snapshot that its deltas need (see frames.stored_rollup),
    where that snapshot is current: its summary was written by the cycle's latest run (no roll-up
    requested since, e.g. by an import), with the cycle's present minimum group size, and the cycle
    no longer takes answers. One query; no rows where it is not current (the caller recomputes it)."""
    summaries, cycles = CycleSummary._meta.db_table, Cycle._meta.db_table
    latest_run, latest_run_params = RollupRun.objects.latest_for(previous.id).values("id").query.sql_with_params()
    current = f"""
        EXISTS (
            SELECT 1 FROM {summaries} s JOIN {cycles} c ON c.id = s.cycle_id
            WHERE s.cycle_id = %s AND s.min_group_size = c.min_group_size AND c.status IN (%s, %s)
              AND s.run_id = ({latest_run})
        )"""
    figures = "scope, dimension, ratings, mean, variance, suppressed"
    parts = [
        (LinkResult, f"'link', rater_department_id, provider_department_id, {figures}"),
        (DepartmentResult, f"'department', department_id, 0, {figures}"),
        (CompanyResult, f"'company', 0, 0, {figures}"),
    ]
    sql = " UNION ALL ".join(
        f"SELECT {columns} FROM {model._meta.db_table} WHERE cycle_id = %s AND {current}" for model, columns in parts
    )
    params = [previous.id, previous.id, Cycle.Status.CLOSED, Cycle.Status.PUBLISHED, *latest_run_params] * len(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _recomputed_rollup(previous: Cycle, positions: dict[int, int]) -> frames.Result:
    """The previous cycle's roll-up computed again from its answers, exactly as its own roll-up
    computes it (the same scan, the same rule): for a previous cycle without a current snapshot."""
    from . import frames

    answer_sets = _read_answer_sets(previous.id, positions)
    cells, masks, company_respondents = frames.from_answer_sets(answer_sets)
    return frames.compute(
        cells,
        masks,
        min_group_size=previous.min_group_size,
        company_respondents=company_respondents,
        people=partial(frames.people_of, answer_sets),
    )


_ID_COLUMNS = {"department": "department_id", "rater": "rater_department_id", "provider": "provider_department_id"}


def _database_columns(cycle: Cycle, table: dict) -> dict:
    """A result table's columns under their database names, the cycle's id first."""
    length = len(next(iter(table.values())))
    return {"cycle_id": [cycle.id] * length, **{_ID_COLUMNS.get(name, name): values for name, values in table.items()}}


# Rows turned into Python values at a time by _insert: at 100,000 people the 270,000 link rows as
# Python tuples at once were ~500 MiB of the roll-up's peak; a piece at a time they are a few MiB.
INSERT_PIECE_ROWS = 20_000


def _insert(model, columns: dict) -> None:
    """Insert rows given as columns named after `model`'s database columns (numpy arrays or lists;
    NaN is NULL), in one statement.

    PostgreSQL gets a binary COPY (a snapshot of 40 departments is ~11,000 link rows): psycopg
    encodes the rows in C, where formatting the floats as text took ~5x as long. Other databases
    get one executemany. Either way the rows become Python values INSERT_PIECE_ROWS at a time.
    """
    count = len(next(iter(columns.values())))
    if not count:
        return
    fields = {field.column: field for field in model._meta.concrete_fields}

    def rows():
        for start in range(0, count, INSERT_PIECE_ROWS):
            piece = (
                _plain(fields[name], values[start : start + INSERT_PIECE_ROWS]) for name, values in columns.items()
            )
            yield from zip(*piece, strict=True)

    table, names = model._meta.db_table, ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [_copy_type(fields[name]) for name in columns]
            binary = all(name in _BINARY_COPY_TYPES for name in types)  # else psycopg's text COPY
            statement = f"COPY {table} ({names}) FROM STDIN" + (" (FORMAT binary)" if binary else "")
            with cursor.cursor.copy(statement) as copy:
                if binary:
                    copy.set_types(types)
                for row in rows():
                    copy.write_row(row)
            # COPY bypasses Django's cursor wrapper; log it so that query counts (tests, bench) include it.
            if connection.queries_logged:
                connection.queries_log.append({"sql": statement, "time": "0.000"})
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows())


def _plain(field, values) -> list:
    """A column as plain Python values of the field's kind (int, float, bool or str), None for NaN."""
    import numpy as np  # loaded by compute_rollup

    if isinstance(values, list):
        return values
    missing = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), dtype=bool)
    kind = field.get_internal_type()
    if kind == "FloatField":
        plain = values.tolist()
    elif kind == "BooleanField":
        plain = (values == 1).tolist()
    elif values.dtype.kind in "iuf":  # counts and ids: NaN (empty) is not an integer
        plain = np.where(missing, 0, values).astype("int64").tolist()
    else:
        plain = values.tolist()
    for row in np.flatnonzero(missing).tolist():
        plain[row] = None
    return plain


# Column types whose binary encoding psycopg takes from the Python values _plain gives.
_BINARY_COPY_TYPES = {"smallint", "integer", "bigint", "double precision", "real", "boolean", "text"}


def _copy_type(field) -> str:
    """The PostgreSQL type name psycopg encodes a column as in a binary COPY ("integer", "text", ...)."""
    db_type = field.db_type(connection) or field.target_field.db_type(connection)
    base = db_type.split("(")[0].strip()
    return "text" if base == "varchar" else base
