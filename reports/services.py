"""Roll-up: one bulk read of a cycle's answers, pandas frames, and the snapshot replaced in one
transaction. The Celery task and `manage.py rollup` both call `rollup_cycle`.

The database does the heavy part with three GROUP BYs: count, sum, sum of squares and favourable
count per link and dimension, of this cycle and the previous one (for deltas) in one scan;
respondents per link and combination of dimensions answered (and the company's distinct supplier
raters) of this cycle; and of the previous cycle only for the links whose suppression nested
masks cannot decide. A few thousand aggregate rows reach Python whatever the number of
answers, and the number of queries is fixed: it grows with neither departments nor links.
"""

from functools import partial

import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from surveys.dimensions import FAVORABLE_MIN, OVERALL, SERVICE_DIMENSIONS
from surveys.models import Answer, Cycle, CycleHeadcount, Dimension, Participation

from . import frames
from .models import CompanyResult, CycleSummary, DepartmentResult, LinkResult, ParticipationResult, RollupRun

_RESULT_COLUMNS = ["dimension", *frames.FIGURE_COLUMNS]


def rollup_request(*, cycle: Cycle) -> RollupRun:
    """Record that `cycle` needs a roll-up and enqueue it once the caller's transaction commits."""
    from .tasks import enqueue_rollup  # the tasks module imports this one

    run = RollupRun.objects.create(cycle=cycle)
    # A broker outage must not fail the close: the run stays requested and beat re-requests it.
    transaction.on_commit(partial(enqueue_rollup, cycle_id=cycle.id, run_id=run.id))
    return run


def rollup_cycle(*, cycle_id: int, run_id: int | None = None) -> RollupRun:
    """Compute the cycle's roll-up and replace its snapshot atomically; idempotent."""
    if run_id is None:
        run = RollupRun.objects.create(cycle_id=cycle_id)
    else:
        run = RollupRun.objects.get(pk=run_id)
    RollupRun.objects.filter(pk=run.pk).update(state=RollupRun.State.STARTED, started_at=timezone.now())

    with transaction.atomic():
        # Serialises concurrent roll-ups of the same cycle: the second waits, then redoes the work.
        cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
        answers_count = _replace_snapshot(cycle, run=run)
        run.state = RollupRun.State.DONE
        run.finished_at = timezone.now()
        run.answers_count = answers_count
        run.save(update_fields=["state", "finished_at", "answers_count"])
    return run


