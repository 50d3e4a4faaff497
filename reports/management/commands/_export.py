"""Writing an export to a file: into a temporary file beside it, renamed into place when complete,
so a failed export never leaves a half-written file under the requested name."""

import os
import sys
import tempfile

from django.core.management.base import CommandError

from reports.exporters import ExportFormatNotAvailable, render
from reports.models import CycleSummary


def ensure_rolled_up(cycle) -> None:
    if not CycleSummary.objects.filter(cycle=cycle).exists():
        raise CommandError(f"Cycle {cycle.name} has no roll-up yet: run `python manage.py rollup {cycle.name}` first.")


def write_export(exporter, fmt: str, path: str | None, stdout) -> int:
    if path in (None, "-"):
        if fmt != "csv":
            raise CommandError(f"--format {fmt} needs -o PATH.")
        return _render(exporter, fmt, sys.stdout if stdout is None else stdout)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=f".{fmt}")
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror} ({directory}).") from None
    try:
        if fmt == "csv":
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                count = _render(exporter, fmt, stream)
        else:
            with os.fdopen(handle, "wb") as stream:
                count = _render(exporter, fmt, stream)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
    except BaseException:
        os.unlink(temporary)
        raise
    return count


def _render(exporter, fmt, stream) -> int:
    try:
        return render(exporter, fmt, stream)
    except ExportFormatNotAvailable as error:
        raise CommandError(str(error)) from None
