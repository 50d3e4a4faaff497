"""`make bench`: run every benchmark in turn, then print one table of their figures.

Each script prints its own figures next to a floor measured in the same run (medians of three runs
unless it says otherwise) and ends with `FIGURE | ...` lines (see `_common.figure`), collected here
into the closing table. Needs DATABASE_URL pointing at PostgreSQL (each script works in a throwaway
database); REDIS_URL, if set, adds the worker's start-up. To add a benchmark, add one line to SCRIPTS.
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "startup.py",
    "survey_submit.py -n 30",
    "ballots.py",
    "import_responses.py 720000",
    "rollup.py",
    "exports.py",
    "pages.py",
    "load.py",
]


def main(scripts: list[str] = SCRIPTS) -> int:
    """Run `scripts` (each a command line of a script in bench/), then print their figures' table."""
    failed, figures = [], []
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores at the start", flush=True)
    for line in scripts:
        script, *args = shlex.split(line)
        print(f"\n=== bench/{line}", flush=True)
        process = subprocess.Popen(
            [sys.executable, str(HERE / script), *args], stdout=subprocess.PIPE, text=True, bufsize=1
        )
        for output in process.stdout:
            if output.startswith("FIGURE |"):
                figures.append(output.strip().split(" | ")[1:])
            else:
                print(output, end="", flush=True)
        if process.wait():
            failed.append(script)
    print("\n| what | end to end | in-process | floor (same run) | ratio | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in figures:
        print(f"| {' | '.join(row)} |")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end: other work on this machine inflates every figure.")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
