"""Scenario for p12_ten_buyers: watch a flash sale from inside the sandbox.

`flash_sale` takes no task to instrument (each buyer puts its own pid, as in the notes), so the
scenario instruments the Queue itself. While the student's function runs, every
`multiprocessing.Queue` the caller makes becomes a `WatchedQueue`: the same queue, which also
records signed events, in whichever process uses it (it travels to spawned buyers by pickling,
and forked buyers inherit it):

    put_try    a buyer is about to put(): the item, and whether this put() may wait forever
    put        after the put(): the item and whether it got a place (ok) or the queue was full
    got        the caller took an item out, in order

The race a wrong program loses is made certain (a `Doors` per queue, shared by every process
that uses the queue): the first `maxsize` put attempts go in at once; every later one waits at
the door until the sale's caller takes an item out (get() returned) or starts joining a
buyer (Process.join), or the caller has been neither starting processes nor waiting in get()
for `hold` seconds (a program that neither reads nor joins: it pays that once). A program that
joins its buyers first sees no difference but the order of the tries; one that reads the queue
while the sale is on always frees a place (its first get) while buyers still wait at the door,
so a latecomer certainly gets in. So that the latecomer is recorded before the caller returns
and the run ends, a get() that opens the door while the sale is on waits until more buyers got
a place than the stock, or every buyer has tried, or none is running (at most CAP seconds).

The scenario also records "spawned" with the pid of every process started by exec (spawn,
forkserver), which the probe's fork hook does not see.
"""
from __future__ import annotations

import inspect
import multiprocessing
import multiprocessing.process as mpp
import multiprocessing.queues as mq
import multiprocessing.util as mu
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from queue import Full
from types import ModuleType
from typing import Any

from .events import Recorder, clock, getpid, sleep

HOLD = 2.0        # seconds a buyer past the stock waits at most for the caller to get or join
CAP = 4 * HOLD    # a get() that opened the door waits at most this long for a latecomer
POLL = 0.005      # how often such a get() looks whether the tries are over
_children: list[Any] = []   # in the caller: the processes it started (kept: their sentinels)


@dataclass
class Doors:
    """The door of one watched queue, shared by every process that uses it (inherited by
    forked buyers, pickled with the queue for spawned ones: semaphores, a pipe and a double,
    nothing that a buyer killed in the middle of its put() can leave locked)."""

    caller: int                     # the pid of the sale's caller: its own puts never wait
    crowd: int | None               # how many buyers the sale has (None: not known)
    stock: int                      # the queue's maxsize: this many tries go in at once
    hold: float
    passes: Any                     # Semaphore(stock): a try that takes one goes in at once
    tries: Any                      # Semaphore(0), released by every put attempt that is over
    placed: Any                     # Semaphore(0), released by every try that got a place
    door_r: Any                     # readable once the door is open (a byte nobody reads)
    door_w: Any
    started: Any                    # RawValue('d'): when the caller last started a process
    since: float | None = None      # the caller's: when its first get() opened the door

    @classmethod
    def make(cls, ctx: Any, stock: int, crowd: int | None, hold: float) -> Doors:
        door_r, door_w = ctx.Pipe(duplex=False)
        return cls(caller=getpid(), crowd=crowd, stock=stock, hold=hold,
                   passes=ctx.Semaphore(min(stock, 1 << 30)), tries=ctx.Semaphore(0),
                   placed=ctx.Semaphore(0), door_r=door_r, door_w=door_w,
                   started=ctx.RawValue("d", clock()))

    def is_open(self) -> bool:
        return bool(self.door_r.poll(0))

    def open(self) -> None:
        if not self.is_open():
            self.door_w.send_bytes(b"1")

    def wait_turn(self) -> None:
        """A buyer's try: at once if a pass is left, else once the door opens, or when the
        caller has been neither starting a process nor waiting in get() for `hold` seconds
        (the buyer then opens the door for everyone). The fallback counts from the caller's
        last start(), not from the buyer's arrival: a caller slow to start its crowd on a
        loaded machine has not yet had the chance to get or join."""
        if getpid() == self.caller or self.passes.acquire(False):
            return
        arrived = clock()
        while True:
            left = max(arrived, self.started.value) + self.hold - clock()
            if left <= 0:
                self.open()
                return
            if self.door_r.poll(left):
                return

    def tried(self, counted: bool, placed: bool) -> None:
        """A try is over (`counted`: a put() that may wait was counted as it began)."""
        if not counted:
            self.tries.release()
        if placed:
            self.placed.release()

    def served(self) -> None:
        """The caller took an item out: a place is free. Open the door; while the sale is on
        (fewer tries over than buyers, some buyer still running), wait until more buyers got
        a place than the stock (the latecomer, recorded before the caller can return) or
        every buyer has tried: at most CAP seconds in all, from the first get()."""
        if self.since is None:
            self.since = clock()
        self.open()
        if self.crowd is None or self.stock >= self.crowd:
            return
        while (self.tries.get_value() < self.crowd and self.placed.get_value() <= self.stock
               and clock() < self.since + CAP and _running(_children)):
            sleep(POLL)

    def reading(self, now: bool) -> None:
        """The caller waits in get(): held buyers do not fall back meanwhile (its get() will
        open the door once an item is there), for at most CAP seconds."""
        if getpid() == self.caller:
            self.started.value = clock() + (CAP if now else 0.0)


