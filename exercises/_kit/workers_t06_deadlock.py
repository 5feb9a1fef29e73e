"""Workers and a scenario for t06_deadlock (deadlock, and the recursive lock that resolves it).

`GatedStep` is the `step()` a worker calls right after each lock it acquires, inside the
critical section. It records "step" (who is inside, and how many worker threads were alive),
then pauses, yielding the CPU while the lock is held: with two separate locks taken in
opposite orders, another worker certainly grabs the other lock meanwhile, so the deadlock
happens every time instead of once in a while. The first call also waits (up to `gate`
seconds) until all `threads` workers are running, so a check can tell workers that contend
for the lock from workers started and joined one by one.
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
    def __init__(self, recorder: Recorder, threads: int, pause: float = 0.005,
                 gate: float = 1.0) -> None:
        self.recorder = recorder
        self.threads = threads
        self.pause = pause
        self.gate = gate
        self._gate_done = False

    def __call__(self, *args: object) -> None:
        self.recorder.record("step")
        if not self._gate_done:
            alive, deadline = worker_threads(), clock() + self.gate
            while alive < self.threads and clock() < deadline:
                sleep(0.002)
                alive = worker_threads()
            self._gate_done = True
            self.recorder.record("gate", alive=alive)
        if self.pause:
            sleep(self.pause)


def switching(module: object, recorder: Recorder, function: str, *args: object) -> object:
    """Call `module.function(*args)` with the thread switch interval made tiny, so threads
    are interrupted as often as the interpreter allows."""
    sys.setswitchinterval(1e-5)
    recorder.record("caller")
    return getattr(module, function)(*args)
