"""Writing an export to a file: into a temporary file beside it, renamed into place when complete,
so a failed export never leaves a half-written file under the requested name. The file gets the
permissions any new file of the user gets (0666 less the umask), like one made by `cp` or Excel."""

import os
import sys
import tempfile
from collections.abc import Callable
from functools import wraps

from django.core.management.base import CommandError

from reports import replica
from reports.exporters import render
from reports.exporters.entry import ExportUnavailable, exportable_cycle


def reads_snapshot(handle):
    """An export command's `handle`, reading the published snapshot from the read replica when
    there is one and it holds the primary's version (reports.replica), else from the primary."""

    @wraps(handle)
    def wrapped(*args, **kwargs):
        with replica.snapshot_reads():
            return handle(*args, **kwargs)

    return wrapped


def exportable(name: str):
    """The cycle to export (reports.exporters.entry: rolled up, not open; unpublished is fine for
    whoever runs the server), or a CommandError that says why not."""
    try:
        found = exportable_cycle(name, unpublished_ok=True)
    except ExportUnavailable as refused:
        raise CommandError(str(refused)) from None
    if found is None:
        raise CommandError(f"No cycle named {name!r} (cycles are named YYYY-Qn, e.g. 2026-Q3).")
    if not found.results_visible:
        replica.on_primary()  # not published: the replica's version check covers published cycles only
    return found


def current_umask() -> int:
    """The process umask, read without changing it where Linux tells it (/proc), else by setting it back."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_export(exporter, fmt: str, path: str | None, stdout) -> int:
    """A list exporter (CSV/flat XLSX) to `path`, or CSV to standard output without one."""
    if path in (None, "-"):
        if fmt != "csv":
            raise CommandError(f"--format {fmt} needs -o PATH.")
        return render(exporter, fmt, sys.stdout if stdout is None else stdout)
    return write_file(path, fmt, lambda stream: render(exporter, fmt, stream))


def write_file(path: str, fmt: str, write: Callable) -> int:
    """Call `write(stream)` on a temporary file (text for csv, binary otherwise), then move it to `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=f".{fmt}")
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror} ({directory}).") from None
    try:
        # mkstemp makes the file private (0600); an export is meant to be shared like any other file.
        os.fchmod(handle, 0o666 & ~current_umask())
        if fmt == "csv":
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                count = write(stream)
        else:
            with os.fdopen(handle, "wb") as stream:
                count = write(stream)
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
    except BaseException:
        os.unlink(temporary)
        raise
    return count
