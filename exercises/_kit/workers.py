"""Checker-supplied workers: the callables a check passes to the student's code.

Each records what really happened (pid, thread, start and end on the captured clock) so that a
check judges from evidence, not from what the student's code returns. All are picklable
top-level classes, so they work under the fork, spawn and forkserver start methods.
"""
from __future__ import annotations

from .events import Recorder, sleep


class SleepTask:
    """`task(duration)` or `task(name)`: records start, sleeps, records end.

    With `seconds` set, the argument is only a label and every call sleeps `seconds`.
    `fail_on` makes the call for that argument raise RuntimeError after sleeping.
    """

    def __init__(self, recorder: Recorder, seconds: float | None = None,
                 fail_on: object = None) -> None:
        self.recorder = recorder
        self.seconds = seconds
        self.fail_on = fail_on

    def __call__(self, arg: object = None, *rest: object) -> object:
        duration = self.seconds if self.seconds is not None else float(arg)  # type: ignore[arg-type]
        self.recorder.record("start", arg=arg)
        sleep(duration)
        self.recorder.record("end", arg=arg)
        if self.fail_on is not None and arg == self.fail_on:
            raise RuntimeError(f"task {arg!r} failed on purpose")
        return arg


class Step:
    """`step()`: called by the student's code at a point the exercise names (inside a critical
    section, between a read and its write). It records who called it and then yields the CPU
    for `pause` seconds, which turns a possible race or deadlock into a certain one."""

    def __init__(self, recorder: Recorder, pause: float = 0.002, label: str = "step") -> None:
        self.recorder = recorder
        self.pause = pause
        self.label = label

    def __call__(self, *args: object) -> None:
        self.recorder.record(self.label, args=list(args))
        if self.pause:
            sleep(self.pause)




def watch_starts(recorder: Recorder) -> None:
    """Record the pid of every process the student's code starts through multiprocessing
    ("started", child=pid), seen from the parent as start() returns. Under spawn a short-lived
    child can slip between two samples of the process tree; this cannot miss it. The probe
    installs it before the student's module is imported."""
    from multiprocessing.process import BaseProcess
    original = BaseProcess.start
    if getattr(original, "_kit_watch", False):
        return

    def start(self):  # type: ignore[no-untyped-def]
        original(self)
        recorder.record("started", child=self.pid)

    start._kit_watch = True  # type: ignore[attr-defined]
    BaseProcess.start = start  # type: ignore[method-assign]
