"""Dashboard and department page benchmark: a 40-department company with 8 published cycles, served
by gunicorn as deployed (chainsurvey/gunicorn.py, DJANGO_DEBUG=0, persistent database connections) on
loopback.

For each page it prints requests/s, p50 and p99 latency under a bounded load (`wrk`, 16
connections, 2 threads, DURATION seconds each; without wrk, a small threaded Python client), the
page's size and its heatmap JSON size, and its query counts (uncached and cached, measured
in-process); next to the same load on `/healthz` (one `SELECT 1`) measured in the same run as the
ceiling. Also in-process: the time to build a page's body (uncached) and to serve it cached.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_dash .venv/bin/python bench/pages.py [--duration 10] [--reuse]

Works in a throwaway database `<name>_bench` (kept only with --reuse). BENCH_GUNICORN_ARGS adds
gunicorn options (e.g. "--worker-class gthread --threads 4") to compare worker models. Runs `collectstatic` into
STATIC_ROOT, as a deployment would (DEBUG off serves hashed static names).
"""

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from _common import figure, require_postgres, throwaway_database
from django.conf import settings
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from surveys.roles import Role

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS, THREADS = 16, 2
BAR_RPS, BAR_P99_MS, BAR_RATIO = 1000, 50, 0.70  # issue 22, for the 40-department company
EXTRA = os.environ.get("BENCH_GUNICORN_ARGS", "").split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(departments: int, cycles: int) -> dict:
    """The snapshot the measured pages read: scorecard rows and the company line of every cycle,
    links (every dimension) of the latest cycle only, which both pages show; earlier cycles' links
    are read by no page measured here (their trends come from the scorecard rows), and writing them
    took eight times as long (165 s at 200 departments)."""
    sys.path.insert(0, str(ROOT))
    from tests.reports.snapshots import build_company

    started = time.perf_counter()
    built = build_company(departments=departments, cycles=cycles, hidden_share=0.2)
    print(f"built {departments} departments × {cycles} cycles in {time.perf_counter() - started:.1f} s", flush=True)
    return built


def person(email: str, department, role: str):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from surveys.models import Employee

    Employee.objects.filter(employee_id=email).delete()  # from an earlier run with --reuse
    User.objects.filter(email=email).delete()
    user = User.objects.create_user(email=email, full_name=email.split("@")[0], password=None)
    user.groups.set([Group.objects.get(name=role)])
    Employee.objects.create(user=user, employee_id=email, department=department, role=role)
    return user


def session_cookie(user, url: str) -> str:
    """The cookies a signed-in browser sends: the session's, and the CSRF cookie it was given with
    its first page (without it, each request would make a new CSRF secret and set its cookie)."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    assert client.get(url).status_code == 200
    return "; ".join(
        f"{name}={client.cookies[name].value}" for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    )


def in_process(user, url: str, gz: bool) -> dict:
    """Query counts and times through Django's test client: uncached (cache cleared) and cached;
    with `gz`, asking as browsers do (Accept-Encoding: gzip)."""
    client = Client(HTTP_HOST="127.0.0.1", **({"HTTP_ACCEPT_ENCODING": "gzip"} if gz else {}))
    client.force_login(user)
    cache.clear()
    reset_queries()  # the test client resets the query log at each request start: begin empty
    with CaptureQueriesContext(connection) as uncached:
        started = time.perf_counter()
        response = client.get(url)
        build_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    # captured_queries reads the connection's log lazily: count before the next request resets it.
    queries_uncached = len(uncached.captured_queries)
    reset_queries()
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    queries_cached = len(cached.captured_queries)
    times = []
    for _ in range(50):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    sent = response.content
    body = (gzip.decompress(sent) if response.get("Content-Encoding") == "gzip" else sent).decode()
    found = re.search(r'<script id="heatmap-data" type="application/json">(.*?)</script>', body, flags=re.S)
    more_kb = 0.0
    if found:
        more_kb = len(client.get(json.loads(found.group(1))["more"]).content) / 1024
    return {
        "more_kb": more_kb,
        "queries_uncached": queries_uncached,
        "queries_cached": queries_cached,
        "build_ms": build_ms,
        "cached_ms": statistics.median(times),
        "page_kb": len(body.encode()) / 1024,
        "sent_kb": len(sent) / 1024,
        "heatmap_kb": len(found.group(1).encode()) / 1024 if found else 0.0,
    }


def server_env(database_url: str) -> dict:
    """Production-like settings; the bench's own secret key, so that its session cookies are valid."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CHAINSURVEY_ALLOW_CONSOLE_EMAIL": "1",  # no SMTP server; the pages measured send no email
    }
    env.pop("REDIS_URL", None)  # /healthz then pings the database only: the floor is one SELECT 1
    return env


