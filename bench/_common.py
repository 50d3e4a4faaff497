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


# --- The benchmark company -------------------------------------------------------------------
#
# One generator for every size (bench/rollup.py, bench/scale.py): `company()` writes the
# departments, users and employees; `answers()` draws one quarter of answers for it; `write_cycle()`
# stores them (binary COPY). Sizes: 10,000 people in 40 departments (`make bench`) and 100,000 in
# 200 (`make bench-scale`), ~72 answers a person a quarter (nine providers × eight questions).
#
# What makes the figures realistic rather than uniform noise: departments of uneven size (log-normal
# headcounts) and uneven demand (a few departments, such as IT or finance, are dealt with by most of
# the company: providers are drawn with weights, without replacement); a provider's quality, its
# strengths by dimension, the link's own history and each rater's leniency add up to one latent
# level per answer set, so a person's six ratings of a provider agree with each other as real
# ratings do; the expectation is its own question; the outcome ("overall, they help me get my work
# done") follows the six ratings with unequal weights plus noise, so that the driver analysis has
# something to find; ~3 % of ratings and ~8 % of outcome answers are skipped.


SIZES = {"10k": (10_000, 40), "100k": (100_000, 200)}  # people, departments
ANSWERS_PER_PERSON = 72  # a quarter: ~9 providers × 8 questions, a few skipped


class Org:
    """A generated company: per person their department id (`home`), whether they are management
    (`management`: managers and executives, who never rate their own department) and employee id;
    `department_ids` sorted, `names` by id, `demand` (how likely each is to be dealt with)."""

    def __init__(self, home, management, employee_ids, department_ids, names, demand):
        self.home, self.management, self.employee_ids = home, management, employee_ids
        self.department_ids, self.names, self.demand = department_ids, names, demand


def company(employees: int, departments: int, rng, *, email_prefix: str = "bench") -> Org:
    """Departments, users and employees in bulk (COPY-free: Django's bulk_create, 10,000 a batch)."""
    import numpy as np

    from accounts.models import User
    from surveys.models import Department, Employee

    names = ["Executive Office"] + [f"Department {i:03d}" for i in range(1, departments)]
    Department.objects.bulk_create(
        [
            Department(name=n, slug=n.lower().replace(" ", "-"), is_executive_office=(i == 0))
            for i, n in enumerate(names)
        ]
    )
    department_ids = np.array(Department.objects.order_by("id").values_list("id", flat=True))  # [0]: executive
    # Uneven headcounts (log-normal, the Executive Office small); uneven demand (a few departments
    # are dealt with by most of the company).
    weights = rng.lognormal(0.0, 0.6, departments)
    weights[0] = weights.min() * 0.25
    home = rng.choice(department_ids, size=employees, p=weights / weights.sum())
    management = (rng.random(employees) < 0.08) | (home == department_ids[0])
    User.objects.bulk_create(
        [User(email=f"{email_prefix}{i}@example.com", full_name=f"Person {i}", password="!") for i in range(employees)],
        batch_size=10_000,
    )
    users = dict(User.objects.filter(email__startswith=email_prefix).values_list("email", "id"))
    employee_ids = [f"B{i:06d}" for i in range(employees)]
    Employee.objects.bulk_create(
        [
            Employee(
                user_id=users[f"{email_prefix}{i}@example.com"],
                employee_id=employee_ids[i],
                department_id=int(home[i]),
                role=("executive" if home[i] == department_ids[0] else "manager") if management[i] else "employee",
            )
            for i in range(employees)
        ],
        batch_size=10_000,
    )
    demand = rng.lognormal(0.0, 1.0, departments)
    return Org(
        home, management, employee_ids, department_ids, dict(zip(department_ids.tolist(), names, strict=True)), demand
    )


