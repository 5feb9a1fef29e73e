"""Scenarios for p03_pids (see docs/authoring.md)."""
from __future__ import annotations

from .events import Recorder


def watch_starts(recorder: Recorder) -> None:
    """Record the pid of every process the student's code starts through multiprocessing
    ("started", child=pid), seen from the parent as start() returns. Under spawn a short-lived
    child can slip between two samples of the process tree; this cannot miss it."""
    from multiprocessing.process import BaseProcess
    original = BaseProcess.start
    if getattr(original, "_kit_watch", False):
        return

    def start(self):  # type: ignore[no-untyped-def]
        original(self)
        recorder.record("started", child=self.pid)

    start._kit_watch = True  # type: ignore[attr-defined]
    BaseProcess.start = start  # type: ignore[method-assign]


def ids(module, recorder: Recorder) -> object:  # type: ignore[no-untyped-def]
    """child_ids(), with every process it starts recorded from the parent's side."""
    watch_starts(recorder)
    return module.child_ids()
