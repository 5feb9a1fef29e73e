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

from .events import Recorder
from .workers import GatedStep as _GatedStep
from .workers import switching, worker_threads

__all__ = ["GatedStep", "switching", "worker_threads"]


class GatedStep(_GatedStep):
    """Called inside the critical section: a short pause, and no settling (only one worker
    can be inside a correct critical section, so waiting for the others would only cost)."""

    def __init__(self, recorder: Recorder, threads: int, pause: float = 0.005,
                 gate: float = 1.0) -> None:
        super().__init__(recorder, threads, pause=pause, gate=gate, settle=0.0)
