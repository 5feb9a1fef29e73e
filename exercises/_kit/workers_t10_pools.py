"""Workers and a scenario for t10_pools (pools): a job that records when it really ran."""
from __future__ import annotations

import threading
from typing import SupportsFloat, cast

from .events import Recorder, clock, sleep

_enumerate = threading.enumerate     # taken at import (see workers_t09_socket_server)


class JobFailed(Exception):
    """The exception a failing job raises: the caller of map_with_pool must see this very type."""


class Job:
    """`func(item)`: records start, sleeps `item` seconds, records end, returns "item:salt".

    `salt` is chosen by the checker, so the results cannot be made up without running the jobs.
    For `fail_on`, the job raises JobFailed after sleeping."""

    def __init__(self, recorder: Recorder, salt: str = "", fail_on: object = None) -> None:
        self.recorder = recorder
        self.salt = salt
        self.fail_on = fail_on

    def __call__(self, item: object) -> str:
        self.recorder.record("start", arg=item)
        sleep(float(cast(SupportsFloat, item)))
        self.recorder.record("end", arg=item)
        if self.fail_on is not None and item == self.fail_on:
            raise JobFailed(f"job {item!r} failed on purpose ({self.salt})")
        return f"{item}:{self.salt}"


def threads_left(module, recorder: Recorder, func, items, kind, workers):
    """Calls map_with_pool, then names the threads it started that are still alive (after a
    0.5 s grace for threads that are on their way out)."""
    before = set(_enumerate())
    value = module.map_with_pool(func, items, kind, workers)
    deadline = clock() + 0.5
    while True:
        left = [t.name for t in _enumerate() if t not in before and t.is_alive()]
        if not left or clock() > deadline:
            break
        sleep(0.02)
    return {"left": left, "value_type": type(value).__name__}
