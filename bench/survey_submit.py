"""Benchmark: submitting a full survey through /survey/ (and the service alone), against a floor.

Creates a throwaway database (test settings name `bench_<NAME>`), an org of 40 departments and a
few hundred employees, then times N submissions per run, 3 runs, rating 12 providers (and once
rating 40). The floor, measured in the same run, is one bare multi-row INSERT of the same answers
in its own transaction. Prints a Markdown table for bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_survey .venv/bin/python bench/survey_submit.py [-n 40]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

DEPARTMENTS = 40
RATED = 12
RUNS = 3


def build_org(employees_needed: int):
    from accounts.models import User
    from surveys.models import Cycle, Department, Employee

    eo = Department.objects.create(name="Executive Office", slug="executive-office", is_executive_office=True)
    others = Department.objects.bulk_create(
        [Department(name=f"Department {i:02d}", slug=f"department-{i:02d}") for i in range(1, DEPARTMENTS)]
    )
    home = others[0]
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.com", full_name=f"Bench {i}", password="!") for i in range(employees_needed)]
    )
    employees = Employee.objects.bulk_create(
        [Employee(user=u, employee_id=f"B{i:05d}", department=home) for i, u in enumerate(users)]
    )
    cycle = Cycle.objects.create(
        name="2026-Q4",
        status=Cycle.Status.OPEN,
        opens_at=timezone.now(),
        closes_on=timezone.localdate() + datetime.timedelta(days=21),
    )
    return eo, home, others, employees, cycle


def post_data(cycle, draft, providers, with_comments=3):
    from surveys.dimensions import COMMENT, EXPECTATION, SERVICE_DIMENSIONS, field_name

    # confirm=1: the confirmation page's POST, the one that submits.
    data = {"cycle": cycle.name, "draft": str(draft.pk), "action": "submit", "confirm": "1"}
    for n, dep in enumerate(providers):
        for k, slug in enumerate(SERVICE_DIMENSIONS):
            data[field_name(dep.id, slug)] = str(1 + (n + k) % 5)
        data[field_name(dep.id, EXPECTATION)] = "4"
        if n < with_comments:
            data[field_name(dep.id, COMMENT)] = "Quick and friendly, but updates came late."
    return data


def providers_for(eo, home, others, count):
    # Executive Office, own management, then other departments up to `count` providers.
    return [eo, home, *others[1 : count - 1]]


def time_view(client, employee, cycle, providers) -> tuple[float, int]:
    from surveys.models import Draft

    draft = Draft.objects.create(employee=employee, cycle=cycle, providers=[p.id for p in providers])
    data = post_data(cycle, draft, providers)
    client.force_login(employee.user)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        # As a browser sends a form without files: urlencoded, not the test client's multipart.
        response = client.post("/survey/", urlencode(data), content_type="application/x-www-form-urlencoded")
        elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.content[:2000]
    return elapsed, len(ctx)


def time_page(client, employee, cycle, providers) -> tuple[float, int, int]:
    """GET /survey/ with a draft of `providers`: (seconds, bytes of HTML, queries)."""
    from surveys.models import Draft

    Draft.objects.get_or_create(employee=employee, cycle=cycle, defaults={"providers": [p.id for p in providers]})
    client.force_login(employee.user)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get("/survey/")
        elapsed = time.perf_counter() - start
    assert response.status_code == 200 and b"survey-section" in response.content, response.content[:2000]
    return elapsed, len(response.content), len(ctx)


def time_page_floor(client) -> float:
    """The same request stack (sessions, sign-in, CSP, WhiteNoise) serving /healthz: one query, tiny body."""
    start = time.perf_counter()
    response = client.get("/healthz")
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return elapsed


def time_page_over_http(client, employee, cycle, providers, n: int) -> tuple[list[float], list[float]]:
    """GET /survey/ and the /healthz floor over HTTP from `manage.py runserver` in a fresh process on a
    free loopback port, signed in with a session made here: (page seconds, floor seconds), n each."""
    import socket
    import subprocess
    import urllib.request

    from _common import ROOT, command_env
    from django.conf import settings

    from surveys.models import Draft

    Draft.objects.get_or_create(employee=employee, cycle=cycle, defaults={"providers": [p.id for p in providers]})
    client.force_login(employee.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # As in production (DEBUG off), but plain HTTP on loopback: no redirect to HTTPS.
    env = command_env(
        connection.settings_dict["NAME"],
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # the session made here must be valid there
        DJANGO_SECURE_SSL_REDIRECT="0",
        CHAINSURVEY_ALLOW_CONSOLE_EMAIL="1",  # no SMTP server; submitting sends no email
    )
    # DEBUG off serves hashed static file names from the manifest: build it, as a deploy does.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(path: str) -> float:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        elapsed = time.perf_counter() - start
        assert response.status == 200 and (path != "/survey/" or b"survey-section" in body), body[:500]
        return elapsed

    try:
        for _ in range(300):  # until it answers, at most 30 s
            try:
                get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        get("/survey/")  # warm: templates, URLconf
        return [get("/survey/") for _ in range(n)], [get("/healthz") for _ in range(n)]
    finally:
        server.terminate()
        server.wait(timeout=20)


def time_service(employee, cycle, providers) -> tuple[float, int]:
    from surveys.dimensions import EXPECTATION, SERVICE_DIMENSIONS
    from surveys.models import Draft
    from surveys.services.survey import ProviderResponse, survey_submit

    draft = Draft.objects.create(employee=employee, cycle=cycle, providers=[p.id for p in providers])
    responses = [
        ProviderResponse(
            provider_id=p.id,
            scores={**{slug: 1 + (n + k) % 5 for k, slug in enumerate(SERVICE_DIMENSIONS)}, EXPECTATION: 4},
            comment="Quick and friendly, but updates came late." if n < 3 else "",
        )
        for n, p in enumerate(providers)
    ]
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        survey_submit(employee=employee, draft=draft, responses=responses)
        elapsed = time.perf_counter() - start
    return elapsed, len(ctx)


def time_floor(cycle, home, providers) -> float:
    """One bare multi-row INSERT of the same answers, committed: what the database alone costs."""
    from surveys.models import Answer, Dimension

    dims = list(Dimension.objects.values_list("id", flat=True))
    rows = [(cycle.id, 10**12 + time.perf_counter_ns(), home.id, p.id, d, 3) for p in providers for d in dims]
    table = Answer._meta.db_table
    sql = (
        f"INSERT INTO {table} (cycle_id, respondent, rater_department_id, provider_department_id, dimension_id, "
        f"score) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    )
    params = [v for row in rows for v in row]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return time.perf_counter() - start


def report_page(page_runs, page_floor_runs, http_runs, http_floor_runs, page_bytes, queries) -> None:
    from _common import figure

    page_ms = statistics.median(page_runs) * 1000
    floor_ms = statistics.median(page_floor_runs) * 1000
    fmt = ", ".join
    print(f"\nThe ratings page, {RATED} departments: {page_bytes / 1000:.1f} KB of HTML, {queries} queries.\n")
    print("| measure | median of 3 runs | per-run medians |")
    print("| --- | --- | --- |")
    print(f"| GET /survey/ in-process (server time) | {page_ms:.1f} ms | {fmt(f'{v * 1000:.1f}' for v in page_runs)} |")
    print(f"| floor: GET /healthz in-process | {floor_ms:.1f} ms | {fmt(f'{v * 1000:.1f}' for v in page_floor_runs)} |")
    http = "-"
    if http_runs:
        http_ms, http_floor_ms = statistics.median(http_runs) * 1000, statistics.median(http_floor_runs) * 1000
        http = f"{http_ms:.1f} ms over HTTP (floor /healthz {http_floor_ms:.1f} ms)"
        print(
            f"| GET /survey/ over HTTP (runserver) | {http_ms:.1f} ms | {fmt(f'{v * 1000:.1f}' for v in http_runs)} |"
        )
        print(
            f"| floor: GET /healthz over HTTP | {http_floor_ms:.1f} ms | "
            f"{fmt(f'{v * 1000:.1f}' for v in http_floor_runs)} |"
        )
    verdict = "pass" if page_ms <= 30 and page_bytes <= 80_000 else "FAIL"
    figure(
        f"survey ratings page, {RATED} departments",
        end_to_end=http,
        in_process=f"{page_ms:.1f} ms, {page_bytes / 1000:.1f} KB, {queries} queries",
        floor=f"{floor_ms:.1f} ms (/healthz in-process)",
        ratio=f"{page_ms / floor_ms:.0f}x",
        target=f"≤ 30 ms and ≤ 80 KB: {verdict}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=40, help="submissions per run (default 40)")
    args = parser.parse_args()
    n = args.n

    setup_test_environment(debug=False)
    settings_dict = connections["default"].settings_dict
    settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{settings_dict['NAME'] or 'db'}".replace("/", "_")
    if connection.vendor == "sqlite":
        settings_dict["TEST"]["NAME"] = ""  # in memory
    old = setup_databases(verbosity=0, interactive=False)
    try:
        employees_needed = RUNS * n * 2 + 8
        eo, home, others, employees, cycle = build_org(employees_needed)
        people = iter(employees)
        client = Client()
        twelve = providers_for(eo, home, others, RATED)
        forty = providers_for(eo, home, others, DEPARTMENTS)

        # Warm-up: the first request imports templates, URL conf and caches.
        time_view(client, next(people), cycle, twelve)
        _, view_q12 = time_view(client, next(people), cycle, twelve)
        _, view_q40 = time_view(client, next(people), cycle, forty)
        _, svc_q40 = time_service(next(people), cycle, forty)

        page_person = next(people)
        time_page(client, page_person, cycle, twelve)  # warm
        page_bytes, page_q12 = time_page(client, page_person, cycle, twelve)[1:]
        page_runs, page_floor_runs = [], []
        for _ in range(RUNS):
            page_runs.append(statistics.median(time_page(client, page_person, cycle, twelve)[0] for _ in range(n)))
            page_floor_runs.append(statistics.median(time_page_floor(client) for _ in range(n)))
        http_runs, http_floor_runs = [], []
        if connection.vendor == "postgresql":
            for _ in range(RUNS):
                pages, floors = time_page_over_http(client, page_person, cycle, twelve, n)
                http_runs.append(statistics.median(pages))
                http_floor_runs.append(statistics.median(floors))

        view_runs, service_runs, floor_runs = [], [], []
        for _ in range(RUNS):
            view_runs.append(statistics.median(time_view(client, next(people), cycle, twelve)[0] for _ in range(n)))
            service_runs.append(statistics.median(time_service(next(people), cycle, twelve)[0] for _ in range(n)))
            floor_runs.append(statistics.median(time_floor(cycle, home, twelve) for _ in range(n)))
        _, svc_q12 = time_service(next(people), cycle, twelve)

        view_ms = statistics.median(view_runs) * 1000
        service_ms = statistics.median(service_runs) * 1000
        floor_ms = statistics.median(floor_runs) * 1000
        print(f"Database: {connection.vendor}; {n} submissions per run, {RUNS} runs; {DEPARTMENTS} departments.")
        print(f"{RATED} providers rated = {RATED * 7} answers + 3 comments per submission.\n")
        print("| measure | median of 3 runs | per-run medians | queries (12 / 40 providers) |")
        print("| --- | --- | --- | --- |")
        fmt = ", ".join
        view_list = fmt(f"{v * 1000:.1f}" for v in view_runs)
        print(f"| POST /survey/ (submit, whole request) | {view_ms:.1f} ms | {view_list} | {view_q12} / {view_q40} |")
        print(
            f"| survey_submit service | {service_ms:.1f} ms | {fmt(f'{v * 1000:.1f}' for v in service_runs)} |"
            f" {svc_q12} / {svc_q40} |"
        )
        print(
            f"| floor: one bare INSERT of the {RATED * 7} answers, committed | {floor_ms:.1f} ms |"
            f" {fmt(f'{v * 1000:.1f}' for v in floor_runs)} | 1 |"
        )
        print(
            f"\nRatio whole request / floor: {view_ms / floor_ms:.1f}x; service / floor: {service_ms / floor_ms:.1f}x"
        )
        report_page(page_runs, page_floor_runs, http_runs, http_floor_runs, page_bytes, page_q12)
        from _common import figure

        figure(
            f"survey submit, {RATED} departments",
            end_to_end="-",
            in_process=f"{view_ms:.1f} ms (POST /survey/), {service_ms:.1f} ms (service)",
            floor=f"{floor_ms:.1f} ms (one INSERT of the answers)",
            ratio=f"{view_ms / floor_ms:.1f}x",
            target="≤ 30 ms: " + ("pass" if view_ms <= 30 else "FAIL"),
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
