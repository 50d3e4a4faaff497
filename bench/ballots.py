"""Benchmark: the ballot box's batch move of 5 submissions against one submission, on PostgreSQL.

In a throwaway database (`<name>_bench`), an org of 40 departments; each submission rates 12
providers (84 answers) with 3 comments, as in bench/survey_submit.py. Per run it times N
submissions (the POST /survey/ request through Django's test client, and the `survey_submit`
service with its after-commit check), then N/5 batch moves of 5 sealed submissions each
(`ballots_move`: 420 answers and 15 comments in shuffled order, the ballots deleted, committed).
The floor is one bare multi-row INSERT of the same 420 answers, committed. 3 runs; medians.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_ballots .venv/bin/python bench/ballots.py [-n 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import require_postgres, throwaway_database
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from survey_submit import RATED, build_org, providers_for, time_service, time_view

RUNS = 3
BATCH = 5
NEVER = 32767  # a minimum group size no department reaches: submissions seal and nothing moves


def seal(people, cycle, providers, count) -> None:
    for _ in range(count):
        time_service(next(people), cycle, providers)


def time_batch(cycle) -> tuple[float, int]:
    from surveys.services.ballots import ballots_move

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        moved = ballots_move(cycle_id=cycle.pk)
        elapsed = time.perf_counter() - start
    assert moved == BATCH, moved
    return elapsed, len(ctx)


def time_floor(cycle, home, providers) -> float:
    """One bare INSERT of a batch's answers (5 x 84), committed: what the database alone costs."""
    from surveys.models import Answer, Dimension

    dims = list(Dimension.objects.values_list("id", flat=True))
    rows = [
        (cycle.id, 10**12 + time.perf_counter_ns() + r, home.id, p.id, d, 3)
        for r in range(BATCH)
        for p in providers
        for d in dims
    ]
    sql = (
        f"INSERT INTO {Answer._meta.db_table} (cycle_id, respondent, rater_department_id, "
        "provider_department_id, dimension_id, score) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    )
    params = [v for row in rows for v in row]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return time.perf_counter() - start


def set_group_size(cycle, size) -> None:
    cycle.min_group_size = size
    cycle.save(update_fields=["min_group_size"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=40, help="submissions per run, a multiple of 5 (default 40)")
    args = parser.parse_args()
    n = max(BATCH, args.n - args.n % BATCH)
    require_postgres("bench/ballots.py")
    setup_test_environment(debug=False)
    with throwaway_database():
        eo, home, others, employees, cycle = build_org(RUNS * n * 3 + 8)
        people = iter(employees)
        providers = providers_for(eo, home, others, RATED)
        client = Client()
        set_group_size(cycle, NEVER)
        time_view(client, next(people), cycle, providers)  # warm-up: templates, URL conf, caches

        view_runs, submit_runs, batch_runs, floor_runs = [], [], [], []
        for _ in range(RUNS):
            set_group_size(cycle, NEVER)
            view_runs.append(statistics.median(time_view(client, next(people), cycle, providers)[0] for _ in range(n)))
            submit_runs.append(statistics.median(time_service(next(people), cycle, providers)[0] for _ in range(n)))
            with connection.cursor() as cursor:  # the runs' submissions so far are not part of a batch
                cursor.execute("DELETE FROM surveys_ballot")
            batches = []
            for _ in range(n // BATCH):
                seal(people, cycle, providers, BATCH)
                set_group_size(cycle, BATCH)
                batches.append(time_batch(cycle)[0])
                set_group_size(cycle, NEVER)
            batch_runs.append(statistics.median(batches))
            floor_runs.append(statistics.median(time_floor(cycle, home, providers) for _ in range(n // BATCH)))
        seal(people, cycle, providers, BATCH)
        set_group_size(cycle, BATCH)
        _, batch_queries = time_batch(cycle)

        report(n, batch_queries, view_runs, submit_runs, batch_runs, floor_runs)


def report(n, batch_queries, view_runs, submit_runs, batch_runs, floor_runs) -> None:
    ms = {name: statistics.median(v) * 1000 for name, v in (("view", view_runs), ("submit", submit_runs))}
    ms |= {"batch": statistics.median(batch_runs) * 1000, "floor": statistics.median(floor_runs) * 1000}

    def runs(values):
        return ", ".join(f"{v * 1000:.1f}" for v in values)

    print(f"Database: {connection.vendor}; {n} submissions and {n // BATCH} batches per run, {RUNS} runs.")
    print(f"A submission rates {RATED} providers: {RATED * 7} answers and 3 comments.\n")
    print("| measure | median of 3 runs | per-run medians (ms) |")
    print("| --- | --- | --- |")
    print(f"| one submission: POST /survey/, whole request | {ms['view']:.1f} ms | {runs(view_runs)} |")
    print(
        f"| one submission: survey_submit service + after-commit check | {ms['submit']:.1f} ms | {runs(submit_runs)} |"
    )
    print(
        f"| batch move of {BATCH} submissions ({BATCH * RATED * 7} answers, {BATCH * 3} comments; "
        f"{batch_queries} queries) | {ms['batch']:.1f} ms | {runs(batch_runs)} |"
    )
    print(f"| floor: one bare INSERT of the batch's answers, committed | {ms['floor']:.1f} ms | {runs(floor_runs)} |")
    print()
    for label, key in (("one POST /survey/", "view"), ("one survey_submit", "submit")):
        ratio = ms["batch"] / ms[key]
        print(f"Batch of {BATCH} / {label}: {ratio:.2f}x ({'less' if ratio < 1 else 'MORE'} than one submission)")
    print(f"Batch / floor: {ms['batch'] / ms['floor']:.2f}x")
    print(f"Load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (figures and floor share it)")


if __name__ == "__main__":
    main()
