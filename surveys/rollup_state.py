"""How surveys learns whether a cycle's roll-up has finished, without importing reports.

Roll-ups live in `reports`, which depends on `surveys`, never the reverse. `reports` registers
its answer here when the app registry is ready (ReportsConfig.ready); with nothing registered
(surveys used alone) there is no roll-up to wait for.
"""

from collections.abc import Callable

_finished: Callable[[int], bool] | None = None


def register_rollup_finished(check: Callable[[int], bool]) -> None:
    """Install `check(cycle_id) -> bool`: whether that cycle's latest roll-up is complete."""
    global _finished
    _finished = check


def rollup_finished(cycle_id: int) -> bool:
    return True if _finished is None else _finished(cycle_id)
