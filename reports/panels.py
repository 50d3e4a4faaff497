"""What apps above reports add to its pages, without reports importing them.

An app (actions: commitments and their verdicts) registers a `Panel` in its `AppConfig.ready`. A
report page asks each panel for its part of the page; the page cache key names each panel's
`version`, so that a page is rebuilt as soon as what a panel shows changes.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class BookPart:
    """What a panel adds to a cycle's scorecard book (the workbook and the PDF): a sheet of its own
    (a list exporter: header and typed rows) and a few lines on each department's page."""

    sheet_title: str
    sheet: object  # a reports.exporters.base.ListExporter
    department_lines: dict[int, list[str]]


@dataclass(frozen=True)
class Panel:
    name: str
    # What the panel shows changes when this does (one cheap query at most): part of every page key.
    version: Callable[[], str]
    # HTML for the dashboard of a cycle (a `VisibleCycle`), or "".
    dashboard: Callable[..., str]
    # HTML for a department's scorecard page, or "".
    department: Callable[..., str]
    # Its parts of a cycle's scorecard book (by cycle id), in order.
    book: Callable[[int], list[BookPart]] | None = None


_panels: dict[str, Panel] = {}

# Versions are read at most once per VERSIONS_SECONDS per process, like the visible cycles
# (reports.visible): another process may show a page as it was a moment before a change; this
# process forgets at once (`forget`, called by the panel's app when it writes).
VERSIONS_SECONDS = 2.0
_lock = threading.Lock()
_remembered: tuple[float, dict[str, str]] | None = None


def register(panel: Panel) -> None:
    _panels[panel.name] = panel


def registered() -> list[Panel]:
    return list(_panels.values())


def versions() -> dict[str, str]:
    global _remembered
    now = time.monotonic()
    remembered = _remembered
    if remembered is not None and now - remembered[0] < VERSIONS_SECONDS:
        return remembered[1]
    found = {f"panel-{p.name}": p.version() for p in _panels.values()}
    with _lock:
        _remembered = (now, found)
    return found


def book_parts(*, cycle_id: int) -> list[BookPart]:
    return [part for p in _panels.values() if p.book is not None for part in p.book(cycle_id)]


def forget() -> None:
    """What a panel shows changed: read the versions again at the next request."""
    global _remembered
    with _lock:
        _remembered = None


def _joined(parts) -> SafeString:
    # Each panel renders a template (safe); anything else a panel returns is escaped.
    return mark_safe("".join(conditional_escape(part) for part in parts))


def dashboard_html(*, cycle) -> SafeString:
    return _joined(p.dashboard(cycle=cycle) for p in _panels.values())


def department_html(*, cycle, department_id: int, full: bool) -> SafeString:
    return _joined(p.department(cycle=cycle, department_id=department_id, full=full) for p in _panels.values())
