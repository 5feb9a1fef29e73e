"""Traced locks: who holds which lock (and from which line), who waits for which.

`install(student_dir)` makes `threading.Lock()` and `threading.RLock()` return traced locks when
they are created by code in `student_dir`; every other caller (the standard library included)
gets the real thing. `find_cycle()` reads the wait-for graph: thread T waits for lock L, L is
held by thread U, U waits for ... back to T.
"""
from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from types import FrameType

_real_lock = threading.Lock
_real_rlock = threading.RLock
_WAITING: dict[int, tuple[TracedLock, str]] = {}   # thread ident -> (lock, "file:line")
_LOCKS: list[TracedLock] = []
_student_dir = ""


def _site(depth: int = 2) -> str:
    frame: FrameType | None = sys._getframe(depth)
    while frame is not None and not frame.f_code.co_filename.startswith(_student_dir):
        frame = frame.f_back
    if frame is None:
        return "?"
    return f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno}"


class TracedLock:
    reentrant = False

    def __init__(self) -> None:
        self._inner = _real_rlock() if self.reentrant else _real_lock()
        self.owner: int | None = None
        self.owner_site = ""
        self.count = 0
        self.created_at = _site(3)
        self.name = ""          # filled in by the diagnosis from the student's globals
        _LOCKS.append(self)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        me = threading.get_ident()
        site = _site()
        if blocking:
            _WAITING[me] = (self, site)
        try:
            got = self._inner.acquire(blocking, timeout)
        finally:
            _WAITING.pop(me, None)
        if got:
            self.owner, self.owner_site = me, site
            self.count += 1
        return got

    def release(self) -> None:
        self.count -= 1
        if self.count <= 0:
            self.owner, self.owner_site, self.count = None, "", 0
        self._inner.release()

    def locked(self) -> bool:
        return self.owner is not None

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()


class TracedRLock(TracedLock):
    reentrant = True


def _make(kind: type[TracedLock], real):
    def factory(*args, **kwargs):
        caller = sys._getframe(1).f_code.co_filename
        if _student_dir and caller.startswith(_student_dir):
            return kind()
        return real(*args, **kwargs)
    return factory


def install(student_dir: str) -> None:
    global _student_dir
    _student_dir = student_dir
    threading.Lock = _make(TracedLock, _real_lock)
    threading.RLock = _make(TracedRLock, _real_rlock)


@dataclass
class Wait:
    thread: str
    waits_for: str
    at: str
    holder: str
    held_since: str


def _names(module_globals: dict) -> None:
    for key, value in module_globals.items():
        if isinstance(value, TracedLock) and not value.name:
            value.name = key
    for lock in _LOCKS:
        if not lock.name:
            lock.name = f"lock created at {lock.created_at}"


def find_cycle(module_globals: dict) -> list[Wait]:
    """The wait-for cycle among threads, or [] if there is none."""
    _names(module_globals)
    names = {t.ident: t.name for t in threading.enumerate()}
    waits = {tid: (lock, site) for tid, (lock, site) in list(_WAITING.items())}
    for start in waits:
        seen: list[int] = []
        tid: int | None = start
        while tid is not None and tid in waits and tid not in seen:
            seen.append(tid)
            tid = waits[tid][0].owner
        if tid is not None and tid in seen:
            cycle = seen[seen.index(tid):]
            return [Wait(thread=names.get(t, str(t)), waits_for=waits[t][0].name, at=waits[t][1],
                         holder=names.get(waits[t][0].owner, "?"),
                         held_since=waits[t][0].owner_site) for t in cycle]
    return []


def describe(cycle: list[Wait]) -> str:
    holds = {w.holder: (w.waits_for, w.held_since) for w in cycle}
    parts = []
    for w in cycle:
        held = holds.get(w.thread)
        have = f"holds {held[0]} (taken at {held[1]}) and " if held else ""
        parts.append(f"{w.thread} {have}waits for {w.waits_for} at {w.at}")
    return "; ".join(parts)
