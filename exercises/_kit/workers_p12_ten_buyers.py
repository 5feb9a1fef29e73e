"""Scenario for p12_ten_buyers: watch a flash sale from inside the sandbox.

`flash_sale` takes no task to instrument (each buyer puts its own pid, as in the notes), so the
scenario instruments the Queue itself. While the student's function runs, every
`multiprocessing.Queue` the caller makes becomes a `WatchedQueue`: the same queue, which also
records signed events, in whichever process uses it (it travels to spawned buyers by pickling,
and forked buyers inherit it):

    put_try    a buyer is about to put(): the item, and whether this put() may wait forever
    put        after the put(): the item and whether it got a place (ok) or the queue was full
    got        the caller took an item out, in order

Each put() first pauses `pause` seconds: a place freed by a get() while the sale is still on
then certainly goes to a latecomer, instead of only sometimes. The scenario also records
"spawned" with the pid of every process started by exec (spawn, forkserver), which the
probe's fork hook does not see.
"""
from __future__ import annotations

import inspect
import multiprocessing.queues as mq
import multiprocessing.util as mu
from queue import Full
from types import ModuleType
from typing import Any

from .events import Recorder, sleep


class WatchedQueue(mq.Queue):
    """A multiprocessing Queue that records put and get (see the module docstring)."""

    _recorder: Recorder | None = None
    _pause: float = 0.0

    def __getstate__(self):
        return super().__getstate__(), self._recorder, self._pause

    def __setstate__(self, state) -> None:
        base, self._recorder, self._pause = state
        super().__setstate__(base)

    def _record(self, kind: str, **data: object) -> None:
        if self._recorder is not None:
            self._recorder.record(kind, **data)

    def put(self, obj, block=True, timeout=None):
        self._record("put_try", item=obj, waits=bool(block) and timeout is None)
        if self._pause:
            sleep(self._pause)
        try:
            super().put(obj, block, timeout)
        except Full:
            self._record("put", item=obj, ok=False)
            raise
        self._record("put", item=obj, ok=True)

    def get(self, block=True, timeout=None):
        item = super().get(block, timeout)
        self._record("got", item=item)
        return item


def sale(module: ModuleType, recorder: Recorder, *args: object, pause: float = 0.15,
         **kwargs: object) -> object:
    """Call `module.flash_sale(*args, **kwargs)` with its queues watched; return its value."""
    real_init, real_spawn = mq.Queue.__init__, mu.spawnv_passfds

    def init(self: Any, *a: Any, **k: Any) -> None:
        real_init(self, *a, **k)
        if type(self) is mq.Queue:
            self.__class__ = WatchedQueue
            vars(self).update(_recorder=recorder, _pause=pause)

    def spawn(path, args, passfds):
        pid = real_spawn(path, args, passfds)
        recorder.record("spawned", child=pid)
        return pid

    # the instrumentation: this run's multiprocessing, patched while the student's call runs
    mq.Queue.__init__, mu.spawnv_passfds = init, spawn  # type: ignore[method-assign]
    try:
        return module.flash_sale(*args, **kwargs)
    finally:
        mq.Queue.__init__, mu.spawnv_passfds = real_init, real_spawn  # type: ignore[method-assign]


def signature(module: ModuleType, recorder: Recorder) -> dict:
    """The defaults of flash_sale's parameters, as plain data."""
    params = inspect.signature(module.flash_sale).parameters
    return {name: (p.default if p.default is not inspect.Parameter.empty else "<none>")
            for name, p in params.items()}
