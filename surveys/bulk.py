"""Bulk writing of answers: PostgreSQL binary COPY, or one executemany on other databases.

Both the historical import and the demo data write through here, so a million rows cost seconds,
not the minutes that one INSERT per row would. What makes it fast on PostgreSQL, measured on a
720,000-row import (bench/README.md):

- the binary COPY stream is built by numpy in one pass, with no Python object per row or cell;
- rows go in sorted by (respondent, provider, dimension), the unique index's order, and with
  ascending random ids, so both indexes are filled left to right instead of at random pages
  (random order: ~4x slower). Respondent keys are random, so this order says nothing about who
  answered, or when;
- for large writes, the foreign keys are dropped and restored in the same transaction: the
  per-row checks cost ~4.5 µs x 4 keys x rows (13 s for 720,000 rows, 10x all the rest). They are
  restored NOT VALID (enforced from then on, as before) and the written cycles' rows are checked in
  one scan, so the cost does not grow with the history already in the table. The definitions are
  read from the catalog; until commit, the transaction holds exclusive locks on the answer, cycle,
  department and dimension tables (a historical import is a rare, admin-run operation).
"""

from __future__ import annotations

import os
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

# PostgreSQL binary COPY: a fixed header, then per row a field count and (length, big-endian value)
# per field, then -1 as the trailer (https://www.postgresql.org/docs/current/sql-copy.html).
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_INT_FORMATS = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8"}
# Below this many rows the per-row foreign key checks cost less than re-checking the whole table.
FOREIGN_KEY_SWAP_MIN_ROWS = 100_000


def random_uuid_bytes(count: int, *, ascending: bool = False) -> np.ndarray:
    """`count` random version-4 UUIDs as a (count, 16) uint8 array, drawn in one call."""
    import numpy as np

    ids = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    ids[:, 6] = (ids[:, 6] & 0x0F) | 0x40  # version 4
    ids[:, 8] = (ids[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    if ascending:
        ids = ids[np.lexsort(ids.T[::-1])]
    return ids


def random_uuid_hex(count: int) -> list[str]:
    """`count` random UUIDs as 32-digit hex (as UUIDField stores them outside PostgreSQL)."""
    blob = random_uuid_bytes(count).tobytes().hex()
    return [blob[i : i + 32] for i in range(0, 32 * count, 32)]


def _in_index_order(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns, rows sorted by (cycle, respondent, provider, dimension).

    The table's physical order then follows the random respondent keys: it says nothing about who
    answered when (the file's or the submissions' order is gone).
    """
    import numpy as np

    columns = {name: frame[name].to_numpy(dtype=np.int64) for name in ANSWER_COLUMNS}
    order = np.lexsort([columns[name] for name in ("dimension_id", "provider_department_id", "respondent", "cycle_id")])
    return {name: values[order] for name, values in columns.items()}


def binary_copy_payload(columns: dict[str, np.ndarray], formats: dict[str, str]) -> bytes:
    """The COPY ... (FORMAT binary) stream of a random uuid `id` followed by integer `columns`.

    `formats` gives each column's numpy big-endian format (">i2", ">i4", ">i8").
    """
    import numpy as np

    count = len(next(iter(columns.values())))
    layout = [("fields", ">i2"), ("id_len", ">i4"), ("id", "V16")]
    for name in columns:
        layout += [(f"{name}_len", ">i4"), (name, formats[name])]
    rows = np.empty(count, dtype=np.dtype(layout))  # packed: numpy adds no padding by default
    rows["fields"] = 1 + len(columns)
    rows["id_len"] = 16
    rows["id"] = random_uuid_bytes(count, ascending=True).view("V16").ravel()
    for name, values in columns.items():
        rows[f"{name}_len"] = np.dtype(formats[name]).itemsize
        rows[name] = values
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def write_answers(frame: pd.DataFrame) -> int:
    """Insert the answers in `frame` (columns ANSWER_COLUMNS, integers). Call inside a transaction."""
    import numpy as np

    if not connection.in_atomic_block:
        raise RuntimeError("write_answers() must run inside transaction.atomic()")
    count = len(frame)
    if not count:
        return 0
    columns = _in_index_order(frame)
    table = Answer._meta.db_table
    names = ", ".join(["id", *ANSWER_COLUMNS])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            formats = {
                name: _INT_FORMATS[Answer._meta.get_field(name.removesuffix("_id")).db_type(connection)]
                for name in ANSWER_COLUMNS
            }
            payload = binary_copy_payload(columns, formats)
            with (
                _foreign_keys_checked_once(
                    cursor,
                    table,
                    cycle_ids=np.unique(columns["cycle_id"]).tolist(),
                    enabled=count >= FOREIGN_KEY_SWAP_MIN_ROWS,
                ),
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy,
            ):
                copy.write(payload)
        else:
            placeholders = ", ".join(["%s"] * (1 + len(ANSWER_COLUMNS)))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                zip(random_uuid_hex(count), *(columns[name].tolist() for name in ANSWER_COLUMNS), strict=True),
            )
    return count


@contextmanager
def _foreign_keys_checked_once(cursor, table: str, *, cycle_ids: list[int], enabled: bool):
    """Drop `table`'s foreign keys for the block, then restore them and check the written cycles' rows.

    The keys come back with their names and definitions, marked NOT VALID: PostgreSQL enforces
    them on every later write and on deletes of the rows they point to exactly as before, but does
    not re-check the whole table, every cycle of history (4 s for 2 million rows, and growing with
    each quarter imported). The rows of the cycles just written are checked here instead, in one
    scan against the small parent tables; a bad row raises IntegrityError and the caller's
    transaction rolls back, the drop included (DDL is transactional in PostgreSQL). Rows of other
    cycles were checked when they were written.
    """
    if not enabled:
        yield
        return
    quote = connection.ops.quote_name
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
    keys = cursor.fetchall()
    if not keys:
        yield
        return
    # Fail with a clear error rather than queue every page behind a long-held lock.
    cursor.execute("SET LOCAL lock_timeout = '10s'")
    cursor.execute(f"ALTER TABLE {quote(table)} " + ", ".join(f"DROP CONSTRAINT {quote(key[0])}" for key in keys))
    yield
    restored = [
        f"ADD CONSTRAINT {quote(name)} {definition.removesuffix(' NOT VALID')} NOT VALID"
        for name, definition, *_ in keys
    ]
    cursor.execute(f"ALTER TABLE {quote(table)} " + ", ".join(restored))
    missing = " OR ".join(
        f"{quote(column)} NOT IN (SELECT {quote(target)} FROM {quote(parent)})" for _, _, column, parent, target in keys
    )
    cursor.execute(
        f"SELECT {', '.join(quote(key[2]) for key in keys)} FROM {quote(table)} "
        f"WHERE cycle_id = ANY(%s) AND ({missing}) LIMIT 1",
        [cycle_ids],
    )
    bad = cursor.fetchone()
    if bad is not None:
        values = ", ".join(f"{key[2]}={value}" for key, value in zip(keys, bad, strict=True))
        raise IntegrityError(f"insert on table {table!r} violates a foreign key: no row for {values}")
