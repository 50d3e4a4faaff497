"""The one way surveys asks for roll-ups, without importing reports.

Roll-ups live in `reports`, which reads `surveys`, never the reverse. Closing a cycle, importing
answers, publishing, the close messages and the demo need four things of it; `reports` registers
them when the app registry is ready (ReportsConfig.ready). With nothing registered (surveys used
alone), requests are refused loudly and there is no roll-up to wait for.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RollupBackend:
    request: Callable  # request(*, cycle) -> run: enqueued when the caller's transaction commits
    finished: Callable[[int], bool]  # finished(cycle_id): whether its latest roll-up is complete
    outlook: Callable  # outlook(*, cycle_id) -> (as_expected, words): what became of the last request
    compute: Callable  # compute(*, cycle_id): roll up now, in this process


_backend: RollupBackend | None = None


def register(backend: RollupBackend) -> None:
    global _backend
    _backend = backend


def _required() -> RollupBackend:
    if _backend is None:
        raise RuntimeError("No roll-up backend is registered: is 'reports' in INSTALLED_APPS?")
    return _backend


def rollup_request(*, cycle):
    return _required().request(cycle=cycle)


def rollup_finished(cycle_id: int) -> bool:
    return True if _backend is None else _backend.finished(cycle_id)


def rollup_outlook(*, cycle_id: int) -> tuple[bool, str]:
    return _required().outlook(cycle_id=cycle_id)


def rollup_compute(*, cycle_id: int):
    return _required().compute(cycle_id=cycle_id)
