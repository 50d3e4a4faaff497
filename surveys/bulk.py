"""Bulk writing of answers: PostgreSQL binary COPY, or one executemany on other databases.

Both the historical import and the demo data write through here, so a million rows cost seconds,
not the minutes that one INSERT per row would. What makes it fast on PostgreSQL, measured on a
720,000-row import (bench/import_responses.py):

- the binary COPY stream is built by numpy, with no Python object per row or cell, a piece of
  COPY_PIECE_ROWS rows at a time: psycopg's queued writer sends each piece from its own thread
  while the next is built, and the process never holds the whole stream (450 MB at 7.2 M rows);
- rows go in sorted by (cycle, respondent, provider, dimension), the primary key's order, so its
  index is filled left to right instead of at random pages (random order: ~4x slower). Respondent
  keys are random, so this order says nothing about who answered, or when. Nothing hashes every
  row (pandas' factorize and unique cost ~2.4 s and ~0.4 s per column at 7.2 M rows): ids are
  ranked by subtraction, distinct ids found by marking, and the import, which knows its raters,
  ranks their keys among the raters and passes the rows already in order;
- for large writes, the foreign keys are dropped and restored in the same transaction: the
  per-row checks cost ~4.5 µs x 4 keys x rows (13 s for 720,000 rows, 10x all the rest). They are
  restored NOT VALID (enforced from then on, as before) and the distinct values written in each
  key column (a few hundred at most) are checked against the parent tables, so the cost grows
  with neither the rows written nor the history already in the table;
- and while the table holds little beside what is written (the first quarters of history), the
  primary key is dropped too and rebuilt after the COPY, at half the cost of inserting each row;
  its sort gets the memory to stay in memory and runs in the backend alone (256 MB spilled to disk
  at 7.2 M rows: 10.6 s, against 4.4 s in memory without parallel workers on this 2-core machine).
  The definitions are read from the catalog; until commit, the transaction holds exclusive locks
  on the answer, cycle, department and dimension tables (a historical import is a rare, admin-run
  operation).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection

from .models import Answer

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# numpy and pandas are imported inside the functions that use them: this module is reached at
# start-up (admin, tasks), and every command and worker would otherwise pay ~0.3 s to load them.

ANSWER_COLUMNS = ["cycle_id", "respondent", "rater_department_id", "provider_department_id", "dimension_id", "score"]
KEY_COLUMNS = ["cycle_id", "respondent", "provider_department_id", "dimension_id"]  # Answer's primary key

# PostgreSQL binary COPY: a fixed header, then per row a field count and (length, big-endian value)
# per field, then -1 as the trailer (https://www.postgresql.org/docs/current/sql-copy.html).
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_INT_FORMATS = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8"}
# Below this many rows the per-row foreign key checks cost less than dropping and restoring the keys.
FOREIGN_KEY_SWAP_MIN_ROWS = 100_000


def _in_index_order(frame: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The columns, rows sorted by the primary key (cycle, respondent, provider, dimension).

    The table's physical order then follows the random respondent keys: it says nothing about who
    answered when (the file's or the submissions' order is gone). One stable argsort of a single
    integer made of the four columns' ranks. A column of ids spanning a small range is ranked by
    subtraction; only the respondent keys (random 62-bit) need pd.factorize, which hashes every
    row (2.4 s for 7.2 M rows: the import, which knows its few raters, sorts itself and passes
    in_order=True).
    """
    import numpy as np

    columns = {name: values.astype(np.int64, copy=False) for name, values in _full_columns(frame).items()}
    count = len(columns["score"])
    order_key = np.zeros(count, dtype=np.int64)
    span = 1
    for name in KEY_COLUMNS:
        rank, distinct = ranks(columns[name])
        span *= distinct
        if span >= 2**62:  # cannot happen with real data (cycles x people x departments x 8)
            order = np.lexsort([columns[name] for name in reversed(KEY_COLUMNS)])
            break
        order_key = order_key * distinct + rank
    else:
        order = np.argsort(order_key, kind="stable")
    return {name: values[order] for name, values in columns.items()}


def _full_columns(frame) -> dict[str, np.ndarray]:
    """ANSWER_COLUMNS of a frame or mapping as numpy arrays of one length (a scalar is broadcast)."""
    import numpy as np

    columns = {name: np.asarray(frame[name]) for name in ANSWER_COLUMNS}
    count = max(len(values) if values.ndim else 0 for values in columns.values())
    return {name: values if values.ndim else np.broadcast_to(values, count) for name, values in columns.items()}


