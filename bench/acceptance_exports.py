"""The acceptance results of a kept benchmark company, for comparing two versions of the roll-up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cs_rol_bench .venv/bin/python bench/acceptance_exports.py OUT_DIR

DATABASE_URL names the benchmark database itself (e.g. the `<name>_bench` that `bench/rollup.py
--reuse` keeps). Rolls up every closed cycle in order with `manage.py rollup` (so each one's deltas
read the previous one's fresh snapshot), then writes `export_scorecards`, `export_links` and
`export_drivers` (CSV) of each into OUT_DIR and prints their SHA-256. Run it on one version, then
the other, into two folders, and `diff -r` them: every speed-up must leave them byte-identical.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=os.environ, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    cycles = manage(
        "shell",
        "--no-imports",
        "-c",
        "from surveys.models import Cycle; print(*Cycle.objects.order_by('name').values_list('name', flat=True))",
    )
    for cycle in cycles.split():
        print(manage("rollup", cycle).splitlines()[0], flush=True)
        for command in ("export_scorecards", "export_links", "export_drivers"):
            target = out / f"{cycle}-{command}.csv"
            manage(command, cycle, "-o", str(target))
            print(f"{hashlib.sha256(target.read_bytes()).hexdigest()}  {target.name}", flush=True)


if __name__ == "__main__":
    main()
