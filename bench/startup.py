"""Start-up benchmark: how long this project's processes take to start, next to a bare Django
project (`django-admin startproject` in a temp folder, same venv) measured in the same run.

    .venv/bin/python bench/startup.py [--runs 5]

Each figure is the median of --runs fresh processes:
  - `manage.py check`, and `manage.py CMD --help` for each of the project's own commands (what any
    command pays before its work), against the bare project's `manage.py check`;
  - the web process: `manage.py runserver --noreload` on a free loopback port until its first
    response (the sign-in page here, the welcome page there);
  - the worker (needs REDIS_URL): `celery worker` until it logs "ready", against a bare Celery app
    in the bare project, same flags, on a queue of its own.
Target: every one within 0.25 s of the bare project's figure.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _common import BENCH_REDIS_URL, ROOT, children_cpu_seconds, figure, median, timed_command_cpu

LIMIT = 0.25  # seconds over the bare project
COMMANDS = [
    "import_org",
    "import_responses",
    "open_cycle",
    "close_cycle",
    "rollup",
    "export_scorecards",
    "export_links",
    "seed_demo",
]
WORKER = [sys.executable, "-m", "celery"]
WORKER_FLAGS = ["--pool=solo", "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "info"]
BARE_CELERY = """import os
from celery import Celery
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
app = Celery("bare", broker=os.environ["REDIS_URL"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
"""


def bare_project(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "django", "startproject", "bare", str(folder)], check=True)
    (folder / "bare_celery.py").write_text(BARE_CELERY)
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def time_until(process: subprocess.Popen, ready, started: float, cpu: float, timeout: float = 60):
    """(wall seconds from `started` until ready() is true, CPU seconds of the process from `cpu` on,
    counted once it has been stopped: it idles once ready)."""
    try:
        while time.perf_counter() - started < timeout:
            if ready():
                elapsed = time.perf_counter() - started
                stop(process)
                return elapsed, children_cpu_seconds() - cpu
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited with {process.returncode}")
            time.sleep(0.005)
        raise RuntimeError(f"{process.args} not ready after {timeout} s")
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def web_start(cwd: Path, path: str, env: dict | None = None) -> tuple[float, float]:
    port = free_port()
    cpu, started = children_cpu_seconds(), time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answered() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    return time_until(process, answered, started, cpu)


def worker_start(cwd: Path, app: str, env: dict) -> tuple[float, float]:
    log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)  # noqa: SIM115
    queue = f"bench-startup-{os.getpid()}"
    cpu, started = children_cpu_seconds(), time.perf_counter()
    process = subprocess.Popen(
        [*WORKER, "-A", app, "worker", *WORKER_FLAGS, "-Q", queue, "-n", f"{queue}@%h"],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        return time_until(process, lambda: b" ready." in Path(log.name).read_bytes(), started, cpu)
    finally:
        os.unlink(log.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; median of {runs} fresh processes each")
    with tempfile.TemporaryDirectory() as folder:
        bare = bare_project(Path(folder))
        # Both sides on their default SQLite file, so that neither waits for a database server.
        bare_env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
        os.environ.pop("DATABASE_URL", None)
        measures = [("manage.py check", lambda: timed_command_cpu(["manage.py", "check"]), "bare manage.py check")]
        measures += [
            (f"manage.py {name} --help", lambda name=name: timed_command_cpu(["manage.py", name, "--help"]), None)
            for name in COMMANDS
        ]
        measures.append(("web: runserver to first page", lambda: web_start(ROOT, "/accounts/login/"), "web"))
        if BENCH_REDIS_URL:
            worker_env = {**os.environ, "REDIS_URL": BENCH_REDIS_URL}
            measures.append(
                ("worker: celery worker to ready", lambda: worker_start(ROOT, "chainsurvey", worker_env), "worker")
            )
        baselines = {
            "bare manage.py check": lambda: timed_command_cpu(["manage.py", "check"], cwd=bare, env=bare_env),
            "web": lambda: web_start(bare, "/", bare_env),
            "worker": lambda: worker_start(bare, "bare_celery", {**bare_env, "REDIS_URL": BENCH_REDIS_URL}),
        }
        # Interleaved, so that a burst of load on the shared machine hits both sides alike.
        ours = {name: [] for name, _, _ in measures}
        floors = {name: [] for name in baselines if name != "worker" or BENCH_REDIS_URL}
        for _ in range(runs):
            for name, measure, _ in measures:
                ours[name].append(measure())
            for name in floors:
                floors[name].append(baselines[name]())
        report(measures, ours, {name: tuple(map(median, zip(*values, strict=True))) for name, values in floors.items()})
    if not BENCH_REDIS_URL:
        print("worker: not measured (set REDIS_URL to a Redis database the benchmark may use)")


def report(measures, ours, floors) -> None:
    print(f"\n| process | this project: wall (CPU) | bare Django | difference | within {LIMIT} s |")
    print("| --- | --- | --- | --- | --- |")
    for name, _, baseline in measures:
        floor = floors[baseline or "bare manage.py check"]
        wall, cpu = median(w for w, _ in ours[name]), median(c for _, c in ours[name])
        verdict = "yes" if wall - floor[0] <= LIMIT else "NO"
        print(
            f"| {name} | {wall:.3f} s ({cpu:.3f}) | {floor[0]:.3f} s ({floor[1]:.3f}) | "
            f"{wall - floor[0]:+.3f} s ({cpu - floor[1]:+.3f}) | {verdict} |"
        )
        figure(
            f"start-up: {name}",
            end_to_end=f"{wall:.3f} s",
            in_process="-",
            floor=f"{floor[0]:.3f} s (bare Django)",
            ratio=f"{wall - floor[0]:+.3f} s (CPU {cpu - floor[1]:+.3f} s)",
            target=f"≤ +{LIMIT} s: {'pass' if verdict == 'yes' else 'FAIL'}",
        )


if __name__ == "__main__":
    main()