def compute_rollup(*, cycle: Cycle) -> tuple[frames.Rollup, int, Cycle | None]:
    """The cycle's result frames (read-only): the rollup, its number of answers and the previous cycle."""
    dimension_slugs = dict(Dimension.objects.values_list("id", "slug"))
    bits = {pk: 1 << SERVICE_DIMENSIONS.index(s) for pk, s in dimension_slugs.items() if s in SERVICE_DIMENSIONS}
    previous = previous_cycle(cycle=cycle)
    cycle_ids = [cycle.id] if previous is None else [cycle.id, previous.id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The distinct count hashes ~10 (respondent, link) groups per respondent: let it do so in
            # memory rather than spill to disk (the stock 4 MB is too small from ~5,000 employees).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # The snapshot is derived data: a crash that loses this commit loses the run record with
            # it (same transaction), so the run stays `started` and is redone. No need to wait for fsync.
            cursor.execute("SET LOCAL synchronous_commit = off")
    all_cells = _read_cells(cycle_ids, dimension_slugs)
    cells = all_cells[all_cells["cycle"] == cycle.id]
    masks, company_respondents = _read_link_masks(cycle.id, bits, company=True)
    previous_rollup = None
    if previous is not None:
        previous_cells = all_cells[all_cells["cycle"] == previous.id]
        needed = frames.links_needing_masks(previous_cells, min_group_size=previous.min_group_size)
        exact, _ = _read_link_masks(previous.id, bits, links=needed)
        previous_rollup = frames.rollup(
            previous_cells,
            frames.previous_link_masks(previous_cells, exact),
            min_group_size=previous.min_group_size,
        )
    result = frames.rollup(
        cells,
        masks,
        min_group_size=cycle.min_group_size,
        previous=previous_rollup,
        company_respondents=company_respondents,
    )
    return result, int(cells["n"].sum()), previous


def previous_cycle(*, cycle: Cycle) -> Cycle | None:
    """The latest earlier cycle, in YYYY-Qn order, that holds answers."""
    has_answers = Exists(Answer.objects.filter(cycle=OuterRef("pk")))
    return Cycle.objects.filter(has_answers, name__lt=cycle.name).order_by("-name").first()


def _replace_snapshot(cycle: Cycle, *, run: RollupRun | None = None) -> int:
    """Replace the cycle's snapshot rows with a fresh roll-up; returns the number of answers read.

    Call inside a transaction: readers see the old snapshot or the new one, never a mix.
    """
    result, answers_count, previous = compute_rollup(cycle=cycle)
    participants = pd.DataFrame(
        Participation.objects.filter(cycle=cycle).values("department").annotate(participants=Count("id")).order_by(),
        columns=["department", "participants"],
    )
    headcounts = pd.DataFrame(
        CycleHeadcount.objects.filter(cycle=cycle).values_list("department_id", "eligible"),
        columns=["department", "eligible"],
    )
    participation, overall = frames.response_rates(participants, headcounts)

    for model in (DepartmentResult, LinkResult, CompanyResult, ParticipationResult, CycleSummary):
        model.objects.filter(cycle=cycle).delete()

    departments = result.departments.rename(columns={"department": "department_id"})
    departments.insert(0, "cycle_id", cycle.id)
    _insert(DepartmentResult, departments[["cycle_id", "department_id", "scope", *_RESULT_COLUMNS]])
    links = result.links.rename(columns={"rater": "rater_department_id", "provider": "provider_department_id"})
    links.insert(0, "cycle_id", cycle.id)
    _insert(LinkResult, links[["cycle_id", "rater_department_id", "provider_department_id", "scope", *_RESULT_COLUMNS]])
    company = result.company.copy()
    company.insert(0, "cycle_id", cycle.id)
    _insert(CompanyResult, company[["cycle_id", "scope", *_RESULT_COLUMNS]])
    participation = participation.rename(columns={"department": "department_id"})
    participation.insert(0, "cycle_id", cycle.id)
    _insert(
        ParticipationResult, participation[["cycle_id", "department_id", "participants", "eligible", "response_rate"]]
    )

    CycleSummary.objects.create(
        cycle=cycle,
        run=run,
        computed_at=timezone.now(),
        answers_count=answers_count,
        previous_cycle=previous,
        **result.summary,
        **overall,
    )
    return answers_count


def _read_cells(cycle_ids: list[int], dimension_slugs: dict[int, str]) -> pd.DataFrame:
    """Count, sum, sum of squares and favourable count per cycle, link and dimension: one scan for all cycles."""
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT cycle_id, rater_department_id, provider_department_id, dimension_id,
                   COUNT(*), SUM(score), SUM(score * score), SUM(CASE WHEN score >= %s THEN 1 ELSE 0 END)
            FROM {table} WHERE cycle_id IN ({", ".join(["%s"] * len(cycle_ids))})
            GROUP BY cycle_id, rater_department_id, provider_department_id, dimension_id
            """,
            [FAVORABLE_MIN, *cycle_ids],
        )
        cells = pd.DataFrame(cursor.fetchall(), columns=["cycle", *frames.CELL_COLUMNS])
    cells["dimension"] = cells["dimension"].map(dimension_slugs)
    return cells


def _read_link_masks(
    cycle_id: int, bits: dict[int, int], *, links: pd.DataFrame | None = None, company: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Respondents per link and combination of service dimensions answered (of every link, or of
    `links` only); with `company`, also the distinct supplier-scope raters per dimension and overall.

    A respondent answers each (provider, dimension) at most once, so the sum of the dimension bits
    of their answers to one provider is the set they answered. Two-level GROUP BY: PostgreSQL hashes
    it, where COUNT(DISTINCT) sorts. A person's supplier-wide set ORs their links' sets: one MAX per bit.
    """
    table = Answer._meta.db_table
    only = ""
    if links is not None:
        # Ids come from the database as integers: inlined, so that SQLite's parameter limit never bites.
        pairs = ", ".join(f"({int(r)}, {int(p)})" for r, p in links[["rater", "provider"]].itertuples(index=False))
        only = f" AND (rater_department_id, provider_department_id) IN (VALUES {pairs})" if pairs else " AND 1 = 0"
    mask = "CASE dimension_id " + " ".join(f"WHEN {int(pk)} THEN {bit}" for pk, bit in bits.items()) + " END"
    service = ", ".join(str(int(pk)) for pk in bits) or "0"
    company_part = ""
    if company:
        union = " + ".join(f"MAX(mask & {1 << i})" for i in range(len(SERVICE_DIMENSIONS)))
        company_part = f"""
            UNION ALL
            SELECT 'company', 0, 0, person_mask, COUNT(*) FROM (
                SELECT respondent, {union} AS person_mask FROM per_link
                WHERE rater <> provider GROUP BY respondent
            ) AS people GROUP BY person_mask"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH per_link AS (
                SELECT rater_department_id AS rater, provider_department_id AS provider, respondent,
                       SUM({mask}) AS mask
                FROM {table}
                WHERE cycle_id = %s AND dimension_id IN ({service}){only}
                GROUP BY rater_department_id, provider_department_id, respondent
            )
            SELECT 'link', rater, provider, mask, COUNT(*) FROM per_link GROUP BY rater, provider, mask{company_part}
            """,
            [cycle_id],
        )
        rows = pd.DataFrame(cursor.fetchall(), columns=["kind", *frames.MASK_COLUMNS])
    masks = rows.loc[rows["kind"] == "link", frames.MASK_COLUMNS].reset_index(drop=True)
    if not company:
        return masks, None
    return masks, _company_respondents(rows.loc[rows["kind"] == "company", ["mask", "respondents"]])


