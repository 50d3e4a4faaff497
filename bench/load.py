"""Benchmark: the last afternoon of a cycle. 2,000 employees of a 40-department company sign in and
submit full surveys (screener, ratings, submit) against gunicorn and PostgreSQL, all at once.

Builds the company in a throwaway database (`<name>_bench`), opens a cycle, starts gunicorn on a
port the system picks (127.0.0.1 only) and a load generator in a second process
(bench/_load_client.py: `--concurrency` simulated people at a time, each signing in and answering
as a browser does). Prints surveys/s, p50/p95/p99 of every step, the database connections at the
peak (pg_stat_activity, polled every 0.1 s) against the configured pool (one persistent connection
per gunicorn worker), a floor measured in the same run (/healthz, one query, at the same
concurrency) and then checks that nothing was lost or doubled: exactly one participation per
person, every answer and comment sent is in the database, no draft left.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_load .venv/bin/python bench/load.py \
        [--employees 2000] [--concurrency 24] [--workers N] [--max-seconds 900]

Bounded: stops at `--employees` surveys or `--max-seconds`, whichever comes first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import figure, require_postgres, throwaway_database

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
PASSWORD = "bench-password-1"
APP_NAME = "bench-load-web"  # names gunicorn's database sessions (PGAPPNAME)
TARGETS = {"surveys/s": 50.0, "p95 ms": 500.0}


def build_company(*, employees: int, departments: int, real_hashing: bool):
    """40 departments (the Executive Office first), `employees` people spread evenly, an open cycle."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import User
    from surveys.models import Department, Employee
    from surveys.roles import Role
    from surveys.services.cycles import cycle_open

    if not real_hashing:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    password = make_password(PASSWORD)  # one hash for all: checking it costs the same per sign-in
    units = [Department(name="Executive Office", slug="executive-office", is_executive_office=True)]
    units += [Department(name=f"Department {i:02d}", slug=f"department-{i:02d}") for i in range(1, departments)]
    units = Department.objects.bulk_create(units)
    users = User.objects.bulk_create(
        [
            User(email=f"load{i:05d}@example.com", full_name=f"Load Tester {i}", password=password)
            for i in range(employees)
        ]
    )
    Employee.objects.bulk_create(
        [
            Employee(user=user, employee_id=f"L{i:05d}", department=units[i % departments], role=Role.EMPLOYEE)
            for i, user in enumerate(users)
        ]
    )
    group = Group.objects.get(name=Role.EMPLOYEE)
    User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
    cycle = cycle_open(name="2026-Q4")
    return cycle, [{"email": user.email} for user in users]


def deployed_workers() -> int:
    """What chainsurvey/gunicorn.py starts: WEB_CONCURRENCY, else 2 × cores + 1."""
    from chainsurvey import gunicorn as deployed

    return deployed.workers


def start_gunicorn(*, workers: int, log_path: Path, real_hashing: bool) -> tuple[subprocess.Popen, str]:
    """Gunicorn as deployed (`--config python:chainsurvey.gunicorn`: sync workers, the JSON access
    log, max_requests), bound to a port the system picks; `workers` of them."""
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "CHAINSURVEY_ALLOW_CONSOLE_EMAIL": "1",  # no SMTP server; answering sends no email
        "PGAPPNAME": APP_NAME,
        "BENCH_REAL_PASSWORD_HASHING": "1" if real_hashing else "0",
        "GUNICORN_BIND": "127.0.0.1:0",
        "WEB_CONCURRENCY": str(workers),
    }
    env.pop("REDIS_URL", None)  # nothing is enqueued while people answer
    command = [
        *(sys.executable, "-m", "gunicorn", "--config", "python:chainsurvey.gunicorn", "chainsurvey.wsgi"),
        *("--backlog", "256"),
    ]
    log = open(log_path, "wb")  # noqa: SIM115 (open for the server's lifetime)
    server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if server.poll() is not None:
            sys.exit(f"gunicorn exited:\n{text}")
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        if match and text.count("Booting worker") >= workers:
            return server, match.group(1)
        time.sleep(0.2)
    server.kill()
    sys.exit(f"gunicorn did not start within 60 s:\n{log_path.read_text(errors='replace')}")