def _running(processes: list[Any]) -> bool:
    """Whether a process the caller started is still running (its sentinel not ready yet),
    seen without waiting for it (a zombie stays a zombie for the checks). The processes are
    held, so that a sentinel's fd is not closed and reused while the sale runs."""
    sentinels = set()
    for p in processes:
        try:
            sentinels.add(p.sentinel)
        except ValueError:              # closed by Process.close()
            pass
    try:
        return len(wait(list(sentinels), 0)) < len(sentinels)
    except (OSError, ValueError, KeyError):
        return False


class WatchedQueue(mq.Queue):
    """A multiprocessing Queue that records put and get (see the module docstring)."""

    _recorder: Recorder | None = None
    _doors: Doors | None = None

    def __getstate__(self):
        return super().__getstate__(), self._recorder, self._doors

    def __setstate__(self, state) -> None:
        base, self._recorder, self._doors = state
        super().__setstate__(base)

    def _record(self, kind: str, **data: object) -> None:
        if self._recorder is not None:
            self._recorder.record(kind, **data)

    def put(self, obj, block=True, timeout=None):
        waits = bool(block) and timeout is None
        self._record("put_try", item=obj, waits=waits)
        doors = self._doors
        if doors is not None:
            doors.wait_turn()
            if waits:          # it may never return: its try is over as it begins
                doors.tries.release()
        ok = False
        try:
            super().put(obj, block, timeout)
            ok = True
        except Full:
            self._record("put", item=obj, ok=False)
            raise
        else:
            self._record("put", item=obj, ok=True)
        finally:               # after the record: a caller waiting for the tries sees it
            if doors is not None:
                doors.tried(counted=waits, placed=ok)

    def get(self, block=True, timeout=None):
        if self._doors is not None:
            self._doors.reading(True)
        try:
            item = super().get(block, timeout)
        finally:
            if self._doors is not None:
                self._doors.reading(False)
        self._record("got", item=item)
        if self._doors is not None:
            self._doors.served()
        return item


def _crowd(func: Callable, args: tuple, kwargs: dict) -> int | None:
    """How many buyers this call of flash_sale has, or None if that cannot be told."""
    try:
        bound = inspect.signature(func).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    bound.apply_defaults()
    crowd = bound.arguments.get("buyers", args[0] if args else None)
    return crowd if type(crowd) is int else None


def sale(module: ModuleType, recorder: Recorder, *args: object, hold: float = HOLD,
         **kwargs: object) -> object:
    """Call `module.flash_sale(*args, **kwargs)` with its queues watched; return its value."""
    real_init, real_spawn = mq.Queue.__init__, mu.spawnv_passfds
    real_start, real_join = mpp.BaseProcess.start, mpp.BaseProcess.join
    crowd = _crowd(module.flash_sale, args, kwargs)
    caller = getpid()
    watched: list[Doors] = []

    def init(self: Any, *a: Any, **k: Any) -> None:
        real_init(self, *a, **k)
        if type(self) is mq.Queue:
            ctx = k.get("ctx") or multiprocessing.get_context()
            doors = Doors.make(ctx, vars(self)["_maxsize"], crowd, hold)
            watched.append(doors)
            self.__class__ = WatchedQueue
            vars(self).update(_recorder=recorder, _doors=doors)

    def spawn(path, args, passfds):
        pid = real_spawn(path, args, passfds)
        recorder.record("spawned", child=pid)
        return pid

    def start(self):
        real_start(self)
        if getpid() == caller:     # the fallback of held buyers counts from the last start
            _children.append(self)
            for doors in watched:
                doors.started.value = clock()

    def join(self, timeout=None):
        if getpid() == caller:     # the caller waits for a buyer: the sale is ending
            for doors in watched:
                doors.open()
        return real_join(self, timeout)

    # the instrumentation: this run's multiprocessing, patched while the student's call runs
    mq.Queue.__init__, mu.spawnv_passfds = init, spawn  # type: ignore[method-assign]
    mpp.BaseProcess.start, mpp.BaseProcess.join = start, join  # type: ignore[method-assign]
    _children.clear()
    try:
        return module.flash_sale(*args, **kwargs)
    finally:
        mq.Queue.__init__, mu.spawnv_passfds = real_init, real_spawn  # type: ignore[method-assign]
        mpp.BaseProcess.start, mpp.BaseProcess.join = real_start, real_join  # type: ignore[method-assign]
        _children.clear()


def signature(module: ModuleType, recorder: Recorder) -> dict:
    """The defaults of flash_sale's parameters, as plain data."""
    params = inspect.signature(module.flash_sale).parameters
    return {name: (p.default if p.default is not inspect.Parameter.empty else "<none>")
            for name, p in params.items()}
