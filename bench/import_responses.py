"""Benchmark: `import_responses` of a realistic answers file on PostgreSQL, against the COPY floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_imports .venv/bin/python bench/import_responses.py [ROWS ...]

Builds a throwaway database (the test database name of DATABASE_URL with a `_bench` suffix),
imports an org of 10,000 employees in 40 departments through the org import service, writes an
answers file per size (default 720,000 and 1,000,000 rows) into a temp folder, then times, three
times per size (median reported):

  - end to end: `manage.py import_responses` in a fresh process, as HR runs it, without REDIS_URL so
    that the roll-up it triggers runs in the same command, minus the start-up of `manage.py check`
    measured alongside;
  - in-process: the same command through call_command in this warm process (the roll-up included);

next to the floor measured in the same run: psycopg binary COPY of the same rows, already encoded,
into an unlogged table with the same columns and no index, constraint or trigger. Target: at least
250,000 rows/s end to end at 720,000 rows.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import command_env, figure, require_postgres, startup_seconds, throwaway_database, timed_command

EMPLOYEES = 10_000
DEPARTMENTS = 40
RUNS = 3
TARGET_ROWS_PER_SECOND = 250_000  # end to end, start-up subtracted, roll-up included


def main(sizes: list[int]) -> None:
    require_postgres("bench/import_responses.py")
    with throwaway_database(), tempfile.TemporaryDirectory() as folder:
        run(Path(folder), sizes)


def org_csv(rng: np.random.Generator) -> tuple[bytes, pd.DataFrame]:
    names = ["Executive Office"] + [f"Department {i:02d}" for i in range(1, DEPARTMENTS)]
    department = np.where(
        np.arange(EMPLOYEES) < 30, 0, rng.integers(1, DEPARTMENTS, EMPLOYEES)
    )  # 30 people in the Executive Office
    role = np.where(department == 0, "executive", np.where(rng.random(EMPLOYEES) < 0.08, "manager", "employee"))
    role[-5:] = "hr"
    org = pd.DataFrame(
        {
            "employee_id": [f"E{i:06d}" for i in range(EMPLOYEES)],
            "email": [f"person{i}@example.com" for i in range(EMPLOYEES)],
            "full_name": [f"Person {i}" for i in range(EMPLOYEES)],
            "department": np.array(names)[department],
            "role": role,
        }
    )
    return org.to_csv(index=False).encode(), org


def answers_csv(org: pd.DataFrame, rows: int, rng: np.random.Generator) -> bytes:
    """`rows` answers: each employee rates ~rows/7/EMPLOYEES distinct providers on all seven questions."""
    from surveys.dimensions import ALL_DIMENSIONS

    names = np.array(sorted(org["department"].unique()))
    own = np.searchsorted(names, org["department"].to_numpy())
    management = org["role"].isin(["manager", "executive"]).to_numpy()
    per_rater = -(-rows // (len(ALL_DIMENSIONS) * EMPLOYEES))
    # Random provider order per employee; managers and executives never pick their own department.
    order = rng.random((EMPLOYEES, len(names)))
    order[np.arange(EMPLOYEES)[management], own[management]] = 2.0
    providers = np.argsort(order, axis=1)[:, :per_rater]
    rater = np.repeat(np.arange(EMPLOYEES), per_rater * len(ALL_DIMENSIONS))
    provider = np.repeat(providers.ravel(), len(ALL_DIMENSIONS))
    dimension = np.tile(np.arange(len(ALL_DIMENSIONS)), EMPLOYEES * per_rater)
    answers = pd.DataFrame(
        {
            "rater_employee_id": org["employee_id"].to_numpy()[rater],
            "provider_department": names[provider],
            "dimension": np.array(ALL_DIMENSIONS)[dimension],
            "score": rng.integers(1, 6, len(rater)),
        }
    ).iloc[:rows]
    return answers.to_csv(index=False).encode()


def copy_floor(frame: pd.DataFrame) -> float:
    """Seconds for psycopg's binary COPY of `frame`'s rows, pre-encoded, into a bare unlogged table."""
    from django.db import connection, transaction

    from surveys.bulk import ANSWER_COLUMNS, binary_copy_payload

    formats = {
        "cycle_id": ">i8",
        "respondent": ">i8",
        "rater_department_id": ">i8",
        "provider_department_id": ">i8",
        "dimension_id": ">i2",
        "score": ">i2",
    }
    payload = binary_copy_payload({c: frame[c].to_numpy(dtype=np.int64) for c in ANSWER_COLUMNS}, formats)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_floor (id uuid, cycle_id bigint, respondent bigint, "
            "rater_department_id bigint, provider_department_id bigint, dimension_id smallint, score smallint)"
        )
        started = time.perf_counter()
        with cursor.cursor.copy(
            f"COPY bench_floor (id, {', '.join(ANSWER_COLUMNS)}) FROM STDIN (FORMAT binary)"
        ) as copy:
            copy.write(payload)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def run(folder: Path, sizes: list[int]) -> None:
    from django.db import connection

    from surveys.importers import org_lookup, parse_org, parse_responses
    from surveys.models import Answer, Cycle
    from surveys.services.answers import answers_import
    from surveys.services.org import org_import

    rng = np.random.default_rng(2026)
    org_bytes, org = org_csv(rng)
    started = time.perf_counter()
    org_import(parse_org(org_bytes).data, dry_run=False)
    print(f"org: {EMPLOYEES:,} employees in {DEPARTMENTS} departments imported in {time.perf_counter() - started:.2f}s")
    print(
        f"PostgreSQL {connection.pg_version // 10000}, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )

    for rows in sizes:
        path = folder / f"answers-{rows}.csv"
        content = answers_csv(org, rows, rng)
        path.write_bytes(content)
        print(f"\n{rows:,} rows, {len(content) / 1e6:.1f} MB")

        timings, commands, floors = [], [], []
        env = command_env(connection.settings_dict["NAME"], REDIS_URL=None)
        startup = startup_seconds(env)
        for attempt in range(RUNS):
            cycle = f"2024-Q{attempt + 1}"
            if attempt % 2:  # alternate which comes first: the second run finds the table's pages warm
                timings.append(import_in_process(path, cycle))
                empty_answers()
                commands.append(timed_command(["manage.py", "import_responses", str(path), "--cycle", cycle], env=env))
            else:
                commands.append(timed_command(["manage.py", "import_responses", str(path), "--cycle", cycle], env=env))
                empty_answers()
                timings.append(import_in_process(path, cycle))
            assert Answer.objects.filter(cycle__name=cycle).count() == rows
            frame = pd.DataFrame.from_records(
                Answer.objects.filter(cycle__name=cycle).values_list(
                    "cycle_id", "respondent", "rater_department_id", "provider_department_id", "dimension_id", "score"
                ),
                columns=[
                    "cycle_id",
                    "respondent",
                    "rater_department_id",
                    "provider_department_id",
                    "dimension_id",
                    "score",
                ],
            )
            floors.append(copy_floor(frame))
            empty_answers()

        # One more run split into its stages, to show where the time goes.
        started = time.perf_counter()
        parsed = parse_responses(path.read_bytes(), lookup=org_lookup())
        validate = time.perf_counter() - started
        started = time.perf_counter()
        answers_import(parsed.data, cycle_name="2024-Q4", replace=False, dry_run=False)
        write = time.perf_counter() - started
        Answer.objects.all().delete()
        Cycle.objects.all().delete()

        median, floor = statistics.median(timings), statistics.median(floors)
        command = statistics.median(commands) - startup
        verdict = "pass" if rows / command >= TARGET_ROWS_PER_SECOND else "FAIL"
        print(
            f"  manage.py import_responses (end to end, roll-up included): median {statistics.median(commands):.2f}s "
            f"of {', '.join(f'{t:.2f}' for t in commands)} - start-up {startup:.2f}s = {command:.2f}s; "
            f"{rows / command:,.0f} rows/s (target {TARGET_ROWS_PER_SECOND:,}: {verdict})"
        )
        print(
            f"  in-process (call_command, roll-up included): median {median:.2f}s of "
            f"{', '.join(f'{t:.2f}' for t in timings)}; {rows / median:,.0f} rows/s"
        )
        print(f"  stages (one run): read+validate {validate:.2f}s, write+commit {write:.2f}s")
        print(
            f"  floor (binary COPY, unlogged, no index): median {floor:.2f}s, {rows / floor:,.0f} rows/s; "
            f"import = {median / floor:.1f}x the floor"
        )
        print(f"  load average now {os.getloadavg()[0]:.2f}")
        figure(
            f"import_responses, {rows:,} rows",
            end_to_end=f"{command:.2f} s = {rows / command:,.0f} rows/s (− start-up, roll-up included)",
            in_process=f"{median:.2f} s = {rows / median:,.0f} rows/s",
            floor=f"{floor:.2f} s (binary COPY, no index)",
            ratio=f"{command / floor:.1f}x end to end, {median / floor:.1f}x in-process",
            target=f"≥ {TARGET_ROWS_PER_SECOND:,} rows/s: {verdict}",
        )


def import_in_process(path: Path, cycle: str) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        call_command("import_responses", str(path), cycle=cycle, stdout=devnull)
    return time.perf_counter() - started


def empty_answers() -> None:
    """Each run starts from an empty answers table, as the first import of history does."""
    from django.db import connection

    from reports.models import CycleSummary, DepartmentResult, LinkResult, ParticipationResult, RollupRun
    from surveys.models import Answer, Cycle

    for model in (CycleSummary, DepartmentResult, LinkResult, ParticipationResult, RollupRun):
        model.objects.all().delete()
    Answer.objects.all().delete()
    Cycle.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Answer._meta.db_table}")


if __name__ == "__main__":
    main([int(arg.replace("_", "")) for arg in sys.argv[1:]] or [720_000, 1_000_000])
