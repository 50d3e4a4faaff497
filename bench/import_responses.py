"""Benchmark: `import_responses` of a realistic answers file on PostgreSQL, against the COPY floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_imports .venv/bin/python bench/import_responses.py \
        [--people 10000 --departments 40] [--runs 3] [ROWS ...]

Builds a throwaway database (the test database name of DATABASE_URL with a `_bench` suffix),
imports an org of --people employees in --departments departments (default 10,000 in 40; the
large company is 100,000 in 200) through the org import service, writes an answers file per size
(default: each person rates 9 departments on all eight questions, the six dimensions, expectation
and outcome: 72 rows a person, 720,000 at 10,000 people and 7.2 M at 100,000) into a temp folder,
then times, --runs times per size (median reported):

  - end to end: `manage.py import_responses` in a fresh process, as HR runs it, without REDIS_URL,
    so that the roll-up it triggers runs in the same command. The command says so: once the import
    has committed it prints "Imported ..." and "Rolling up ... next", then rolls up. Both parts are
    timed in the same run: the import (read, validate, write, commit) until the "Imported" line
    arrives, the roll-up from there to the command's exit. The start-up of `manage.py check`,
    measured alongside, is subtracted from the import;
  - in-process: the same command through call_command in this warm process, split the same way;

next to the floor measured in the same run: psycopg binary COPY of the same rows, already encoded,
into an unlogged table with the answers table's columns and no index, constraint or trigger.
Target (issue 22): the import at least 500,000 rows/s end to end at both company sizes, peak RSS
at most 1 GB; the roll-up it runs next is timed apart (its own target is bench/rollup.py's) and
shown added up with it.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
from _common import (
    BENCH_REDIS_URL,
    ROOT,
    command_env,
    figure,
    require_postgres,
    startup_seconds,
    throwaway_database,
)

EMPLOYEES = 10_000  # --people, --departments
DEPARTMENTS = 40
PROVIDERS_PER_PERSON = 9
RUNS = 3
TARGET_ROWS_PER_SECOND = 500_000  # end to end, start-up subtracted; the roll-up it runs next timed apart
TARGET_PEAK_RSS_MB = 1024
IMPORTED = "Imported "  # how the command's line starts once the import has committed


# --no-rollup: the command gets REDIS_URL and a queue of its own, so its roll-up request waits
# in the broker (deleted after each run) instead of running next; in-process, nothing is requested.
QUEUE = f"bench-import-{os.getpid()}"
ROLLUP = True


def main(sizes: list[int], *, people: int, departments: int, runs: int, rollup: bool) -> None:
    global EMPLOYEES, DEPARTMENTS, RUNS, ROLLUP
    EMPLOYEES, DEPARTMENTS, RUNS, ROLLUP = people, departments, runs, rollup
    require_postgres("bench/import_responses.py")
    if not ROLLUP and not BENCH_REDIS_URL:
        sys.exit("--no-rollup needs REDIS_URL: the command's roll-up request waits there, on a queue of its own")
    with throwaway_database(), tempfile.TemporaryDirectory() as folder:
        run(Path(folder), sizes or [EMPLOYEES * PROVIDERS_PER_PERSON * 8])


def org_csv(rng: np.random.Generator) -> tuple[bytes, pd.DataFrame]:
    names = ["Executive Office"] + [f"Department {i:03d}" for i in range(1, DEPARTMENTS)]
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
    """`rows` answers: each employee rates ~rows/8/EMPLOYEES distinct providers on all eight questions."""
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


def copy_floor(frame: dict[str, np.ndarray]) -> float:
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
    payload = binary_copy_payload({c: np.asarray(frame[c], dtype=np.int64) for c in ANSWER_COLUMNS}, formats)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_floor (cycle_id bigint, respondent bigint, "
            "rater_department_id bigint, provider_department_id bigint, dimension_id smallint, score smallint)"
        )
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY bench_floor ({', '.join(ANSWER_COLUMNS)}) FROM STDIN (FORMAT binary)") as copy:
            for part in payload:
                copy.write(part)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def run(folder: Path, sizes: list[int]) -> None:
    from django.db import connection

    from surveys.importers import org_lookup, parse_org, parse_responses
    from surveys.models import Answer
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

        # The floor's rows: the same answers as the import writes, keyed and sorted as it writes them.
        floor_rows = floor_columns(parse_responses(content, lookup=org_lookup()).data)
        del content
        in_process, commands, floors, peaks = [], [], [], []
        env = command_env(connection.settings_dict["NAME"], REDIS_URL=None)
        if not ROLLUP:
            env = command_env(
                connection.settings_dict["NAME"], REDIS_URL=BENCH_REDIS_URL, CHAINSURVEY_CELERY_QUEUE=QUEUE
            )
        startup = startup_seconds(env)
        for attempt in range(RUNS):
            cycle = f"{2010 + attempt // 4}-Q{attempt % 4 + 1}"
            args = ["manage.py", "import_responses", str(path), "--cycle", cycle]
            if attempt % 2:  # alternate which comes first: the second run finds the table's pages warm
                in_process.append(import_in_process(path, cycle))
                empty_answers()
                *command, peak = timed_import_command(args, env=env)
            else:
                *command, peak = timed_import_command(args, env=env)
                empty_answers()
                in_process.append(import_in_process(path, cycle))
            commands.append(tuple(command))
            peaks.append(peak)
            assert Answer.objects.filter(cycle__name=cycle).count() == rows
            floors.append(copy_floor(floor_rows))
            empty_answers()

        # One more run split into its stages, to show where the time goes.
        started = time.perf_counter()
        parsed = parse_responses(path.read_bytes(), lookup=org_lookup())
        validated = time.perf_counter()
        commit_times = []
        with no_rollup():
            answers_import(
                parsed.data,
                cycle_name="2025-Q1",
                replace=False,
                dry_run=False,
                committed=lambda summary, times=commit_times: times.append(time.perf_counter()),
            )
        rolled_up = time.perf_counter()
        stages = (validated - started, commit_times[0] - validated, rolled_up - commit_times[0])
        empty_answers()
        report(
            rows, startup=startup, commands=commands, in_process=in_process, floors=floors, stages=stages, peaks=peaks
        )


def floor_columns(parsed: pd.DataFrame) -> dict[str, np.ndarray]:
    from surveys.bulk import distinct
    from surveys.services.answers import _in_index_order

    return _in_index_order(parsed, cycle_id=1, raters=distinct(parsed["rater"].to_numpy()))


def report(rows: int, *, startup: float, commands, in_process, floors, stages, peaks) -> None:
    """Print the medians; `commands` and `in_process` hold (import, roll-up) seconds per run."""

    def medians(runs):
        return tuple(statistics.median(part) for part in zip(*runs, strict=True))

    def listed(runs, part):
        return ", ".join(f"{run[part]:.2f}" for run in runs)

    imported, rollup = medians(commands)
    imported -= startup
    local, local_rollup = medians(in_process)
    floor = statistics.median(floors)
    peak = max(peaks)
    verdict = "pass" if rows / imported >= TARGET_ROWS_PER_SECOND and peak <= TARGET_PEAK_RSS_MB else "FAIL"
    print(
        f"  manage.py import_responses, end to end (start-up {startup:.2f}s subtracted; "
        + ("no broker, so the roll-up runs next in the same command, which says so):" if ROLLUP else "--no-rollup):")
    )
    print(
        f"    import (read, validate, write, commit): median {imported:.2f}s of {listed(commands, 0)} - start-up; "
        f"{rows / imported:,.0f} rows/s (target {TARGET_ROWS_PER_SECOND:,}: {verdict})"
    )
    if ROLLUP:
        print(
            f"    then its roll-up: median {rollup:.2f}s of {listed(commands, 1)}; import and roll-up "
            f"{imported + rollup:.2f}s = {rows / (imported + rollup):,.0f} rows/s"
        )
    else:
        print(f"    (--no-rollup: roll-up requested from a broker, not run; Imported to exit {rollup:.2f}s)")
    print(
        f"  in-process (call_command): import median {local:.2f}s of {listed(in_process, 0)}, "
        f"{rows / local:,.0f} rows/s; roll-up {local_rollup:.2f}s of {listed(in_process, 1)}"
    )
    print("  stages (one run): read+validate {:.2f}s, write+commit {:.2f}s, roll-up {:.2f}s".format(*stages))
    print(
        f"  floor (binary COPY, unlogged, no index): median {floor:.2f}s of {', '.join(f'{t:.2f}' for t in floors)}, "
        f"{rows / floor:,.0f} rows/s; import = {imported / floor:.1f}x the floor end to end, "
        f"{local / floor:.1f}x in-process"
    )
    listed_peaks = ", ".join(f"{p:.0f}" for p in peaks)
    print(f"  peak RSS of the command: {peak:.0f} MB (of {listed_peaks}; target ≤ {TARGET_PEAK_RSS_MB})")
    print(f"  load average now {os.getloadavg()[0]:.2f}")
    figure(
        f"import_responses, {EMPLOYEES:,} people, {rows:,} rows",
        end_to_end=(
            f"{imported:.2f} s = {rows / imported:,.0f} rows/s (− start-up); "
            + (f"roll-up next {rollup:.2f} s, both {imported + rollup:.2f} s" if ROLLUP else "roll-up requested")
        ),
        in_process=f"{local:.2f} s = {rows / local:,.0f} rows/s"
        + (f"; roll-up {local_rollup:.2f} s" if ROLLUP else ""),
        floor=f"{floor:.2f} s = {rows / floor:,.0f} rows/s (binary COPY, no index)",
        ratio=f"import {imported / floor:.1f}x end to end, {local / floor:.1f}x in-process; peak RSS {peak:.0f} MB",
        target=(
            f"≥ {TARGET_ROWS_PER_SECOND:,} rows/s (import; roll-up timed apart), "
            f"RSS ≤ {TARGET_PEAK_RSS_MB} MB: {verdict}"
        ),
    )


def timed_import_command(args: list[str], *, env: dict) -> tuple[float, float, float]:
    """(import, roll-up) seconds of `python ARGS` in a fresh process: until its "Imported" line
    arrives, and from then to its exit (the roll-up it runs next without a broker); and its peak
    RSS in MB."""
    imported = import_peak = None
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors)
        for line in process.stdout:
            if imported is None and line.startswith(IMPORTED.encode()):
                imported = time.perf_counter()
                import_peak = peak_rss_mb(process.pid)
        returncode = process.wait()
        finished = time.perf_counter()
        if returncode or imported is None:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed: {errors.read().decode()[-2000:]}")
    if not ROLLUP:
        import redis

        redis.Redis.from_url(BENCH_REDIS_URL).delete(QUEUE, f"{QUEUE}.rollups")
    return imported - started, finished - imported, import_peak


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set so far (VmHWM), in MB: at the "Imported" line, the import's."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _Clock(io.StringIO):
    """An output stream noting when the command's "Imported" line was written."""

    imported: float | None = None

    def write(self, text: str) -> int:
        if self.imported is None and text.startswith(IMPORTED):
            self.imported = time.perf_counter()
        return super().write(text)


