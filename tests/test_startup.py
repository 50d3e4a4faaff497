"""Start-up stays as cheap as Django's own: pandas, numpy, SciPy, Plotly and the spreadsheet writers
load only when a command or request actually needs them, not when a process starts.

Each check runs in a fresh interpreter (a subprocess): within the test process they are loaded already.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "scipy", "plotly", "openpyxl", "xlsxwriter")


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chainsurvey.settings"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _top_level_imports(importtime_log: str) -> set[str]:
    """Module names from `python -X importtime` output ("import time: self | cumulative | name")."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_manage_py_check_imports_no_heavy_library():
    result = _run("-X", "importtime", "manage.py", "check")
    assert result.returncode == 0, result.stderr[-2000:]
    imported = _top_level_imports(result.stderr)
    assert "django" in imported  # the log was read
    assert not imported & set(HEAVY), f"manage.py check imported {sorted(imported & set(HEAVY))}"
    # Celery too (~0.15-0.3 s) loads only where a task is sent or run, and so does its kombu.
    assert "celery" not in imported
    assert "kombu" not in imported


# What each kind of process loads when it starts: every management command's module (what
# `manage.py CMD --help` loads), the web process's URLconf with every view, and the worker's task modules.
_PROCESS_STARTS = """
import sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
from django.urls import get_resolver
from chainsurvey.celery import app
HEAVY = {heavy!r}
loaded = lambda: sorted(name for name in HEAVY if name in sys.modules)
for name, app_name in sorted(get_commands().items()):
    load_command_class(app_name, name)
    if loaded():
        sys.exit(f"command {{name}} loads {{loaded()}}")
get_resolver().url_patterns
if loaded():
    sys.exit(f"the URLconf and views load {{loaded()}}")
app.loader.import_default_modules()
assert "reports.tasks" in sys.modules and "surveys.tasks" in sys.modules
if loaded():
    sys.exit(f"the worker's task modules load {{loaded()}}")
"""


def test_commands_web_and_worker_start_without_heavy_libraries():
    result = _run("-c", _PROCESS_STARTS.format(heavy=HEAVY))
    assert result.returncode == 0, result.stderr[-2000:]
