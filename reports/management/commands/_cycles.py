"""Argument helpers shared by the roll-up and export commands."""

from django.core.management.base import CommandError

from surveys.models import Cycle


def cycle_named(name: str) -> Cycle:
    try:
        return Cycle.objects.get(name=name)
    except Cycle.DoesNotExist:
        raise CommandError(f"No cycle named {name!r} (cycles are named YYYY-Qn, e.g. 2026-Q3).") from None
