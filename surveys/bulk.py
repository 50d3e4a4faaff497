"""Bulk writing of answers: PostgreSQL binary COPY, or one executemany on other databases.

Both the historical import and the demo data write through here, so a million rows cost seconds,
not the minutes that one INSERT per row would. On PostgreSQL the COPY stream is built by numpy in
one pass (no Python object per row or per cell), which is what COPY itself costs.
"""

import os
import secrets

import numpy as np
import pandas as pd
from django.db import connection

from .models import Answer

ANSWER_COLUMNS = ["cycle_id", "respondent", "rater_department_id", "provider_department_id", "dimension_id", "score"]

# PostgreSQL binary COPY: a fixed header, then per row a field count and (length, big-endian value)
# per field, then -1 as the trailer (https://www.postgresql.org/docs/current/sql-copy.html).
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_INT_FORMATS = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8"}


def random_uuid_bytes(count: int) -> np.ndarray:
    """`count` random version-4 UUIDs as a (count, 16) uint8 array, drawn in one call."""
    ids = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
    ids[:, 6] = (ids[:, 6] & 0x0F) | 0x40  # version 4
    ids[:, 8] = (ids[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    return ids


def random_uuid_hex(count: int) -> list[str]:
    """`count` random UUIDs as 32-digit hex (as UUIDField stores them outside PostgreSQL)."""
    blob = random_uuid_bytes(count).tobytes().hex()
    return [blob[i : i + 32] for i in range(0, 32 * count, 32)]


def _shuffled(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    # Rows go in shuffled so that the table's physical order says nothing about who answered when.
    order = np.random.default_rng(secrets.randbits(128)).permutation(len(frame))
    return {name: frame[name].to_numpy(dtype=np.int64)[order] for name in ANSWER_COLUMNS}


def binary_copy_payload(columns: dict[str, np.ndarray], formats: dict[str, str]) -> bytes:
    """The COPY ... (FORMAT binary) stream of a random uuid `id` followed by integer `columns`.

    `formats` gives each column's numpy big-endian format (">i2", ">i4", ">i8").
    """
    count = len(next(iter(columns.values())))
    layout = [("fields", ">i2"), ("id_len", ">i4"), ("id", "V16")]
    for name in columns:
        layout += [(f"{name}_len", ">i4"), (name, formats[name])]
    rows = np.empty(count, dtype=np.dtype(layout))  # packed: numpy adds no padding by default
    rows["fields"] = 1 + len(columns)
    rows["id_len"] = 16
    rows["id"] = random_uuid_bytes(count).view("V16").ravel()
    for name, values in columns.items():
        rows[f"{name}_len"] = np.dtype(formats[name]).itemsize
        rows[name] = values
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def write_answers(frame: pd.DataFrame) -> int:
    """Insert the answers in `frame` (columns ANSWER_COLUMNS, integers). Call inside a transaction."""
    count = len(frame)
    if not count:
        return 0
    columns = _shuffled(frame)
    table = Answer._meta.db_table
    names = ", ".join(["id", *ANSWER_COLUMNS])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            formats = {
                name: _INT_FORMATS[Answer._meta.get_field(name.removesuffix("_id")).db_type(connection)]
                for name in ANSWER_COLUMNS
            }
            payload = binary_copy_payload(columns, formats)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(payload)
        else:
            placeholders = ", ".join(["%s"] * (1 + len(ANSWER_COLUMNS)))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                zip(random_uuid_hex(count), *(columns[name].tolist() for name in ANSWER_COLUMNS), strict=True),
            )
    return count
