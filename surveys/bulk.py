"""Bulk writing of answers: PostgreSQL COPY, or one executemany on other databases.

Both the historical import and the demo data write through here, so a million rows cost seconds,
not the minutes that one INSERT per row would.
"""

import io
import os

import pandas as pd
from django.db import connection

from .models import Answer

ANSWER_COLUMNS = ["cycle_id", "respondent", "rater_department_id", "provider_department_id", "dimension_id", "score"]


def random_uuid_hex(count: int) -> list[str]:
    """`count` random 128-bit ids as 32-digit hex, drawn in one call (as UUIDField stores them)."""
    blob = os.urandom(16 * count).hex()
    return [blob[i : i + 32] for i in range(0, 32 * count, 32)]


def write_answers(frame: pd.DataFrame) -> int:
    """Insert the answers in `frame` (columns ANSWER_COLUMNS, integers). Call inside a transaction."""
    count = len(frame)
    if not count:
        return 0
    # Rows go in shuffled so that the table's physical order says nothing about who answered when.
    rows = frame[ANSWER_COLUMNS].sample(frac=1).astype("int64")
    rows.insert(0, "id", random_uuid_hex(count))
    table = Answer._meta.db_table
    columns = ", ".join(["id", *ANSWER_COLUMNS])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            rows.to_csv(buffer, sep="\t", header=False, index=False)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            placeholders = ", ".join(["%s"] * len(rows.columns))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                rows.itertuples(index=False, name=None),
            )
    return count