def _company_respondents(people: pd.DataFrame) -> pd.DataFrame:
    """Distinct supplier-scope raters per dimension and overall, from counts per person-wide mask."""
    masks, counts = people["mask"].to_numpy(dtype="int64"), people["respondents"].to_numpy(dtype="int64")
    rows = [
        (frames.SUPPLIER, slug, int(counts[(masks & (1 << i)) != 0].sum())) for i, slug in enumerate(SERVICE_DIMENSIONS)
    ]
    rows.append((frames.SUPPLIER, OVERALL, int(counts[masks != 0].sum())))
    return pd.DataFrame(rows, columns=frames.COMPANY_RESPONDENT_COLUMNS)


def _insert(model, frame: pd.DataFrame) -> None:
    """Insert a frame whose columns are `model`'s database columns, in one statement.

    PostgreSQL gets a binary COPY (a snapshot of 40 departments is ~11,000 link rows): psycopg
    encodes the rows in C, where `DataFrame.to_csv` took ~5x as long to format the floats. Other
    databases get one executemany. NaN/NA become NULL.
    """
    if frame.empty:
        return
    table = model._meta.db_table
    columns = ", ".join(frame.columns)
    rows = _plain_rows(frame)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fields = {field.column: field for field in model._meta.concrete_fields}
            types = [_copy_type(fields[column]) for column in frame.columns]
            binary = all(name in _BINARY_COPY_TYPES for name in types)  # else psycopg's text COPY
            statement = f"COPY {table} ({columns}) FROM STDIN" + (" (FORMAT binary)" if binary else "")
            with cursor.cursor.copy(statement) as copy:
                if binary:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
            # COPY bypasses Django's cursor wrapper; log it so that query counts (tests, bench) include it.
            if connection.queries_logged:
                connection.queries_log.append({"sql": statement, "time": "0.000"})
        else:
            placeholders = ", ".join(["%s"] * len(frame.columns))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _plain_rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows as tuples of plain Python values (None for NaN/NA), built column by column."""
    values = []
    for name in frame.columns:
        column = frame[name].astype(object)
        values.append(column.where(frame[name].notna(), None).tolist())
    return list(zip(*values, strict=True))


# Column types whose binary encoding psycopg takes from the Python values _plain_rows gives.
_BINARY_COPY_TYPES = {"smallint", "integer", "bigint", "double precision", "real", "boolean", "text"}


def _copy_type(field) -> str:
    """The PostgreSQL type name psycopg encodes a column as in a binary COPY ("integer", "text", ...)."""
    db_type = field.db_type(connection) or field.target_field.db_type(connection)
    base = db_type.split("(")[0].strip()
    return "text" if base == "varchar" else base
