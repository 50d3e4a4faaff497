"""The app against a real primary and its streaming standby (tests/reports/test_read_replica.py).

Run as a script with DATABASE_URL (the primary) and DATABASE_READ_URL (the standby) set. It migrates
the primary, imports an org and a cycle's answers, rolls it up, then reads the dashboard, a
department page, the scorecard CSV download, the export command, the API and the workers' workbook
export three times: with the
standby caught up, with its replay paused while the primary rolls up changed answers, and after
replay resumes. For each read it records, per database alias, the queries and those that read the
snapshot's result tables, and what the read returned; it prints all of it as one JSON line
(prefixed RESULT) for the test to judge.
"""

import csv
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, router, transaction  # noqa: E402
from django.test import Client  # noqa: E402

CYCLE = "2025-Q1"
DEPARTMENTS = ["Executive Office", "Finance", "IT", "Sales"]
STAFF = 7  # per department, besides its manager: enough raters for every group to be shown
SNAPSHOT_TABLES = (
    "reports_departmentresult",
    "reports_linkresult",
    "reports_companyresult",
    "reports_driverresult",
    "reports_participationresult",
    "reports_selfviewresult",
)


def write_org(folder: Path) -> tuple[Path, list[tuple[str, str]]]:
    people, rows = [], []
    for d, department in enumerate(DEPARTMENTS):
        for i in range(STAFF + 1):
            employee_id = f"E{d}{i:02d}"
            role = "manager" if i == 0 else "employee"
            if department == "Executive Office" and i == 0:
                role = "executive"
            rows.append([employee_id, f"{employee_id.lower()}@example.com", f"Person {employee_id}", department, role])
            people.append((employee_id, department, role))
    rows.append(["H000", "hr@example.com", "Harriet HR", "Finance", "hr"])
    path = folder / "org.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_id", "email", "full_name", "department", "role"])
        writer.writerows(rows)
    return path, people


def write_answers(folder: Path, people, *, shift: int) -> Path:
    """Every person rates every other department (and staff their own management); `shift` moves
    every score, so a second roll-up changes the figures."""
    path = folder / f"answers{shift}.csv"
    dimensions = ["willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication"]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["rater_employee_id", "provider_department", "dimension", "score"])
        for n, (employee_id, department, role) in enumerate(people):
            for p, provider in enumerate(DEPARTMENTS):
                if provider == department and role != "employee":
                    continue
                for k, dimension in enumerate([*dimensions, "expectation", "outcome"]):
                    writer.writerow([employee_id, provider, dimension, 1 + (n + p + k + shift) % 5])
    return path


