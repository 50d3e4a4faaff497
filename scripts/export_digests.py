"""One sha256 per export file of two generated companies, so that a refactor can show its files
are byte-identical before and after (compare the output of two runs with `diff`).

    .venv/bin/python scripts/export_digests.py > digests.txt
    .venv/bin/python scripts/export_digests.py --company demo   # one company only

Each company is built in a fresh SQLite database in a temporary folder (deleted afterwards):
`demo` is `manage.py seed_demo`, `big` is `manage.py seed_demo --people 10000`. For every cycle
with results it writes every export as users get it: `export_scorecards` (csv, xlsx, pdf) and
`export_links` as commands, HR's downloads (the scorecards in each format and every department's
PDF) through the web client, and the flat XLSX sheet of each list export. The clock is frozen
from the seeding on, so the cycles, the PDF's "Made" date and the XLSX properties are fixed; the
exports' random order of comments is seeded the same way (see `_seeded_shuffles`).
"""

import argparse
import datetime
import hashlib
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FROZEN = datetime.datetime(2026, 5, 15, 12, 0, tzinfo=datetime.UTC)
COMPANIES = {"demo": None, "big": 10_000}  # name: seed_demo --people (None: its default)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--company", choices=COMPANIES, action="append", help="default: every company")
    parser.add_argument("--database", help=argparse.SUPPRESS)  # set for the child process of one company
    args = parser.parse_args()
    if args.database:
        (company,) = args.company
        _digest_company(company, args.database)
        return
    for company in args.company or COMPANIES:
        with tempfile.TemporaryDirectory(prefix="export-digests-") as folder:
            database = str(Path(folder) / "db.sqlite3")
            # A process per company: a clean Django, settings read from a clean environment.
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CHAINSURVEY_"))}
            env.pop("REDIS_URL", None)  # roll-ups run in-process
            env["DATABASE_URL"] = f"sqlite:///{database}"
            command = [sys.executable, __file__, "--company", company, "--database", database]
            subprocess.run(command, check=True, env=env, cwd=ROOT)


def _digest_company(company: str, database: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "chainsurvey.settings"
    import django

    django.setup()
    import time_machine
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with time_machine.travel(FROZEN, tick=False), _seeded_shuffles():
        people = COMPANIES[company]
        call_command("seed_demo", *([] if people is None else ["--people", str(people)]), stdout=io.StringIO())
        _describe(company)
        with tempfile.TemporaryDirectory(prefix="files-", dir=os.path.dirname(database)) as folder:
            for name, content in _exports(Path(folder)):
                print(f"{hashlib.sha256(content).hexdigest()}  {company}/{name}", flush=True)


def _describe(company: str) -> None:
    from surveys.models import Answer, Cycle, Employee

    cycles = ", ".join(Cycle.objects.with_results().order_by("name").values_list("name", flat=True))
    people, answers = Employee.objects.count(), Answer.objects.count()
    print(f"{company}: {people} people, {answers} answers, cycles with results {cycles}", file=sys.stderr)


class _seeded_shuffles:
    """Exports list comments in a fresh random order each time (random.SystemRandom): make every
    SystemRandom made meanwhile a Random seeded alike, so the same rows give the same file."""

    def __enter__(self):
        import random

        class Seeded(random.Random):
            def __init__(self, *args):
                super().__init__(0)

        self.random, self.original = random, random.SystemRandom
        random.SystemRandom = Seeded

    def __exit__(self, *exc):
        self.random.SystemRandom = self.original


def _exports(folder: Path):
    """(file name, bytes) of every export of every cycle with results."""
    from django.core.management import call_command
    from django.test import Client

    from reports.exporters import LinkExporter, ScorecardExporter, render
    from surveys.models import Cycle, Department, Employee
    from surveys.roles import Role

    client = Client(HTTP_HOST="localhost")
    client.force_login(Employee.objects.filter(role=Role.HR).order_by("employee_id").first().user)
    departments = list(Department.objects.order_by("slug"))
    for cycle in Cycle.objects.with_results().order_by("name"):
        for fmt in ("csv", "xlsx", "pdf"):
            path = folder / f"scorecards.{fmt}"
            call_command("export_scorecards", cycle.name, "--format", fmt, "-o", str(path), stdout=io.StringIO())
            yield f"{cycle.name}/export_scorecards.{fmt}", path.read_bytes()
        path = folder / "links.csv"
        call_command("export_links", cycle.name, "-o", str(path), stdout=io.StringIO())
        yield f"{cycle.name}/export_links.csv", path.read_bytes()
        for exporter in (ScorecardExporter, LinkExporter):
            stream = io.BytesIO()
            render(exporter(cycle_id=cycle.id), "xlsx", stream)
            yield f"{cycle.name}/{exporter.__name__}-flat.xlsx", stream.getvalue()
        for fmt in ("csv", "xlsx", "pdf"):
            url = f"/reports/{cycle.name}/scorecards.{fmt}"
            yield f"{cycle.name}/download/scorecards.{fmt}", _download(client, url)
        for department in departments:
            url = f"/reports/{cycle.name}/departments/{department.slug}/scorecard.pdf"
            content = _download(client, url, missing_ok=True)
            if content is not None:
                yield f"{cycle.name}/download/{department.slug}-scorecard.pdf", content


def _download(client, url: str, *, missing_ok: bool = False) -> bytes | None:
    response = client.get(url)
    if response.status_code == 404 and missing_ok:
        return None
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    return b"".join(response.streaming_content) if response.streaming else response.content


if __name__ == "__main__":
    main()