class ConnectionWatch:
    """Polls pg_stat_activity every 0.1 s on a connection of its own; keeps the peak."""

    def __init__(self, database: str):
        import psycopg
        from django.db import connection

        db = connection.settings_dict
        self.conn = psycopg.connect(
            dbname=database, user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], autocommit=True
        )
        self.peak = {"app": 0, "database": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        query = (
            "SELECT count(*) FILTER (WHERE application_name = %s), count(*)"
            " FROM pg_stat_activity WHERE datname = current_database()"
        )
        while not self._stop.wait(0.1):
            app, total = self.conn.execute(query, [APP_NAME]).fetchone()
            self.peak = {"app": max(self.peak["app"], app), "database": max(self.peak["database"], total - 1)}

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        self.conn.close()
        return self.peak


def drive(job: dict) -> dict:
    """Run the load generator as a second process; returns its results."""
    result = subprocess.run(
        [sys.executable, str(HERE / "_load_client.py")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=job["max_seconds"] + 120,
        check=False,
    )
    if result.returncode:
        sys.exit(f"the load generator failed:\n{result.stderr}")
    return json.loads(result.stdout)


def floor(base_url: str, *, concurrency: int, seconds: float) -> list[float]:
    """Round trips of /healthz (one trivial query) at the same concurrency, through the same server,
    after a warm-up round (each worker's first request loads the URLconf and views)."""
    warm_up_until = time.monotonic() + seconds
    _hammer(base_url, "/healthz", concurrency=concurrency, until=warm_up_until, timings=[])
    timings: list[float] = []
    _hammer(base_url, "/healthz", concurrency=concurrency, until=time.monotonic() + seconds, timings=timings)
    return timings


def _hammer(base_url: str, path: str, *, concurrency: int, until: float, timings: list[float]) -> None:
    import http.client

    host, port = base_url.removeprefix("http://").split(":")

    def loop():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for _ in range(10_000):  # bounded; the deadline stops it sooner
            if time.monotonic() > until:
                break
            started = time.perf_counter()
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            timings.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def ratings_page_profile(cycle, *, optional_rated: int) -> dict:
    """Where the ratings page's time goes, in-process: the median of 5 renders, split into SQL
    and the rest (view, forms and template), its queries and its size. The draft is removed after."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from surveys import selectors
    from surveys.models import Draft, Employee
    from surveys.services.survey import draft_save

    person = Employee.objects.select_related("user").order_by("pk").first()
    choices = selectors.provider_choices(employee=person)
    chosen = [p.id for p in choices.always] + [p.id for p in choices.optional][:optional_rated]
    draft_save(employee=person, cycle=cycle, providers=chosen)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(person.user)
    client.get("/survey/")  # warm: templates compiled, caches filled
    totals, sql, queries, size = [], [], 0, 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get("/survey/")
            totals.append(time.perf_counter() - started)
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries))
        queries, size = len(ctx.captured_queries), len(response.content)
    Draft.objects.filter(employee=person, cycle=cycle).delete()
    client.logout()
    total, in_sql = statistics.median(totals), statistics.median(sql)
    return {"total": total, "sql": in_sql, "queries": queries, "bytes": size, "providers": len(chosen)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def recorded_answers(cycle) -> int:
    """Answers of `cycle` in the database: in the answer table, and still sealed in ballots that
    wait for their batch (a department's last few, fewer than the group size, move at the close)."""
    from django.db.models import Sum
    from django.db.models.expressions import Func

    from surveys.models import Answer, Ballot

    sealed = Ballot.objects.filter(cycle=cycle).aggregate(n=Sum(Func("answers", function="jsonb_array_length")))["n"]
    return Answer.objects.filter(cycle=cycle).count() + (sealed or 0)


def recorded_comments(cycle) -> int:
    from django.db.models import Sum
    from django.db.models.expressions import Func

    from surveys.models import Ballot, Comment

    sealed = Ballot.objects.filter(cycle=cycle).aggregate(n=Sum(Func("comments", function="jsonb_array_length")))["n"]
    return Comment.objects.filter(cycle=cycle).count() + (sealed or 0)


def verify(cycle, *, employees: int, results: dict) -> list[str]:
    """Nothing lost, nothing doubled; returns the problems found."""
    from django.db.models import Count

    from surveys.models import Draft, Participation

    problems = []
    participations = Participation.objects.filter(cycle=cycle)
    if participations.count() != employees:
        problems.append(f"{participations.count()} participations, expected {employees}")
    doubled = participations.values("employee").annotate(n=Count("id")).filter(n__gt=1).count()
    if doubled:
        problems.append(f"{doubled} people have more than one participation")
    if recorded_answers(cycle) != results["answers"]:
        problems.append(f"{recorded_answers(cycle)} answers recorded, {results['answers']} sent")
    comments = recorded_comments(cycle)
    if comments != results["comments"]:
        problems.append(f"{comments} comments recorded, {results['comments']} sent")
    if Draft.objects.filter(cycle=cycle).exists():
        problems.append(f"{Draft.objects.filter(cycle=cycle).count()} drafts left behind")
    return problems


def report(args, results: dict, floor_timings: list[float], peak: dict, problems: list[str], profile: dict) -> int:
    rate = results["done"] / results["wall"] if results["wall"] else 0.0
    every = [t for values in results["timings"].values() for t in values]
    p95_all = percentile(every, 95) * 1000
    load = os.getloadavg()
    print(f"\n{results['done']} surveys in {results['wall']:.1f} s: **{rate:.1f} surveys/s** (target ≥ 50)")
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores, shared)")
    print("\n| step | requests | p50 ms | p95 ms | p99 ms | p50 / floor |")
    print("| --- | --- | --- | --- | --- | --- |")
    floor_p50 = percentile(floor_timings, 50)
    for name, values in results["timings"].items():
        print(
            f"| {name} | {len(values)} | {percentile(values, 50) * 1000:.0f} | {percentile(values, 95) * 1000:.0f}"
            f" | {percentile(values, 99) * 1000:.0f} | {percentile(values, 50) / floor_p50:.1f}x |"
        )
    print(
        f"| floor: /healthz | {len(floor_timings)} | {floor_p50 * 1000:.0f}"
        f" | {percentile(floor_timings, 95) * 1000:.0f}"
        f" | {percentile(floor_timings, 99) * 1000:.0f} | 1.0x |"
    )
    print(
        f"| **every request** | {len(every)} | {percentile(every, 50) * 1000:.0f} | **{p95_all:.0f}** | "
        f"{percentile(every, 99) * 1000:.0f} | |"
    )
    print(
        f"\nratings page in-process, before the load ({profile['providers']} departments to rate): "
        f"{profile['total'] * 1000:.0f} ms, of which SQL {profile['sql'] * 1000:.0f} ms"
        f" in {profile['queries']} queries, "
        f"the rest view, forms and template; {profile['bytes'] / 1024:.0f} KB of HTML"
    )
    print(
        f"\ndatabase connections at the peak: {peak['app']} from gunicorn (configured pool: {args.workers} workers"
        f" × 1 persistent connection), {peak['database']} on the database in all"
    )
    if results["errors"]:
        print(f"\n{len(results['errors'])} surveys failed, e.g.:\n  " + "\n  ".join(results["errors"][:5]))
    print("\nchecks afterwards: " + ("nothing lost or doubled" if not problems else "; ".join(problems)))
    verdicts = {
        "surveys/s": rate >= TARGETS["surveys/s"],
        "p95 < 500 ms": p95_all < TARGETS["p95 ms"],
        "connections ≤ pool": peak["app"] <= args.workers,
        "nothing lost": not problems and not results["errors"] and not results["timed_out"],
    }
    print("targets: " + ", ".join(f"{name}: {'pass' if ok else 'FAIL'}" for name, ok in verdicts.items()))
    figure(
        f"the survey: {results['done']:,} people, {args.concurrency} at once (gunicorn as deployed)",
        end_to_end=f"{rate:.1f} surveys/s, p95 {p95_all:.0f} ms",
        in_process=f"ratings page {profile['total'] * 1000:.0f} ms",
        floor=f"/healthz p50 {floor_p50 * 1000:.0f} ms, same concurrency",
        ratio=f"every request's p50 {percentile(every, 50) / floor_p50:.1f}x the floor's",
        target=f"≥ {TARGETS['surveys/s']:g} surveys/s, nothing lost: "
        + ("pass" if verdicts["surveys/s"] and verdicts["nothing lost"] else "FAIL"),
    )
    return 0 if verdicts["nothing lost"] and verdicts["connections ≤ pool"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--optional-rated", type=int, default=8, help="departments ticked in the screener")
    parser.add_argument("--concurrency", type=int, default=24, help="people answering at the same moment")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn sync workers (default: as deployed, chainsurvey/gunicorn.py)",
    )
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument(
        "--real-password-hashing", action="store_true", help="check passwords with the production hasher"
    )
    args = parser.parse_args()
    require_postgres("bench/load.py")
    args.workers = args.workers or deployed_workers()

    from django.db import connection

    with throwaway_database():
        started = time.perf_counter()
        cycle, people = build_company(
            employees=args.employees, departments=args.departments, real_hashing=args.real_password_hashing
        )
        built = time.perf_counter() - started
        print(f"company of {args.employees} people in {args.departments} departments built in {built:.1f} s")
        profile = ratings_page_profile(cycle, optional_rated=args.optional_rated)
        log_path = Path(f"/tmp/bench-load-gunicorn-{os.getpid()}.log")
        server, base_url = start_gunicorn(
            workers=args.workers, log_path=log_path, real_hashing=args.real_password_hashing
        )
        try:
            floor_timings = floor(base_url, concurrency=args.concurrency, seconds=3)
            watch = ConnectionWatch(connection.settings_dict["NAME"])
            job = {
                "base_url": base_url,
                "people": people,
                "password": PASSWORD,
                "concurrency": args.concurrency,
                "optional_rated": args.optional_rated,
                "comment_rate": 0.05,
                "max_seconds": args.max_seconds,
            }
            results = drive(job)
            peak = watch.stop()
        finally:
            server.terminate()
            server.wait(timeout=30)
        connection.close()
        problems = verify(cycle, employees=results["done"], results=results)
        if results["done"] != args.employees:
            problems.insert(0, f"{results['done']} of {args.employees} surveys completed")
        return report(args, results, floor_timings, peak, problems, profile)


if __name__ == "__main__":
    sys.exit(main())