class Counter:
    """Queries per alias while a read runs; those touching a result table are the snapshot's."""

    def __init__(self):
        self.queries = {alias: [] for alias in ("default", "replica")}

    def wrapper(self, alias):
        def record(execute, sql, params, many, context):
            self.queries[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    def summary(self) -> dict:
        return {
            alias: {
                "queries": len(found),
                "snapshot": sum(1 for sql in found if any(table in sql for table in SNAPSHOT_TABLES)),
                "sql": [sql[:160] for sql in found],
            }
            for alias, found in self.queries.items()
        }


def counted(read, *, cached: bool = False) -> tuple[dict, object]:
    from reports import panels, visible

    if not cached:
        cache.clear()  # the pages' bodies are cached per snapshot version: build them from the rows
        visible.forget()  # the primary's version read afresh (the process remembers it for a moment)
        panels.forget()  # and the panels' versions (the commitments')
    counter = Counter()
    with (
        connections["default"].execute_wrapper(counter.wrapper("default")),
        connections["replica"].execute_wrapper(counter.wrapper("replica")),
    ):
        value = read()
    return counter.summary(), value


def versions() -> dict:
    from reports import selectors

    return {
        "primary": [list(c) for c in selectors.visible_cycles()],
        "replica": [list(c) for c in selectors.visible_cycles(using="replica")],
    }


def wait_for_replica(timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        found = versions()
        if found["primary"] == found["replica"]:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the standby did not catch up: {found}")
        time.sleep(0.05)


def truth_csv() -> str:
    """The scorecard CSV read straight from the primary (no replica involved)."""
    from reports.exporters import render_scorecards

    stream = io.StringIO()
    render_scorecards(cycle_id=cycle_id(), fmt="csv", stream=stream)
    return stream.getvalue()


def replica_csv() -> str:
    """The scorecard CSV as the standby holds it now (forced onto it, whatever its version)."""
    from reports import replica
    from reports.exporters import render_scorecards

    stream = io.StringIO()
    token = replica._reads.set(replica._Reads(alias="replica", decided=True))
    try:
        render_scorecards(cycle_id=cycle_id(), fmt="csv", stream=stream)
    finally:
        replica._reads.reset(token)
    return stream.getvalue()


def cycle_id() -> int:
    from surveys.models import Cycle

    return Cycle.objects.using("default").get(name=CYCLE).id


def reads(client: Client, token: str, slug: str) -> dict:
    def page(path):
        def read():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return len(response.content)

        return read

    def download():
        response = client.get(f"/reports/{CYCLE}/scorecards.csv")
        assert response.status_code == 200, response.status_code
        return b"".join(response.streaming_content).decode()

    def command():
        out = io.StringIO()
        call_command("export_scorecards", CYCLE, stdout=out)
        return out.getvalue()

    def api():
        response = client.get(f"/api/v1/cycles/{CYCLE}/scorecards/?page_size=5000", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200, response.status_code
        return response.json()["results"]

    def worker_export():
        # What a worker runs for HR's background workbook (reports.export_task), called in-process.
        from reports import export_jobs
        from reports.export_task import export_scorecards

        job = export_jobs.create(
            user_id=client.session["_auth_user_id"], cycle_id=cycle_id(), fmt="xlsx", filename="x.xlsx"
        )
        return export_scorecards(export_id=job.id, cycle_id=job.cycle_id, fmt="xlsx")

    found = {}
    for name, read in (
        ("dashboard", page(f"/reports/{CYCLE}/")),
        ("department", page(f"/reports/{CYCLE}/departments/{slug}/")),
        ("csv_download", download),
        ("export_command", command),
        ("api", api),
        ("worker_export", worker_export),
    ):
        counts, value = counted(read)
        found[name] = {"counts": counts, "value": value}
    # The dashboard again, served from the page cache: no snapshot read, so no check either.
    counted(page(f"/reports/{CYCLE}/"))
    counts, value = counted(page(f"/reports/{CYCLE}/"), cached=True)
    found["dashboard_cached"] = {"counts": counts, "value": value}
    return found


def main() -> None:
    from reports import panels, replica, visible

    # Each read forgets what the process remembers (`counted`); nothing expires in the middle of a
    # read on a slow machine, so every read makes the same queries each time.
    visible.VISIBLE_CYCLES_SECONDS = panels.VERSIONS_SECONDS = 3600
    from reports.models import DepartmentResult
    from surveys.models import Department

    servers = {}
    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
            servers[alias] = cursor.fetchone()
    started = time.monotonic()
    seconds = {}
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.monotonic() - started
    folder = Path(tempfile.mkdtemp(prefix=f"replica-run-{os.getpid()}-"))
    org, people = write_org(folder)
    call_command("import_org", str(org), stdout=io.StringIO())
    call_command("import_responses", str(write_answers(folder, people, shift=0)), cycle=CYCLE, stdout=io.StringIO())
    call_command("rollup", CYCLE, stdout=io.StringIO())

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(email="hr@example.com"))
    out = io.StringIO()
    call_command("create_api_token", "hr@example.com", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    # Its first use stamps the token (a write: that request reads the primary); later ones do not.
    first_use = counted(lambda: client.get("/api/v1/cycles/", HTTP_AUTHORIZATION=f"Token {token}").status_code)
    slug = Department.objects.get(name="IT").slug

    seconds["data"] = time.monotonic() - started - seconds["migrate"]
    result = {"servers": servers, "seconds": seconds, "first_api_use": first_use}
    wait_for_replica()
    result["caught_up"] = {"versions": versions(), "truth": truth_csv(), "reads": reads(client, token, slug)}

    # Inside a transaction (a request that writes), and for every write: the primary.
    with replica.snapshot_reads():
        with transaction.atomic():
            inside_atomic = DepartmentResult.objects.all().db
        result["routing"] = {
            "read": DepartmentResult.objects.all().db,
            "read_in_transaction": inside_atomic,
            "write": router.db_for_write(DepartmentResult),
            "people": get_user_model().objects.all().db,
        }
    result["routing"]["read_outside"] = DepartmentResult.objects.all().db

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    answers = write_answers(folder, people, shift=2)
    call_command("import_responses", str(answers), cycle=CYCLE, replace=True, republish=True, stdout=io.StringIO())
    call_command("rollup", CYCLE, stdout=io.StringIO())
    time.sleep(0.5)  # what the standby received meanwhile stays unreplayed
    result["paused"] = {
        "versions": versions(),
        "truth": truth_csv(),
        "replica_csv": replica_csv(),
        "reads": reads(client, token, slug),
    }

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replica()
    result["resumed"] = {"versions": versions(), "truth": truth_csv(), "reads": reads(client, token, slug)}

    # HR's preview of a closed, rolled-up cycle that is not published: the version does not cover
    # it, so the primary answers it all (the standby is not even asked).
    call_command("open_cycle", "2025-Q2", stdout=io.StringIO())
    call_command("close_cycle", "2025-Q2", stdout=io.StringIO())
    wait_for_replica()

    def preview():
        response = client.get("/reports/2025-Q2/")
        return response.status_code, "preview" in response.content.decode().lower()

    counts, (status, says_preview) = counted(preview)
    result["preview"] = {"counts": counts, "status": status, "says_preview": says_preview}

    # The standby unreachable (its alias pointed at a port nobody listens on): the primary answers.
    replica_settings = connections["replica"].settings_dict
    connections["replica"].close()
    replica_settings["PORT"] = os.environ["CS_CLOSED_PORT"]

    def download():
        response = client.get(f"/reports/{CYCLE}/scorecards.csv")
        return response.status_code, b"".join(response.streaming_content).decode()

    gone = {}
    for attempt in ("first", "again"):
        counts, (status, text) = counted(download)
        # How long this process now leaves the replica alone (reports.replica.RETRY_AFTER_SECONDS).
        gone[attempt] = {
            "counts": counts,
            "status": status,
            "csv": text,
            "left_alone": replica._down_until - time.monotonic(),
        }
    result["unreachable"] = {"truth": truth_csv(), "reads": gone}
    seconds["all"] = time.monotonic() - started
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    finally:
        for leftover in Path(tempfile.gettempdir()).glob(f"replica-run-{os.getpid()}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
