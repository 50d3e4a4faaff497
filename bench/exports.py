"""Scorecard export benchmark: a 40-department company on PostgreSQL, every format.

Builds two rolled-up quarters (about 3,000 respondents, every department rated by most others,
comments on a few departments), then times, each RUNS times (median reported):

  in the process   render_scorecards as CSV, XLSX (the workbook) and PDF (all departments), and
                   the PDF of one department; the floor is one plain read of the cycle's snapshot
                   rows (what every format must read at least);
  as a user runs   `manage.py export_scorecards CYCLE --format F -o PATH` as a subprocess; its
                   floor is `manage.py check` (the same interpreter and Django start-up).

The target is under 0.5 s per format in the process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_hr .venv/bin/python bench/exports.py

It works in a throwaway database `<name>_bench`.
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import require_postgres, throwaway_database
from django.db import connection, transaction

from reports.exporters import ScorecardExporter, render, render_scorecards
from reports.models import DepartmentResult
from reports.services import rollup_cycle
from surveys.bulk import write_answers
from surveys.models import Comment, Cycle, Department, Dimension

RUNS = 5
DEPARTMENTS = 40
RESPONDENTS = 3000
TARGET = 0.5
ROOT = Path(__file__).resolve().parent.parent


def build(rng) -> Cycle:
    names = ["Executive Office"] + [f"Département {i:02d} — Ünit" for i in range(1, DEPARTMENTS)]
    Department.objects.bulk_create(
        [Department(name=n, slug=f"d-{i}", is_executive_office=i == 0) for i, n in enumerate(names)]
    )
    ids = np.array(Department.objects.order_by("name").values_list("id", flat=True))
    dimensions = dict(Dimension.objects.values_list("slug", "id"))
    cycles = []
    for name, shift in (("2026-Q2", 0.0), ("2026-Q3", 0.2)):
        cycle = Cycle.objects.create(name=name, status=Cycle.Status.PUBLISHED)
        rows = []
        home = rng.choice(ids, size=RESPONDENTS)
        for respondent in range(RESPONDENTS):
            providers = rng.choice(ids, size=8, replace=False)
            for provider in providers:
                quality = 3 + shift + (0.8 if provider % 3 else -0.6)
                scores = np.clip(np.rint(rng.normal(quality, 0.9, size=7)), 1, 5).astype(int)
                for (_slug, dimension_id), score in zip(dimensions.items(), scores, strict=True):
                    rows.append((cycle.id, respondent + 1, int(home[respondent]), int(provider), dimension_id, score))
        frame = pd.DataFrame(
            rows,
            columns=[
                "cycle_id",
                "respondent",
                "rater_department_id",
                "provider_department_id",
                "dimension_id",
                "score",
            ],
        )
        with transaction.atomic():
            write_answers(frame)
        cycles.append(cycle)
    current = cycles[-1]
    Comment.objects.bulk_create(
        Comment(
            cycle=current, rater_department_id=int(r), provider_department_id=int(p), text=f"Comment {i}: ça marche"
        )
        for i, (r, p) in enumerate(zip(rng.choice(ids, 400), rng.choice(ids[:8], 400), strict=True))
    )
    for cycle in cycles:
        rollup_cycle(cycle_id=cycle.id)
    return current


def median_time(call) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(cycle: Cycle) -> None:
    floor = median_time(lambda: list(DepartmentResult.objects.filter(cycle=cycle).values_list()))
    one = Department.objects.order_by("name")[5]
    cases = [
        (
            "xlsx, the old flat sheet (reference)",
            lambda: render(ScorecardExporter(cycle_id=cycle.id), "xlsx", io.BytesIO()),
        ),
        ("csv", lambda: render_scorecards(cycle_id=cycle.id, fmt="csv", stream=io.StringIO())),
        ("xlsx", lambda: render_scorecards(cycle_id=cycle.id, fmt="xlsx", stream=io.BytesIO())),
        ("pdf", lambda: render_scorecards(cycle_id=cycle.id, fmt="pdf", stream=io.BytesIO())),
        (
            "pdf, one department",
            lambda: render_scorecards(cycle_id=cycle.id, fmt="pdf", stream=io.BytesIO(), department_id=one.id),
        ),
    ]
    rows = DepartmentResult.objects.filter(cycle=cycle).count()
    print(f"In the process ({DEPARTMENTS} departments, {rows} scorecard rows; median of {RUNS}):")
    print(f"  floor: read the snapshot rows          {floor * 1000:8.1f} ms")
    for label, call in cases:
        seconds = median_time(call)
        verdict = "ok" if seconds < TARGET else f"OVER the {TARGET} s target"
        print(f"  {label:<38}{seconds * 1000:8.1f} ms  {seconds / floor:6.1f}× floor  ({verdict})")


def as_subprocess(cycle: Cycle) -> None:
    env = dict(os.environ)
    settings = connection.settings_dict
    env["DATABASE_URL"] = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    manage = [sys.executable, str(ROOT / "manage.py")]

    def run(*args):
        subprocess.run([*manage, *args], check=True, env=env, stdout=subprocess.DEVNULL, cwd=ROOT)

    floor = median_time(lambda: run("check"))
    print(f"The command as a subprocess (median of {RUNS}):")
    print(f"  floor: manage.py check                 {floor * 1000:8.1f} ms")
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("csv", "xlsx", "pdf"):
            path = Path(folder) / f"scorecards.{fmt}"
            seconds = median_time(
                lambda fmt=fmt, path=path: run("export_scorecards", cycle.name, "--format", fmt, "-o", str(path))
            )
            size = path.stat().st_size / 1024
            label = f"export_scorecards --format {fmt}"
            print(f"  {label:<38}{seconds * 1000:8.1f} ms  {seconds / floor:6.2f}× floor  ({size:.0f} KB)")


def main() -> None:
    require_postgres("bench/exports.py")
    with throwaway_database():
        start = time.perf_counter()
        cycle = build(np.random.default_rng(7))
        print(f"Built and rolled up two quarters in {time.perf_counter() - start:.1f} s.")
        print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared with other jobs).")
        in_process(cycle)
        as_subprocess(cycle)


if __name__ == "__main__":
    main()
