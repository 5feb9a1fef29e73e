"""Scenario for t07_semaphore (a Semaphore bounds concurrency).

The visitors are the generic `SleepTask(seconds=...)`: `visit(i)` records "start" with arg i,
stays in the room, records "end". `calling` records which thread called `visit_room`, so a
check can tell visits made in threads of their own from visits made by the caller.
"""
from __future__ import annotations

from .events import Recorder


def calling(module: object, recorder: Recorder, function: str, *args: object) -> object:
    recorder.record("caller")
    return getattr(module, function)(*args)
