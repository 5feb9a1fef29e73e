"""Workers and a scenario for t05_thread_lock (a Lock protects read-modify-write).

`GatedStep` is the `step()` the student's thread calls between reading x and writing x-1. It
turns the lost update into a certainty instead of a likelihood:

* the first call waits (up to `gate` seconds) until all `threads` worker threads are running,
  then (up to `settle` seconds) until all of them have called step(): without a lock every
  thread has read the same x before anyone writes it back; with a lock the others are queued
  at the lock, which is exactly what the lesson shows;
* every call then sleeps `pause` seconds, yielding the CPU between the read and the write.

It records "step" on entry (with how many worker threads were alive) and "step_end" on exit,
so a check sees who was between read and write, and when.
"""
from __future__ import annotations

import sys
import threading

from .events import Recorder, clock, sleep


def worker_threads() -> int:
    """Threads alive in this process other than the main thread and the kit's own."""
    main = threading.main_thread()
    return sum(1 for t in threading.enumerate()
               if t is not main and not t.name.startswith("kit-"))


class GatedStep:
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
        self.recorder.record("step", alive=alive, gated=not self._gate_done)
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