def ranks(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Per value, an integer in [0, n) that sorts like it, and n."""
    if not len(values):
        return values, 1
    low, high = int(values.min()), int(values.max())
    if high - low < max(len(values), 1 << 16):
        return values - low, high - low + 1
    import pandas as pd  # here only: the import command's columns never get here, nor load pandas

    rank, distinct = pd.factorize(values, sort=True)
    return rank, len(distinct)


def binary_copy_payload(columns: dict[str, np.ndarray], formats: dict[str, str]) -> tuple[bytes, memoryview, bytes]:
    """The COPY ... (FORMAT binary) stream of integer `columns`, in their order, as three buffers to
    write in turn (header, rows, trailer): joining them would copy the rows twice more."""
    return _COPY_HEADER, binary_copy_rows(columns, formats), _COPY_TRAILER


def binary_copy_rows(columns: dict[str, np.ndarray], formats: dict[str, str]) -> memoryview:
    """The rows of a binary COPY stream (no header, no trailer) of integer `columns`, in their order.

    `formats` gives each column's numpy big-endian format (">i2", ">i4", ">i8"). Every row is the
    same bytes but for the values: a template row is broadcast, then each column is written into
    its byte slice (a third of the time of filling a packed structured array field by field).
    """
    import numpy as np

    count = len(next(iter(columns.values())))
    widths = [np.dtype(formats[name]).itemsize for name in columns]
    template = len(columns).to_bytes(2, "big") + b"".join(w.to_bytes(4, "big") + bytes(w) for w in widths)
    rows = np.empty((count, len(template)), dtype=np.uint8)
    rows[:] = np.frombuffer(template, dtype=np.uint8)
    start = 2
    for (name, values), width in zip(columns.items(), widths, strict=True):
        start += 4  # the field's length, already in the template
        rows[:, start : start + width] = values.astype(formats[name]).view(np.uint8).reshape(count, width)
        start += width
    return memoryview(rows).cast("B")


# Rows per piece of the COPY stream: the stream is built and sent a piece at a time, so the
# process holds one or two pieces (~60 MB each) rather than the whole stream (450 MB at 7.2 M rows),
# and builds the next piece while PostgreSQL reads the last (psycopg's queued writer sends from a
# thread of its own).
COPY_PIECE_ROWS = 1 << 20


def write_answers(frame: pd.DataFrame | Mapping[str, np.ndarray], *, in_order: bool = False) -> int:
    """Insert the answers in `frame` (columns ANSWER_COLUMNS, integers; a frame, or a mapping of
    the column names to numpy arrays). Call inside a transaction.

    `in_order`: the rows are already sorted by the primary key (the caller's promise; see
    _in_index_order for why the order matters)."""

    if not connection.in_atomic_block:
        raise RuntimeError("write_answers() must run inside transaction.atomic()")
    columns = _full_columns(frame)
    count = len(columns["score"])
    if not count:
        return 0
    if not in_order:
        columns = _in_index_order(columns)
    table = Answer._meta.db_table
    names = ", ".join(ANSWER_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            formats = {
                name: _INT_FORMATS[Answer._meta.get_field(name.removesuffix("_id")).db_type(connection)]
                for name in ANSWER_COLUMNS
            }
            raw = cursor.cursor
            with (
                _constraints_set_aside(cursor, table, columns=columns, count=count),
                raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)", writer=QueuedLibpqWriter(raw)) as copy,
            ):
                copy.write(_COPY_HEADER)
                for start in range(0, count, COPY_PIECE_ROWS):
                    piece = {name: values[start : start + COPY_PIECE_ROWS] for name, values in columns.items()}
                    copy.write(binary_copy_rows(piece, formats))
                copy.write(_COPY_TRAILER)
        else:
            placeholders = ", ".join(["%s"] * len(ANSWER_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                zip(*(columns[name].tolist() for name in ANSWER_COLUMNS), strict=True),
            )
    return count


@contextmanager
def _constraints_set_aside(cursor, table: str, *, columns: dict[str, np.ndarray], count: int):
    """For a large write, drop `table`'s foreign keys for the block, and its primary key too when
    rebuilding it is cheaper; then restore them and check what `columns` wrote.

    The foreign keys come back with their names and definitions, marked NOT VALID: PostgreSQL
    enforces them on every later write and on deletes of the rows they point to exactly as before,
    but does not re-check the whole table, every cycle of history (4 s for 2 million rows, and
    growing with each quarter imported); _check_written_keys checks what the block wrote instead.
    The primary key is rebuilt whole (one sort, pages written full: half the cost of inserting each
    row into it) while the table holds fewer than PRIMARY_KEY_REBUILD_MAX_RATIO times the rows
    written; a duplicate then fails the rebuild, as it would have failed the insert. Any failure
    rolls the caller's transaction back, the drops included (DDL is transactional in PostgreSQL).
    """
    if count < FOREIGN_KEY_SWAP_MIN_ROWS:
        yield
        return
    quote = connection.ops.quote_name
    foreign_keys = _foreign_keys(cursor, table)
    primary_key = _primary_key_to_rebuild(cursor, table, count=count)
    dropped = [name for name, *_ in foreign_keys] + ([primary_key[0]] if primary_key else [])
    if not dropped:
        yield
        return
    # Fail with a clear error rather than queue every page behind a long-held lock.
    cursor.execute("SET LOCAL lock_timeout = '10s'")
    if primary_key:
        # The rebuild's sort, in memory: ~100 bytes a row (7.2 M rows in 256 MB spilled to disk and
        # took 10.6 s, in 1 GB 6.0 s), and in this backend alone: the parallel workers' share of
        # the sort fights the rest of the transaction for the cores (4.4 s without them).
        # A limit, not an allocation: the table holds at most (1 + PRIMARY_KEY_REBUILD_MAX_RATIO) x count rows.
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{_sort_memory_mb(count * 5 // 2)}MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
    cursor.execute(f"ALTER TABLE {quote(table)} " + ", ".join(f"DROP CONSTRAINT {quote(name)}" for name in dropped))
    yield
    restored = [f"ADD CONSTRAINT {quote(primary_key[0])} {primary_key[1]}"] if primary_key else []
    restored += [
        f"ADD CONSTRAINT {quote(name)} {definition.removesuffix(' NOT VALID')} NOT VALID"
        for name, definition, *_ in foreign_keys
    ]
    cursor.execute(f"ALTER TABLE {quote(table)} " + ", ".join(restored))
    _check_written_keys(cursor, table, foreign_keys, columns)


def _sort_memory_mb(count: int) -> int:
    """maintenance_work_mem for sorting `count` rows' primary key in memory: 128 bytes a row, 64 MB to 2 GB."""
    return min(max(64, -(-count * 128 // (1 << 20))), 2048)


# Rebuilding the primary key reads every row of the table, inserting into it only the rows
# written: past this ratio of rows held to rows written, the rebuild costs more than it saves.
PRIMARY_KEY_REBUILD_MAX_RATIO = 1.5


def _primary_key_to_rebuild(cursor, table: str, *, count: int) -> tuple[str, str] | None:
    """The primary key's (name, definition) if rebuilding it after writing `count` rows is cheaper
    than inserting them into it, else None. The table's size is the planner's estimate (from its
    current number of pages): no scan."""
    import json

    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
        [table],
    )
    primary_key = cursor.fetchone()
    if primary_key is None:
        return None
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT FROM {connection.ops.quote_name(table)}")
    plan = cursor.fetchone()[0]
    held = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    return primary_key if held < PRIMARY_KEY_REBUILD_MAX_RATIO * count else None


def _foreign_keys(cursor, table: str) -> list[tuple[str, str, str, str, str]]:
    """(name, definition, column, parent table, parent column) of each single-column foreign key."""
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid), a.attname, p.relname, pa.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_class p ON p.oid = c.confrelid
        JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
        WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND cardinality(c.conkey) = 1
        """,
        [table],
    )
    return cursor.fetchall()


def _check_written_keys(cursor, table: str, foreign_keys, columns: dict[str, np.ndarray]) -> None:
    """Raise IntegrityError unless every value written in each foreign key column has its parent row.

    Every written row holds one of the distinct values of each key column in `columns`, so checking
    those few values against the parent tables checks every row, without reading them back.
    Dropping the keys locked the parent tables (ACCESS EXCLUSIVE) until commit, so no parent row
    can go before the restored keys guard it.
    """
    if not foreign_keys:
        return
    quote = connection.ops.quote_name
    # One query: per key, the first written value its parent table lacks.
    missing = " UNION ALL ".join(
        f"(SELECT %s::text, value FROM unnest(%s::bigint[]) AS value "
        f"WHERE NOT EXISTS (SELECT FROM {quote(parent)} WHERE {quote(target)} = value) LIMIT 1)"
        for _, _, _, parent, target in foreign_keys
    )
    params = [item for _, _, column, _, _ in foreign_keys for item in (column, distinct(columns[column]).tolist())]
    cursor.execute(f"{missing} LIMIT 1", params)
    bad = cursor.fetchone()
    if bad is not None:
        raise IntegrityError(f"insert on table {table!r} violates a foreign key: no row for {bad[0]}={bad[1]}")


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer column, ascending: by marking, for ids of a small range (no hashing
    of every row: pd.unique costs ~0.4 s per column at 7.2 M rows)."""
    import numpy as np

    if not len(values):
        return values
    low, high = int(values.min()), int(values.max())
    if high - low < max(len(values), 1 << 16):
        seen = np.zeros(high - low + 1, dtype=bool)
        seen[values - low] = True
        return np.flatnonzero(seen) + low
    import pandas as pd  # here only: see ranks

    return np.sort(pd.unique(values))