def collectstatic(database_url: str) -> None:
    """As a deployment does: hashed, compressed static files (DEBUG off serves those)."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, cwd=ROOT, env=server_env(database_url), check=True, timeout=600)


def start_gunicorn(port: int, database_url: str, workers: int | None) -> subprocess.Popen:
    """Gunicorn as deployed (`--config python:chainsurvey.gunicorn`: sync workers, 2 × cores + 1 of
    them unless WEB_CONCURRENCY or --workers says otherwise, the JSON access log on stdout, here
    discarded) on a loopback port."""
    env = {**server_env(database_url), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "--config", "python:chainsurvey.gunicorn", "chainsurvey.wsgi", *EXTRA]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def wrk(url: str, headers: dict, duration: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(THREADS),
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{duration}s",
            "--latency",
            *(option for name, value in headers.items() for option in ("-H", f"{name}: {value}")),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout

    def latency(label):
        found = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
        if not found:
            return float("nan")
        value, unit = found.groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    served = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    kinds = {"non-2xx/3xx": int(errors.group(1)) if errors else 0}
    if socket_errors:
        kinds.update(zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True))
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "requests": int(served.group(1)) if served else 0,
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": sum(kinds.values()),
        "kinds": ", ".join(f"{kind} {n}" for kind, n in kinds.items() if n),
        "note": "" if rate and float(rate.group(1)) > 0 else " / ".join(output.strip().splitlines()[-4:]),
    }


def python_load(url: str, headers: dict, duration: int, *, timeout: float = 10) -> dict:
    """Fallback without wrk (and the warm-up): CONNECTIONS clients in threads, each sending
    requests one after the other until `duration` has passed; each waits for its last answer (up
    to `timeout`), so that no request is left running in the server when this returns."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    latencies, errors, stop = [], [0], time.monotonic() + duration

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", parts.path, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50": float("nan"), "p99": float("nan"), "errors": errors[0], "note": "no answer"}
    return {
        "rps": len(latencies) / (time.monotonic() - started),
        "requests": len(latencies),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99)],
        "errors": errors[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all pages, alternating (default 3)")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the throwaway database")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: as deployed, chainsurvey/gunicorn.py)"
    )
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    require_postgres("bench/pages.py")
    load = wrk if shutil.which("wrk") else python_load
    print(f"load generator: {'wrk' if load is wrk else 'threaded Python client (wrk not installed)'}", flush=True)

    with throwaway_database(keep=args.reuse):
        from reports.models import LinkResult

        if not LinkResult.objects.exists():
            build(args.departments, args.cycles)
        from surveys.models import Cycle, Department

        latest = Cycle.objects.order_by("-name").first()
        first_unit = Department.objects.exclude(is_executive_office=True).order_by("name").first()
        executive = person("bench-exec@example.com", first_unit, Role.EXECUTIVE)
        manager = person("bench-manager@example.com", first_unit, Role.MANAGER)
        department_url = f"/reports/{latest.name}/departments/{first_unit.slug}/"
        # Each page twice: as wrk asks by default (no Accept-Encoding: the plain page) and as every
        # browser asks (Accept-Encoding: gzip: the page served compressed).
        pages = {
            "/healthz": (None, "/healthz", False),
            "dashboard": (executive, "/reports/", False),
            "dashboard gz": (executive, "/reports/", True),
            "department": (manager, department_url, False),
            "department gz": (manager, department_url, True),
        }
        figures = {name: in_process(user, url, gz) for name, (user, url, gz) in pages.items() if user}

        database_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
        collectstatic(database_url)
        port = free_port()
        server = start_gunicorn(port, database_url, args.workers)
        try:
            headers = {}
            for name, (user, url, gz) in pages.items():
                headers[name] = {"Cookie": session_cookie(user, url) if user else "none=1"}
                if gz:
                    headers[name]["Accept-Encoding"] = "gzip"
            warm_up(port, pages, headers)
            cpu = ServerCpu(server)
            # Rounds alternate the pages, so that a change in the machine's load hits them all alike.
            rounds = [
                {
                    name: measured(load, cpu, f"http://127.0.0.1:{port}{url}", headers[name], args.duration)
                    for name, (_, url, _) in pages.items()
                }
                for _ in range(args.rounds)
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
        return report(rounds, figures, args)


class ServerCpu:
    """CPU seconds used by the server's side of a load: the gunicorn workers and their database
    backends (PostgreSQL processes connected to the bench database). Unlike req/s, a request's CPU
    barely moves with what else loads the machine: the figure to compare pages by when it is shared."""

    def __init__(self, server: subprocess.Popen):
        self.server = server

    def _pids(self) -> dict[int, str]:
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            backends = [pid for (pid,) in cursor.fetchall()]
        return {**{int(pid): "worker" for pid in children}, **dict.fromkeys(backends, "database")}

    def sample(self) -> dict[int, tuple[str, float, float]]:
        """Per process: (worker or database, user seconds, system seconds)."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for pid, kind in self._pids().items():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone (a worker replaced, a backend closed)
            used[pid] = (kind, int(fields[11]) / ticks, int(fields[12]) / ticks)
        return used

    @staticmethod
    def between(before: dict, after: dict) -> dict[str, float]:
        """Seconds used between two samples by the processes in both (a process gone in between is
        not counted: with max_requests 20,000 no worker is replaced during a run): the workers'
        user and system time, the database backends' time."""
        used = {"worker user": 0.0, "worker system": 0.0, "database": 0.0}
        for pid in after.keys() & before.keys():
            kind, user, system = after[pid]
            user, system = user - before[pid][1], system - before[pid][2]
            if kind == "worker":
                used["worker user"] += user
                used["worker system"] += system
            else:
                used["database"] += user + system
        return used


def measured(load, cpu: ServerCpu, url: str, headers: dict, duration: int) -> dict:
    """One load with the server's CPU per request beside it (and its parts)."""
    before = cpu.sample()
    result = load(url, headers, duration)
    used = cpu.between(before, cpu.sample())
    served = result.get("requests") or float("nan")
    result["cpu_parts"] = {part: seconds * 1000 / served for part, seconds in used.items()}
    result["cpu_ms"] = sum(result["cpu_parts"].values())
    return result


def warm_up(port: int, pages: dict, headers: dict) -> None:
    """Every worker builds and caches each page before anything is measured.

    The warm-up was 2 s of wrk per page. With a page that takes seconds to build uncached (the
    200-department dashboard: 3 s in-process, more with 5 workers building at once on 2 cores), wrk
    left after 2 s with its requests unanswered, and the workers went on building for the next
    load: round 1's /healthz then served nothing or timed out (0 req/s or 16 timeouts), a bench
    artefact. Now the clients wait for every answer (up to 120 s): 16 connections at once reach
    every one of the workers (a busy sync worker accepts nothing), so each builds the page; an
    error here fails the run."""
    started = time.perf_counter()
    for name, (_, url, _) in pages.items():
        result = python_load(f"http://127.0.0.1:{port}{url}", headers[name], 2, timeout=120)
        if result["errors"] or not result["rps"]:
            raise SystemExit(f"warm-up: {name} answered {result['errors']} errors ({result.get('note', '')})")
    print(f"warm-up (every page cached in every worker): {time.perf_counter() - started:.1f} s", flush=True)


def _ratio(page: dict, ceiling: dict) -> float | None:
    """A page's req/s over /healthz's in the same round; None when /healthz served nothing then."""
    return page["rps"] / ceiling["rps"] if ceiling["rps"] > 0 else None


def report(rounds: list[dict], figures: dict, args) -> int:
    """The median round of each page (by req/s), and each page's req/s over /healthz's in the same
    round (median of the rounds where /healthz served anything). Non-zero when a round's /healthz
    served nothing or a page answered with errors: those figures mean nothing."""
    from chainsurvey import gunicorn as deployed

    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY", deployed.workers))
    print(
        f"\n{args.departments} departments, {args.cycles} cycles; gunicorn as deployed ({workers} sync workers), "
        f"DEBUG off; {CONNECTIONS} connections, {args.duration} s per page, {len(rounds)} rounds; "
        f"load average {args.load_before:.1f} → {os.getloadavg()[0]:.1f}"
    )
    header = f"{'page':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs /healthz':>13}"
    header += f"{'CPU ms/req':>12}{'CPU vs /healthz':>17}"
    header += f"{'queries':>10}{'build ms':>10}{'cached ms':>11}{'page KB':>9}{'sent KB':>9}{'heatmap KB':>12}"
    print(header)
    failures = []
    for index, r in enumerate(rounds, 1):
        if r["/healthz"]["rps"] <= 0:
            failures.append(
                f"round {index}: /healthz served no request ({r['/healthz']['errors']} errors; "
                f"wrk said: {r['/healthz'].get('note') or 'nothing'})"
            )
        failures += [
            f"round {index}: {name} answered {x['errors']} errors ({x.get('kinds') or 'non-200'})"
            for name, x in r.items()
            if x["errors"]
        ]
    verdicts, closing = [], []
    for name in rounds[0]:
        runs = sorted((r[name] for r in rounds), key=lambda r: r["rps"])
        r = runs[len(runs) // 2]
        ratios = [x for x in (_ratio(x[name], x["/healthz"]) for x in rounds) if x is not None]
        ratio = f"{statistics.median(ratios):>12.0%} " if ratios else f"{'n/a':>12} "
        if name != "/healthz":
            met = r["rps"] >= BAR_RPS and r["p99"] < BAR_P99_MS and ratios and statistics.median(ratios) >= BAR_RATIO
            verdicts.append(f"{name}: {'met' if met else 'not met'}")
            ceiling = sorted((x["/healthz"] for x in rounds), key=lambda x: x["rps"])[len(rounds) // 2]
            closing.append(
                {
                    "what": f"{name} page, {args.departments} departments (gunicorn as deployed, wrk)",
                    "end_to_end": f"{r['rps']:.0f} req/s, p99 {r['p99']:.0f} ms",
                    "in_process": "-",
                    "floor": f"/healthz {ceiling['rps']:.0f} req/s, p99 {ceiling['p99']:.0f} ms",
                    "ratio": f"{statistics.median(ratios):.0%} of /healthz" if ratios else "n/a",
                    "target": f"≥ {BAR_RPS:,} req/s, p99 < {BAR_P99_MS} ms, ≥ {BAR_RATIO:.0%}: "
                    + ("pass" if met else "FAIL"),
                }
            )
        line = f"{name:<14}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}{ratio}"
        cpu = statistics.median(x[name].get("cpu_ms", float("nan")) for x in rounds)
        ceiling_cpu = statistics.median(x["/healthz"].get("cpu_ms", float("nan")) for x in rounds)
        line += f"{cpu:>12.2f}{ceiling_cpu / cpu:>16.0%} "
        f = figures.get(name)
        if f:
            line += f"{f['queries_uncached']:>5}/{f['queries_cached']:<4}{f['build_ms']:>10.0f}{f['cached_ms']:>11.1f}"
            line += f"{f['page_kb']:>9.0f}{f['sent_kb']:>9.0f}{f['heatmap_kb']:>12.1f}"
        print(line)
    for index, r in enumerate(rounds, 1):
        print(
            f"round {index}: "
            + ", ".join(
                f"{name} {x['rps']:.0f} req/s (p99 {x['p99']:.0f} ms, {x.get('cpu_ms', float('nan')):.2f} CPU ms)"
                for name, x in r.items()
            )
        )
    print(
        "(queries: uncached/cached, in-process; page KB: the page, sent KB: what was sent (gz: gzip); "
        "'gz' rows ask with Accept-Encoding: gzip, as browsers do; CPU ms/req: the gunicorn workers' and their "
        "database backends' CPU per request served, median of the rounds; CPU vs /healthz: /healthz's over the page's)"
    )
    print(f"bar (≥ {BAR_RPS:,} req/s, p99 < {BAR_P99_MS} ms, ≥ {BAR_RATIO:.0%} of /healthz): " + "; ".join(verdicts))
    for line in closing:
        figure(**line)
    print("CPU ms per request, median of the rounds (workers user + system, their database backends):")
    for name in rounds[0]:
        parts = {p: statistics.median(x[name]["cpu_parts"][p] for x in rounds) for p in rounds[0][name]["cpu_parts"]}
        print(f"  {name:<14}" + ", ".join(f"{p} {ms:.2f}" for p, ms in parts.items()))
    more = figures.get("dashboard", {}).get("more_kb")
    if more:
        print(f"heatmap.json (the six dimensions, fetched on the first switch): {more:.0f} KB")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
