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
from typing import Any

from .events import Recorder
from .workers import GatedStep as _GatedStep
from .workers import switching, worker_threads

__all__ = ["GatedStep", "record_locks", "switching", "trace_primitives", "traced_switching",
           "worker_threads"]

_RECORDER: Recorder | None = None       # set by record_locks, when the checker's run begins
_INDEX: dict[int, int] = {}             # id(lock) -> its number in the events


class GatedStep(_GatedStep):
    """Called inside the critical section: a short pause, and no settling (only one worker
    can be inside a correct critical section, so waiting for the others would only cost)."""

    def __init__(self, recorder: Recorder, threads: int, pause: float = 0.005,
                 gate: float = 1.0) -> None:
        super().__init__(recorder, threads, pause=pause, gate=gate, settle=0.0)


def _number(lock: object) -> int:
    return _INDEX.setdefault(id(lock), len(_INDEX))


def _record(event: str, lock: object) -> None:
    if _RECORDER is not None:
        _RECORDER.record(event, lock=_number(lock))


def record_locks(recorder: Recorder) -> None:
    """Record "acquired" (after) and "released" (before) for every lock the student's module
    made (locktrace's traced locks, and the Conditions and Semaphores of trace_primitives):
    who held which lock, and when, seen from the checker's side, however many times the
    student calls step()."""
    global _RECORDER
    _RECORDER = recorder
    from . import locktrace
    cls = locktrace.TracedLock
    if getattr(cls, "_kit_recorded", False):
        return
    acquire, release = cls.acquire, cls.release

    def recorded_acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = acquire(self, blocking, timeout)
        if got:
            _record("acquired", self)
        return got

    def recorded_release(self) -> None:
        _record("released", self)
        release(self)

    # the instrumentation: this run's own lock class records every acquire and release
    cls.acquire, cls.__enter__, cls.release = (  # type: ignore[method-assign]
        recorded_acquire, recorded_acquire, recorded_release)
    cls._kit_recorded = True  # type: ignore[attr-defined]


def _made_by_student(depth: int = 2) -> bool:
    from . import locktrace
    home = locktrace._student_dir
    return bool(home) and sys._getframe(depth).f_code.co_filename.startswith(home)


class _Condition(threading.Condition):
    """threading.Condition, whose instances made by the student's code hold a traced lock
    (a Condition() without a lock gets a traced RLock, as the real one gets an RLock): its
    acquisitions are recorded and a deadlock on it is diagnosed like one on a Lock(). A wait()
    releases the lock and records it. Everyone else's Conditions are the real thing."""

    def __init__(self, lock: Any = None) -> None:
        from . import locktrace
        if not _made_by_student():
            super().__init__(lock)
            return
        if lock is None:
            lock = locktrace.TracedRLock()
        super().__init__(lock)
        if isinstance(lock, locktrace.TracedLock):
            self._kit_lock = lock
            # looked up at each call (record_locks patches the class after this __init__);
            # Condition.__init__ itself sets these two per instance, as done here
            self.acquire = self._kit_acquire  # type: ignore[method-assign]
            self.release = self._kit_release  # type: ignore[method-assign]
            self._is_owned = self._kit_is_owned
            if lock.reentrant:      # wait() releases every level of the lock, then takes them back
                self._release_save = self._kit_release_save
                self._acquire_restore = self._kit_acquire_restore

    def _kit_acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._kit_lock.acquire(blocking, timeout)

    def _kit_release(self) -> None:
        self._kit_lock.release()

    def _kit_is_owned(self) -> bool:
        return self._kit_lock.owner == threading.get_ident()

    def _kit_release_save(self) -> int:
        held = self._kit_lock.count
        for _ in range(held):
            self._kit_lock.release()
        return held

    def _kit_acquire_restore(self, held: int) -> None:
        for _ in range(held):
            self._kit_lock.acquire()


_RealSemaphore = threading.Semaphore
_RealBoundedSemaphore = threading.BoundedSemaphore


class _Recorded:
    """acquire() and release() of a Semaphore made by the student's code record "acquired" and
    "released" like a traced lock (a Semaphore(1) used as the lock). The real class's methods
    are called by name: threading.BoundedSemaphore.__init__ calls the module's Semaphore."""

    _kit_base: Any = _RealSemaphore
    _kit_traced = False

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        got: bool = self._kit_base.acquire(self, blocking, timeout)
        if got and self._kit_traced:
            _record("acquired", self)
        return got

    __enter__ = acquire

    def release(self, n: int = 1) -> None:
        if self._kit_traced:
            for _ in range(n):
                _record("released", self)
        self._kit_base.release(self, n)


class _Semaphore(_Recorded, _RealSemaphore):
    def __init__(self, value: int = 1) -> None:
        _RealSemaphore.__init__(self, value)
        self._kit_traced = _made_by_student()


class _BoundedSemaphore(_Recorded, _RealBoundedSemaphore):
    _kit_base = _RealBoundedSemaphore

    def __init__(self, value: int = 1) -> None:
        _RealBoundedSemaphore.__init__(self, value)
        self._kit_traced = _made_by_student()


def trace_primitives() -> None:
    """When locks are traced (locktrace.install ran: a checker's run), make the Conditions and
    Semaphores that the student's code creates recorded too, so a program that uses one of
    them as its lock is judged on what its workers held, like one that uses Lock or RLock.
    The sandbox imports a scenario before the student's module: this runs then."""
    from . import locktrace
    if locktrace._student_dir and threading.Condition is not _Condition:
        threading.Condition = _Condition  # type: ignore[misc]
        threading.Semaphore = _Semaphore  # type: ignore[misc]
        threading.BoundedSemaphore = _BoundedSemaphore  # type: ignore[misc]


trace_primitives()


def traced_switching(module: object, recorder: Recorder, function: str, *args: object) -> object:
    """`switching`, with the student's lock acquisitions recorded (see record_locks)."""
    record_locks(recorder)
    return switching(module, recorder, function, *args)
