"""Run every benchmark in turn (each prints its figures and its ratio to a floor measured in the
same run). Needs DATABASE_URL pointing at PostgreSQL; each script works in a throwaway database."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["survey_submit.py", "ballots.py", "import_responses.py", "rollup.py", "exports.py", "pages.py"]


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"\n=== bench/{script}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script)], check=False).returncode:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
