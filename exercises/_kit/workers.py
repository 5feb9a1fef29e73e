"""Checker-supplied workers: the callables a check passes to the student's code.

Each records what really happened (pid, thread, start and end on the captured clock) so that a
check judges from evidence, not from what the student's code returns. All are picklable
top-level classes, so they work under the fork, spawn and forkserver start methods.
"""
from __future__ import annotations

import sys
import threading
from types import ModuleType

from .afterimport import after_import
from .events import Recorder, clock, sleep


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
        duration = self.seconds if self.seconds is not None else float(arg)  # type: ignore[arg-type]  # the check passes a number
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
    installs it before the student's module is imported; it takes effect when
    multiprocessing is first imported (afterimport.py), before anything can be started."""
    after_import("multiprocessing.process", lambda module: _patch_process(module, recorder))


def _patch_process(module: ModuleType, recorder: Recorder) -> None:
    base = module.BaseProcess
    original = base.start
    if getattr(original, "_kit_watch", False):
        return

    def start(self):
        original(self)
        recorder.record("started", child=self.pid, name=self.name)

    start._kit_watch = True  # type: ignore[attr-defined]  # a mark on the function: patched once
    terminate_original = base.terminate

    def terminate(self):
        # seen from the parent as terminate() is called: the child's own record of SIGTERM
        # can be lost when the program returns right after it and the run ends
        recorder.record("terminated", child=self.pid)
        terminate_original(self)

    # the instrumentation: the run's own copy of multiprocessing
    base.start, base.terminate = start, terminate


def called_from() -> dict:
    """Where the worker was called from: {"line", "func"} of the frame that called the
    worker's __call__ (the student's line that called step()). A pointer for feedback only."""
    caller = sys._getframe(2)
    return {"line": caller.f_lineno, "func": caller.f_code.co_name}


def worker_threads() -> int:
    """Threads alive in this process other than the main thread and the kit's own."""
    main = threading.main_thread()
    return sum(1 for t in threading.enumerate()
               if t is not main and not t.name.startswith("kit-"))


class GatedStep:
    """`step()` for thread exercises: records "step" on entry and "step_end" on exit; the
    first call waits (up to `gate` s) until `threads` worker threads are running, then (up to
    `settle` s) until all of them have called step(); every call then pauses `pause` s,
    yielding the CPU. It turns a lost update or a deadlock into a certainty."""

    def __init__(self, recorder: Recorder, threads: int, pause: float = 0.02,
                 gate: float = 1.0, settle: float = 0.1) -> None:
        self.recorder = recorder
        self.threads = threads
        self.pause = pause
        self.gate = gate
        self.settle = settle
        self._gate_done = False
        self._callers = 0
        self._count_lock = threading.Lock()    # made in a kit file: never traced

    def __call__(self, *args: object) -> None:
        alive = worker_threads()
        self.recorder.record("step", alive=alive, gated=not self._gate_done, **called_from())
        with self._count_lock:
            self._callers += 1
        if not self._gate_done:
            # Only the first callers wait: once all threads ran together (or the gate gave
            # up, e.g. because they are started and joined one by one) the gate stays open.
            deadline = clock() + self.gate
            while alive < self.threads and clock() < deadline:
                sleep(0.002)
                alive = worker_threads()
            # All are running. Without a lock each of them is about to read x and call
            # step() too: give them `settle` seconds to do so before anyone writes, so that
            # every read sees the same x. With a lock they are queued, and this costs
            # `settle` once.
            settle = min(clock() + self.settle, deadline)
            while self._callers < self.threads and clock() < settle:
                sleep(0.002)
            self._gate_done = True
            self.recorder.record("gate", alive=alive)
        if self.pause:
            sleep(self.pause)
        self.recorder.record("step_end")


def switching(module: object, recorder: Recorder, function: str, *args: object) -> object:
    """Call `module.function(*args)` with the thread switch interval made tiny, so threads
    are interrupted as often as the interpreter allows."""
    sys.setswitchinterval(1e-5)
    recorder.record("caller")
    return getattr(module, function)(*args)
