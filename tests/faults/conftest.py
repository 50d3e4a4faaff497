"""Fault-test machinery: Celery worker and beat subprocesses on the test database and a queue of the
test's own, a relay in front of Redis that the test can cut and restore, and gunicorn.

Everything binds 127.0.0.1 on a port the system picks, is bounded in time, and is killed in
teardown. Needs a PostgreSQL DATABASE_URL (a subprocess cannot share an in-memory SQLite database)
and, for the Celery tests, REDIS_URL; skips with the reason otherwise, and fails when CI is set.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.machine_services import require_postgresql, require_redis
from tests.reports.test_worker_integration import (  # noqa: F401  (fixtures, used by name)
    PROJECT_DIR,
    WORKER_READY_TIMEOUT,
    Worker,
    celery_queue,
    wait_for,
    worker_database_url,
)

TEST_APP = "tests.faults.celery_app"


class BrokerRelay:
    """A TCP relay to Redis. `down()` drops every relayed connection and refuses new ones (each
    is closed as soon as it is accepted), as a Redis restart or a network cut would; `up()` relays
    again. Processes given `url` see Redis go away and come back."""

    def __init__(self, redis_url: str):
        target = urlsplit(redis_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 6379)
        self._listener = socket.create_server(("127.0.0.1", 0))
        port = self._listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{port}{target.path or '/0'}"
        self._available = threading.Event()
        self._available.set()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if not self._available.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        with self._lock:
            self._sockets.discard(sock)

    def down(self) -> None:
        self._available.clear()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._drop(sock)

    def up(self) -> None:
        self._available.set()

    def close(self) -> None:
        self.down()
        self._listener.close()


@pytest.fixture
def broker_relay():
    relay = BrokerRelay(require_redis())
    yield relay
    relay.close()


@pytest.fixture
def fault_env(celery_queue):  # noqa: F811
    """Environment of the subprocesses: the test database, Redis and the test's queue."""
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": require_redis(),
        "DJANGO_SETTINGS_MODULE": "chainsurvey.settings",
        "CHAINSURVEY_TEST_QUEUE": celery_queue,
    }


class Beat:
    """One `celery beat` subprocess running the test app's schedule."""

    def __init__(self, *, env: dict, tmp_path: Path):
        self.log_path = tmp_path / f"beat-{uuid.uuid4().hex[:6]}.log"
        command = [
            *(sys.executable, "-m", "celery", "-A", TEST_APP, "beat", "--loglevel=INFO"),
            f"--schedule={tmp_path / 'beat-schedule'}",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self._ready, timeout=WORKER_READY_TIMEOUT, what="beat to start", details=self.log)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"beat exited with {self.process.returncode}; its log:\n{self.log()}")
        return "beat: Starting" in self.log()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def celery_processes(fault_env, celery_queue, tmp_path):  # noqa: F811
    """Starts workers and beat (the test app, the test's queue) on `redis_url`; kills them all."""
    started = []

    def start(kind: str, *, redis_url: str | None = None):
        env = {**fault_env, "REDIS_URL": redis_url or fault_env["REDIS_URL"]}
        if kind == "beat":
            process = Beat(env=env, tmp_path=tmp_path)
        else:
            process = Worker(
                queue=celery_queue, env=env, log_path=tmp_path / f"worker-{len(started)}.log", app=TEST_APP
            )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


class Gunicorn:
    """gunicorn serving the app on the test database, on a port the system picks."""

    def __init__(self, *, env: dict, log_path: Path, workers: int = 2):
        self.log_path = log_path
        command = [
            *(sys.executable, "-m", "gunicorn", "chainsurvey.wsgi:application"),
            *("--bind", "127.0.0.1:0", "--workers", str(workers), "--timeout", "30"),
        ]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        match = wait_for(self._listening, timeout=WORKER_READY_TIMEOUT, what="gunicorn to listen", details=self.log)
        self.base_url = f"http://127.0.0.1:{match.group(1)}"
        wait_for(
            lambda: self.log().count("Booting worker") >= workers, timeout=WORKER_READY_TIMEOUT, what="its workers"
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _listening(self):
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.process.returncode}; its log:\n{self.log()}")
        return re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log())

    def worker_pids(self) -> set[int]:
        return {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log())}

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def gunicorn(tmp_path):
    """Starts gunicorn on the test database; use with django_db(transaction=True, serialized_rollback=True)."""
    require_postgresql()
    servers = []

    def start(*, app_name: str, workers: int = 2) -> Gunicorn:
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "DJANGO_SETTINGS_MODULE": "chainsurvey.settings",
            "PGAPPNAME": app_name,  # names its database sessions, to find and drop them
            # Persistent connections, as production runs them (the development default is 0).
            "DJANGO_CONN_MAX_AGE": "60",
        }
        env.pop("REDIS_URL", None)
        server = Gunicorn(env=env, log_path=tmp_path / f"gunicorn-{len(servers)}.log", workers=workers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()


def elapsed_since(start: float) -> float:
    return time.monotonic() - start