def answers(org: Org, total_answers: int, rng):
    """About `total_answers` answers of one quarter (columns rater_index, rater_department_id,
    provider_department_id, dimension_id, score; the eight questions of surveys.dimensions)."""
    import numpy as np
    import pandas as pd

    from surveys.dimensions import ALL_DIMENSIONS, SERVICE_DIMENSIONS
    from surveys.models import Dimension

    home, management, department_ids = org.home, org.management, org.department_ids
    employees, departments = len(home), len(department_ids)
    questions = len(ALL_DIMENSIONS)
    per_person = total_answers / (employees * questions * 0.96)
    count = np.clip(rng.poisson(per_person, employees), 1, departments - 1)
    # Distinct providers per person, drawn by demand without replacement (Gumbel top-k), their own
    # department among them as likely as any (management scope), never for managers.
    keys = np.log(org.demand)[None, :].astype("float32") + rng.gumbel(size=(employees, departments)).astype("float32")
    own = np.searchsorted(department_ids, home)
    keys[np.arange(employees), own] = np.where(management, -np.inf, keys[np.arange(employees), own] + 1.0)
    order = np.argsort(-keys, axis=1)
    del keys
    rater = np.repeat(np.arange(employees), count)
    position = np.arange(len(rater)) - np.repeat(np.cumsum(count) - count, count)
    provider_index = order[rater, position]
    del order
    sets = len(rater)
    # One latent level per answer set: provider quality, the link's own, the rater's leniency.
    quality = rng.normal(0.0, 0.35, departments)
    link = rng.normal(0.0, 0.2, (departments, departments)).astype("float32")
    leniency = rng.normal(0.0, 0.45, employees)
    level = 3.55 + quality[provider_index] + link[own[rater], provider_index] + leniency[rater]
    strengths = rng.normal(0.0, 0.25, (departments, len(SERVICE_DIMENSIONS)))
    service = level[:, None] + strengths[provider_index] + rng.normal(0.0, 0.75, (sets, len(SERVICE_DIMENSIONS)))
    service = np.clip(np.rint(service), 1, 5)
    expectation = np.clip(np.rint(rng.normal(3.8, 0.8, sets) + 0.3 * leniency[rater]), 1, 5)
    weights = np.array([0.10, 0.15, 0.25, 0.30, 0.05, 0.15])  # the six dimensions' pull on the outcome
    outcome = np.clip(np.rint(1.2 + 0.7 * (service @ weights) + rng.normal(0.0, 0.6, sets)), 1, 5)
    slugs = dict(Dimension.objects.values_list("slug", "id"))
    order_of = list(ALL_DIMENSIONS)  # the score columns: the six, expectation, outcome
    scores = np.column_stack([service, expectation, outcome]).astype("int16")
    answered = rng.random((sets, questions)) > np.array([0.03] * 7 + [0.08])
    answered[:, : len(SERVICE_DIMENSIONS)] |= ~answered[:, : len(SERVICE_DIMENSIONS)].any(axis=1)[:, None]
    at, question = np.nonzero(answered)
    return pd.DataFrame(
        {
            "rater_index": rater[at],
            "rater_department_id": home[rater[at]],
            "provider_department_id": department_ids[provider_index[at]],
            "dimension_id": np.array([slugs[s] for s in order_of])[question],
            "score": scores[at, question].astype("int64"),
        }
    )


def write_cycle(name: str, frame, rng):
    """A closed historical cycle holding `frame`'s answers (surveys.bulk.write_answers: binary COPY)."""
    from django.db import transaction

    from surveys.bulk import write_answers
    from surveys.models import Cycle

    cycle = Cycle.objects.create(name=name, status=Cycle.Status.CLOSED, is_historical=True)
    # Distinct random keys, one per rater (choice without replacement: no 10^9-element permutation).
    respondent = rng.choice(2**62, size=int(frame["rater_index"].max()) + 1, replace=False) + 1
    with transaction.atomic():
        write_answers(
            frame.drop(columns="rater_index").assign(
                cycle_id=cycle.id, respondent=respondent[frame["rater_index"].to_numpy()]
            )
        )
    return cycle
