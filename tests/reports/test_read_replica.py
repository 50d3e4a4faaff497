"""DATABASE_READ_URL against a real streaming replica (reports.replica).

The test starts a PostgreSQL primary of its own (initdb, wal_level=replica, a replication line in
its pg_hba) and a standby of it (`pg_basebackup -R`), each on a free port under a temporary folder,
then drives the app against both in a subprocess (tests/reports/replica_run.py) and judges what
it saw: which server answered each read, and what each read returned.

It proves that the dashboard, a department page, the CSV download, the export command, the API and
the workers' workbook export read the snapshot's rows from the standby when it holds the primary's
version (the primary answers none of those reads; the standby one more query than a page has
without it: the check); that with the standby's replay paused while the primary rolls up changed
answers, those reads all come from the primary and return the new roll-up (the standby meanwhile
still holds the old one, so reading it would have been stale), with the standby asked only the one
check; and that once replay resumes, they return to the standby, now with the new roll-up. Writes,
reads inside a transaction, a request that wrote first, HR's preview of an unpublished cycle and
every read while the standby is unreachable go to the primary; a page served from the cache asks
the standby nothing.

Skips (with the reason) where PostgreSQL's server binaries are absent; with CI set it fails
instead, as every machine-service test does.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.machine_services import skip_unless_available

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("replica_run.py")


def _bindir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists() and (candidate / "pg_basebackup").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_basebackup") else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Servers:
    """A primary and its streaming standby, run as the postgres user when the test runs as root
    (PostgreSQL refuses to run as root)."""

    def __init__(self, bindir: Path, folder: Path):
        self.bindir, self.folder = bindir, folder
        self.primary, self.standby = folder / "primary", folder / "standby"
        self.primary_port, self.standby_port = _free_port(), _free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, tool: str, *args: str) -> None:
        command = [*self.as_postgres, str(self.bindir / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=self.folder)
        if done.returncode != 0:
            raise AssertionError(f"{tool} failed ({done.returncode}): {done.stdout}\n{done.stderr}")

    def start(self, data: Path, port: int) -> None:
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
        self.run("pg_ctl", "-D", str(data), "-l", str(data.with_suffix(".log")), "-o", options, "-w", "start")

    def up(self) -> None:
        self.run("initdb", "-D", str(self.primary), "-U", "postgres", "-A", "trust", "--no-sync")
        with (self.primary / "postgresql.conf").open("a") as conf:
            # fsync off: a throwaway cluster; the rest is what streaming replication needs.
            conf.write("wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n")
            conf.write("max_connections = 30\nshared_buffers = 16MB\n")
        with (self.primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.start(self.primary, self.primary_port)
        self.run(
            "pg_basebackup",
            *("-D", str(self.standby), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-R", "-X", "stream", "--no-sync"),
        )
        self.start(self.standby, self.standby_port)

    def down(self) -> None:
        for data in (self.standby, self.primary):
            if (data / "postmaster.pid").exists():
                self.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/chainsurvey"


@pytest.fixture(scope="module")
def servers():
    bindir = _bindir()
    if bindir is None:
        skip_unless_available("needs PostgreSQL's server binaries (initdb, pg_basebackup)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        skip_unless_available("runs as root and needs runuser to start PostgreSQL as postgres")
    folder = Path(tempfile.mkdtemp(prefix="cs-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    found = Servers(bindir, folder)
    try:
        found.up()
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={found.primary_port} user=postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE chainsurvey")
        deadline = time.monotonic() + 20
        while True:  # the new database reaches the standby
            try:
                psycopg.connect(f"host=127.0.0.1 port={found.standby_port} user=postgres dbname=chainsurvey").close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield found
    finally:
        found.down()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def seen(servers) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DATABASE_READ_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=servers.url(servers.primary_port),
        DATABASE_READ_URL=servers.url(servers.standby_port),
        DJANGO_SETTINGS_MODULE="chainsurvey.settings",
        DJANGO_DEBUG="1",
        DJANGO_LOG_LEVEL="WARNING",
        CHAINSURVEY_EXPORT_ROOT=str(servers.folder / "exports"),
        CS_CLOSED_PORT=str(_free_port()),  # for the standby-unreachable part: nothing listens there
    )
    done = subprocess.run([sys.executable, str(DRIVER)], capture_output=True, text=True, timeout=180, cwd=ROOT, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, f"the driver failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return json.loads(lines[-1].removeprefix("RESULT "))


READS = ("dashboard", "department", "csv_download", "export_command", "api", "worker_export")


def test_without_a_read_url_snapshot_reads_change_nothing():
    from django.conf import settings
    from django.db import router

    from reports import replica
    from reports.models import DepartmentResult

    assert "replica" not in settings.DATABASES and settings.DATABASE_ROUTERS == []
    # No database access is allowed in this test (no django_db mark): a query would fail it.
    with replica.snapshot_reads():
        assert replica.snapshot_alias() is None
        assert DepartmentResult.objects.all().db == router.db_for_read(DepartmentResult) == "default"


def test_the_replica_alias_is_the_standby_and_the_default_the_primary(seen, servers):
    assert seen["servers"]["default"] == [False, servers.primary_port]
    assert seen["servers"]["replica"] == [True, servers.standby_port]


def test_caught_up_every_snapshot_read_comes_from_the_standby(seen):
    phase = seen["caught_up"]
    assert phase["versions"]["primary"] == phase["versions"]["replica"] != []
    for name in READS:
        counts = phase["reads"][name]["counts"]
        assert counts["replica"]["snapshot"] >= 1, (name, counts)
        assert counts["default"]["snapshot"] == 0, (name, counts["default"]["sql"])
    assert phase["reads"]["csv_download"]["value"] == phase["truth"]
    assert phase["reads"]["export_command"]["value"] == phase["truth"]


def test_a_page_served_from_the_cache_asks_the_standby_nothing(seen):
    for phase in ("caught_up", "paused", "resumed"):
        counts = seen[phase]["reads"]["dashboard_cached"]["counts"]
        assert counts["replica"]["queries"] == 0, (phase, counts["replica"]["sql"])
        assert counts["default"]["snapshot"] == 0, (phase, counts["default"]["sql"])


def test_writes_and_reads_inside_a_transaction_use_the_primary(seen):
    assert seen["routing"] == {
        "read": "replica",  # the snapshot, inside snapshot_reads(), with the standby caught up
        "read_in_transaction": "default",
        "write": "default",
        "people": "default",  # only the snapshot's tables are ever read from the standby
        "read_outside": "default",  # outside snapshot_reads(), nothing goes to the standby
    }


def test_a_request_that_writes_before_reading_the_snapshot_reads_the_primary(seen):
    counts, status = seen["first_api_use"]
    assert status == 200
    assert any(sql.startswith("UPDATE") for sql in counts["default"]["sql"])  # the token's stamp
    assert counts["replica"]["queries"] == 0  # not even the check: the request had written
    assert any('FROM "surveys_cycle"' in sql for sql in counts["default"]["sql"])


def test_while_the_standby_lags_the_reads_fall_back_on_the_primary_with_the_new_roll_up(seen):
    before, phase = seen["caught_up"], seen["paused"]
    primary, standby = phase["versions"]["primary"], phase["versions"]["replica"]
    assert primary != standby  # the standby really lags: it still names the old roll-up's summary
    assert standby == before["versions"]["replica"]
    assert phase["truth"] != before["truth"]  # the new roll-up changed the figures
    assert phase["replica_csv"] == before["truth"]  # what reading the standby would have shown
    for name in READS:
        counts = phase["reads"][name]["counts"]
        assert counts["replica"]["queries"] == 1, (name, counts["replica"]["sql"])  # the check only
        assert counts["replica"]["snapshot"] == 0
        assert counts["default"]["snapshot"] >= 1, (name, counts)
        # The same queries as when the standby serves them, split otherwise: with a replica, a read
        # costs what it costs without one plus the check, whichever server answers.
        served = before["reads"][name]["counts"]
        assert counts["default"]["queries"] + 1 == served["default"]["queries"] + served["replica"]["queries"], (
            name,
            counts["default"]["sql"],
            served["default"]["sql"] + served["replica"]["sql"],
        )
    assert phase["reads"]["csv_download"]["value"] == phase["truth"]
    assert phase["reads"]["export_command"]["value"] == phase["truth"]


def test_once_replay_resumes_the_reads_return_to_the_standby(seen):
    paused, phase = seen["paused"], seen["resumed"]
    assert phase["versions"]["replica"] == phase["versions"]["primary"] == paused["versions"]["primary"]
    for name in READS:
        counts = phase["reads"][name]["counts"]
        assert counts["replica"]["snapshot"] >= 1, (name, counts)
        assert counts["default"]["snapshot"] == 0, (name, counts["default"]["sql"])
    assert phase["reads"]["csv_download"]["value"] == phase["truth"] == paused["truth"]
    assert phase["reads"]["api"]["value"] == paused["reads"]["api"]["value"]
    assert phase["reads"]["api"]["value"] != seen["caught_up"]["reads"]["api"]["value"]


def test_an_unreachable_replica_means_reading_the_primary(seen):
    phase = seen["unreachable"]
    for attempt in ("first", "again"):
        read = phase["reads"][attempt]
        assert read["status"] == 200
        assert read["csv"] == phase["truth"]
        assert read["counts"]["replica"]["queries"] == 0  # the connection was refused: no query ran
        assert read["counts"]["default"]["snapshot"] >= 1
    # After the first failure the process leaves the replica alone for a while (the second read did
    # not try it again): a replica that is down does not cost every request a connection attempt.
    first, again = phase["reads"]["first"]["left_alone"], phase["reads"]["again"]["left_alone"]
    assert 0 < again <= first


def test_hr_s_preview_of_an_unpublished_cycle_is_read_from_the_primary(seen):
    phase = seen["preview"]
    assert phase["status"] == 200 and phase["says_preview"]
    assert phase["counts"]["replica"]["queries"] == 0, phase["counts"]["replica"]["sql"]
    assert phase["counts"]["default"]["snapshot"] >= 1
