"""The visible cycles and the departments, remembered by each process for a moment: every report
request needs them, and they change only when HR publishes a cycle, a roll-up replaces a snapshot
or someone edits a department.

A request within VISIBLE_CYCLES_SECONDS of such a change may still see the previous list in
another process (in this one, the change forgets it at once): at worst the page as it was a
second before the change, never a figure that the snapshot hides.
"""

import hashlib
import threading
import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from surveys.models import Cycle, Department, Dimension

from . import selectors
from .models import CycleSummary

VISIBLE_CYCLES_SECONDS = 2.0

_lock = threading.Lock()
_remembered: tuple[float, list[selectors.VisibleCycle]] | None = None
_departments: tuple[float, dict[str, Department]] | None = None
_labels: tuple[float, dict[str, str]] | None = None


def visible_cycles() -> list[selectors.VisibleCycle]:
    """`selectors.visible_cycles()`, read at most once per VISIBLE_CYCLES_SECONDS per process."""
    global _remembered
    now = time.monotonic()
    remembered = _remembered
    if remembered is not None and now - remembered[0] < VISIBLE_CYCLES_SECONDS:
        return remembered[1]
    cycles = selectors.visible_cycles()
    with _lock:
        _remembered = (now, cycles)
    return cycles


def _all_departments() -> dict[str, Department]:
    global _departments
    now = time.monotonic()
    remembered = _departments
    if remembered is None or now - remembered[0] >= VISIBLE_CYCLES_SECONDS:
        remembered = (now, {d.slug: d for d in Department.objects.all()})
        with _lock:
            _departments = remembered
    return remembered[1]


def department_by_slug(slug: str) -> Department | None:
    """`selectors.department_by_slug()`, from every department read at most once per
    VISIBLE_CYCLES_SECONDS per process (a few dozen rows)."""
    return _all_departments().get(slug)


_names: tuple[dict, dict, str] | None = None  # (the departments, the labels, their version)


def names_version() -> str:
    """Changes when a department or a dimension is renamed (or one is added or removed): the names
    every report page shows, read with the departments above and the labels below. Worked out once
    per reading of them (every report request asks; 200 departments' names took ~0.1 ms)."""
    global _names
    departments, labels = _all_departments(), _dimension_labels()
    known = _names
    if known is not None and known[0] is departments and known[1] is labels:
        return known[2]
    rows = sorted((d.id, d.name, d.slug, d.is_executive_office) for d in departments.values())
    text = repr((rows, sorted(labels.items())))
    version = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    _names = (departments, labels, version)  # kept by reference: compared by identity, never reused
    return version


def _dimension_labels() -> dict[str, str]:
    global _labels
    now = time.monotonic()
    remembered = _labels
    if remembered is None or now - remembered[0] >= VISIBLE_CYCLES_SECONDS:
        remembered = (now, dict(Dimension.objects.values_list("slug", "label")))
        with _lock:
            _labels = remembered
    return remembered[1]


@receiver(post_save, sender=Department)
@receiver(post_delete, sender=Department)
@receiver(post_save, sender=Cycle)
@receiver(post_delete, sender=Cycle)
@receiver(post_save, sender=CycleSummary)
@receiver(post_delete, sender=CycleSummary)
@receiver(post_save, sender=Dimension)
def forget(**kwargs) -> None:
    """A cycle, its summary, a department or a dimension changed in this process: read again at the
    next request."""
    global _remembered, _departments, _labels
    with _lock:
        _remembered = _departments = _labels = None
