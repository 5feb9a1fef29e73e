"""Workers for p06_terminate: a task that takes a moment to act on SIGTERM.

A real process rarely vanishes the instant it is sent SIGTERM: the kernel has to schedule it,
and it may be flushing a file. `SlowToStop` makes that moment long and certain (`linger`
seconds), so that code which reads `is_alive()` or `exitcode` right after `terminate()`,
without `join()`, sees the process still alive every time, not just most of the time.
"""
from __future__ import annotations

import signal
from types import ModuleType

from .events import Recorder, clock, sleep

_CAN_HOLD = hasattr(signal, "pthread_sigmask") and hasattr(signal, "sigpending")


def _hold_sigterm(hold: bool) -> None:
    if _CAN_HOLD:
        signal.pthread_sigmask(signal.SIG_BLOCK if hold else signal.SIG_UNBLOCK, {signal.SIGTERM})


class SlowToStop:
    """`task()`: runs for `seconds` unless it is sent SIGTERM; then it records "term", takes
    `linger` seconds to wind down, and dies of that SIGTERM (exit code -SIGTERM).

    Events: "start"; then either "end" (it ran to its end) or "term" (when SIGTERM reached
    it). SIGTERM is held (blocked) from the moment the worker is built, in this process and in
    every process forked from it (the signal mask is inherited), so a SIGTERM that arrives
    before the task has even started still waits for the task, which then decides when it
    takes effect. Without POSIX signal masks (Windows) it is a plain sleep."""

    def __init__(self, recorder: Recorder, seconds: float = 5.0, linger: float = 0.4,
                 poll: float = 0.005) -> None:
        self.recorder = recorder
        self.seconds = seconds
        self.linger = linger
        self.poll = poll
        _hold_sigterm(True)

    def __call__(self, *args: object) -> None:
        self.recorder.record("start")
        if not _CAN_HOLD:
            sleep(self.seconds)
            self.recorder.record("end")
            return
        _hold_sigterm(True)            # a spawned process does not inherit the mask
        deadline = clock() + self.seconds
        while signal.SIGTERM not in signal.sigpending():
            if clock() >= deadline:
                self.recorder.record("end")
                _hold_sigterm(False)
                return
            sleep(self.poll)
        self.recorder.record("term")
        sleep(self.linger)             # winding down: the process is still alive meanwhile
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        except ValueError:             # not the main thread: the disposition stays as it is
            pass
        _hold_sigterm(False)           # the pending SIGTERM is delivered now: the process dies
        sleep(1.0)                     # pragma: no cover - not reached
        raise SystemExit("SIGTERM did not stop the process")


def stop(module: ModuleType, recorder: Recorder, task: SlowToStop, seconds: float) -> object:
    """`stop_after(task, seconds)`, recording from the parent's side, as each process starts,
    whether it is the one that runs the checker's task ("task_process", runs_task): its
    target, one of its arguments or one of its attributes is that very task. Under spawn a
    task stopped while its interpreter boots never records anything itself; this still shows
    that its process was started to run it."""
    from multiprocessing.process import BaseProcess
    original = BaseProcess.start

    def holds_task(proc: BaseProcess) -> bool:
        target = getattr(proc, "_target", None)
        found = [target, *getattr(proc, "_args", ()), *getattr(proc, "_kwargs", {}).values(),
                 *vars(proc).values()]
        # a wrapper around the task: a closure (lambda, nested function), a partial, a bound
        # method of an object that keeps it
        for cell in getattr(target, "__closure__", None) or ():
            try:
                found.append(cell.cell_contents)
            except ValueError:          # an empty cell
                pass
        found += [getattr(target, "func", None), *(getattr(target, "args", None) or ())]
        owner = getattr(target, "__self__", None)
        if owner is not None and hasattr(owner, "__dict__"):
            found += list(vars(owner).values())
        return any(x is task for x in found)

    def start(self: BaseProcess) -> None:
        runs_task = holds_task(self)    # before start(), which drops _target, _args, _kwargs
        original(self)
        recorder.record("task_process", runs_task=runs_task, child=self.pid)

    # the instrumentation: this run's multiprocessing, patched while the student's call runs
    BaseProcess.start = start  # type: ignore[method-assign]
    try:
        return module.stop_after(task, seconds)
    finally:
        BaseProcess.start = original  # type: ignore[method-assign]
