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

__all__ = ["GatedStep", "record_locks", "switching", "traced_switching", "worker_threads"]


class GatedStep(_GatedStep):
    """Called inside the critical section: a short pause, and no settling (only one worker
    can be inside a correct critical section, so waiting for the others would only cost)."""

    def __init__(self, recorder: Recorder, threads: int, pause: float = 0.005,
                 gate: float = 1.0) -> None:
        super().__init__(recorder, threads, pause=pause, gate=gate, settle=0.0)


def record_locks(recorder: Recorder) -> None:
    """Record "acquired" (after) and "released" (before) for every lock the student's module
    made (locktrace's traced locks): who held which lock, and when, seen from the checker's
    side, however many times the student calls step()."""
    from . import locktrace
    cls = locktrace.TracedLock
    if getattr(cls, "_kit_recorded", False):
        return
    acquire, release = cls.acquire, cls.release
    index: dict[int, int] = {}

    def number(lock: object) -> int:
        return index.setdefault(id(lock), len(index))

    def recorded_acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = acquire(self, blocking, timeout)
        if got:
            recorder.record("acquired", lock=number(self))
        return got

    def recorded_release(self) -> None:
        recorder.record("released", lock=number(self))
        release(self)

    # the instrumentation: this run's own lock class records every acquire and release
    cls.acquire, cls.__enter__, cls.release = (  # type: ignore[method-assign]
        recorded_acquire, recorded_acquire, recorded_release)
    cls._kit_recorded = True  # type: ignore[attr-defined]


def traced_switching(module: object, recorder: Recorder, function: str, *args: object) -> object:
    """`switching`, with the student's lock acquisitions recorded (see record_locks)."""
    record_locks(recorder)
    return switching(module, recorder, function, *args)
