"""The visible cycles, remembered by each process for a moment: every report request needs them,
and they change only when HR publishes a cycle or a roll-up replaces a snapshot.

A request within VISIBLE_CYCLES_SECONDS of such a change may still see the previous list in
another process (in this one, the change forgets it at once): at worst the page as it was a
second before the change, never a figure that the snapshot hides.
"""

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from surveys.models import Cycle

from . import selectors
from .models import CycleSummary

VISIBLE_CYCLES_SECONDS = 2.0

_lock = threading.Lock()
_remembered: tuple[float, list[selectors.VisibleCycle]] | None = None


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


@receiver(post_save, sender=Cycle)
@receiver(post_delete, sender=Cycle)
@receiver(post_save, sender=CycleSummary)
@receiver(post_delete, sender=CycleSummary)
def forget(**kwargs) -> None:
    """A cycle or its summary changed in this process: read the list again at the next request."""
    global _remembered
    with _lock:
        _remembered = None
