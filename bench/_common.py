"""What every benchmark shares: Django set up from the environment, PostgreSQL required, and a
throwaway database (`<name>_bench`) created for the run and dropped after it, so that a benchmark
never touches the data of the database DATABASE_URL names."""

import contextlib
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainsurvey.settings")
warnings.filterwarnings("ignore", message="No directory at")
# The benchmarks run tasks in-process (an import's roll-up is part of what it costs): Django here
# never sees REDIS_URL. startup.py gives it back to the worker it starts, as BENCH_REDIS_URL.
BENCH_REDIS_URL = os.environ.pop("REDIS_URL", "")

import django  # noqa: E402

django.setup()


def require_postgres(script: str) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(f"{script} measures PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name>")


@contextlib.contextmanager
def throwaway_database(*, keep: bool = False):
    """Create (or, with keep, reuse) `<name>_bench`, migrated; drop it afterwards unless keep."""
    from django.db import connection

    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    settings_dict.setdefault("TEST", {})["NAME"] = f"{name}_bench"
    # serialize=False: Django would otherwise dump the whole kept database (a million answers with
    # --reuse) into memory for test rollbacks that benchmarks never do, and log every query of it.
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
    try:
        yield
    finally:
        if not keep:
            connection.creation.destroy_test_db(name, verbosity=0)


ROOT = Path(__file__).resolve().parent.parent
RUNS = 3  # every figure is the median of this many runs


def median(values) -> float:
    import statistics

    return statistics.median(values)


def timed_command(args: list[str], *, env: dict | None = None, cwd: Path = ROOT, check: bool = True) -> float:
    """Wall-clock seconds of `python ARGS` run as a user runs it: a fresh process, output discarded."""
    return timed_command_cpu(args, env=env, cwd=cwd, check=check)[0]


def children_cpu_seconds() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_command_cpu(
    args: list[str], *, env: dict | None = None, cwd: Path = ROOT, check: bool = True
) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `python ARGS` in a fresh process. The CPU time moves less than
    the wall time when other work shares the machine."""
    import subprocess
    import time

    cpu, started = children_cpu_seconds(), time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, timeout=900)
    elapsed = time.perf_counter() - started
    if check and result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stderr.decode()[-2000:]}")
    return elapsed, children_cpu_seconds() - cpu


def command_env(database_name: str | None = None, **overrides) -> dict:
    """The environment for a `manage.py` subprocess: this one's, pointed at `database_name` if given."""
    from django.db import connection

    env = dict(os.environ)
    if database_name:
        settings_dict = connection.settings_dict
        user = settings_dict.get("USER") or "postgres"
        password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
        host, port = settings_dict.get("HOST") or "127.0.0.1", settings_dict.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{database_name}"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def startup_seconds(env: dict, runs: int = RUNS) -> float:
    """Median start-up of this project's `manage.py check`: what every command pays before its work."""
    return median(timed_command(["manage.py", "check"], env=env) for _ in range(runs))


def figure(what: str, *, end_to_end: str, in_process: str, floor: str, ratio: str, target: str) -> None:
    """One line of `make bench`'s closing table (bench/run_all.py collects the lines starting with FIGURE)."""
    print(f"FIGURE | {what} | {end_to_end} | {in_process} | {floor} | {ratio} | {target}", flush=True)