def no_rollup():
    """With --no-rollup, the import requests no roll-up (in this process it would run at once)."""
    from unittest import mock

    return nullcontext() if ROLLUP else mock.patch("surveys.services.answers._request_rollups", return_value=[])


def import_in_process(path: Path, cycle: str) -> tuple[float, float]:
    from unittest import mock

    from django.core.management import call_command

    clock = _Clock()
    started = time.perf_counter()
    with mock.patch("surveys.services.answers._request_rollups", return_value=[]) if not ROLLUP else nullcontext():
        call_command("import_responses", str(path), cycle=cycle, stdout=clock)
    finished = time.perf_counter()
    return clock.imported - started, finished - clock.imported


def empty_answers() -> None:
    """Each run starts from an empty answers table, as the first import of history does."""
    from django.db import connection

    from reports.models import CycleSummary, DepartmentResult, LinkResult, ParticipationResult, RollupRun
    from surveys.models import Answer, Cycle

    for model in (CycleSummary, DepartmentResult, LinkResult, ParticipationResult, RollupRun):
        model.objects.all().delete()
    with connection.cursor() as cursor:
        # TRUNCATE, not DELETE: 7.2 M deleted rows cost ~10 s more to delete and vacuum, and their
        # WAL set off checkpoints during the next run. Nothing references the answers.
        cursor.execute(f"TRUNCATE {Answer._meta.db_table}")
    Cycle.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Answer._meta.db_table}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="*", help="answers per file (default: 72 per person)")
    parser.add_argument("--people", type=int, default=EMPLOYEES, help="employees (default 10000; large: 100000)")
    parser.add_argument("--departments", type=int, default=DEPARTMENTS, help="departments (default 40; large: 200)")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per size, median reported (default 3)")
    parser.add_argument(
        "--no-rollup",
        action="store_true",
        help="leave the roll-up out (needs REDIS_URL: the command's request waits in the broker)",
    )
    options = parser.parse_args()
    sizes = [int(rows.replace("_", "")) for rows in options.rows]
    main(sizes, people=options.people, departments=options.departments, runs=options.runs, rollup=not options.no_rollup)
