"""Workers and scenarios for p01_create (see docs/authoring.md).

`start_workers` returns Process objects, which cannot leave the sandbox as data: these
scenarios call the student's code, join what it started and report plain facts about it."""
from __future__ import annotations

import multiprocessing
from multiprocessing.process import BaseProcess

from .events import Recorder, sleep
from .workers import watch_starts


class NameTask:
    """`task(name)`: records the arguments it received (so `args=(name)`, which passes each
    letter as an argument, is seen as such), sleeps `seconds`, records the end."""

    def __init__(self, recorder: Recorder, seconds: float = 0.05) -> None:
        self.recorder = recorder
        self.seconds = seconds

    def __call__(self, *args: object) -> None:
        arg = args[0] if len(args) == 1 else list(args)
        self.recorder.record("start", arg=arg, nargs=len(args))
        sleep(self.seconds)
        self.recorder.record("end", arg=arg, nargs=len(args))


def _describe(p: object, timeout: float) -> dict:
    if not isinstance(p, BaseProcess):
        return {"is_process": False, "type": type(p).__qualname__}
    started = p.pid is not None
    if started:
        p.join(timeout)
    return {"is_process": True, "type": type(p).__qualname__, "started": started,
            "pid": p.pid, "exitcode": p.exitcode, "name": str(p.name)}


def _reap(timeout: float) -> None:
    """Wait for children the student's code started but did not hand back."""
    for p in multiprocessing.active_children():
        p.join(timeout)


def start_and_join(module, recorder: Recorder, task, names: list, timeout: float = 6.0) -> dict:
    watch_starts(recorder)
    procs = module.start_workers(task, list(names))
    items = [_describe(p, timeout) for p in procs] if isinstance(procs, (list, tuple)) else None
    _reap(timeout)
    return {"type": type(procs).__qualname__, "items": items}


def named_worker(module, recorder: Recorder, task, name: str, timeout: float = 6.0) -> dict:
    watch_starts(recorder)
    w = module.NamedWorker(name, task)
    report = {"is_process": isinstance(w, BaseProcess), "name_before": str(getattr(w, "name", None))}
    w.start()
    report.update(_describe(w, timeout))
    _reap(timeout)
    return report


def both(module, recorder: Recorder, task, names: list, name: str) -> dict:
    return {"function": start_and_join(module, recorder, task, names),
            "subclass": named_worker(module, recorder, task, name)}
