"""Workers and scenarios for t01_create: who ran task(name), in which thread of which process."""
from __future__ import annotations

import threading

from .events import Recorder, sleep


class Task:
    """`task(name)`: records every argument it got, in the thread and process that ran it,
    then waits until `expect` calls have started (at most `hold` seconds), sleeps `seconds`
    and records the end. Tasks started together therefore overlap for certain, however slow
    the machine; tasks run one after another cannot (the first waits `hold` in vain, and
    from then on nobody waits)."""

    def __init__(self, recorder: Recorder, seconds: float = 0.05, expect: int = 0,
                 hold: float = 1.5) -> None:
        self.recorder = recorder
        self.seconds = seconds
        self.expect = expect
        self.hold = hold
        self._setup()

    def _setup(self) -> None:
        self._cond = threading.Condition()
        self._started = 0
        self._gave_up = False

    def __getstate__(self) -> dict:      # picklable for spawned processes: a fresh condition
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._setup()

    def __call__(self, *args: object) -> None:
        arg = args[0] if len(args) == 1 else list(args)
        self.recorder.record("start", arg=arg, nargs=len(args))
        with self._cond:
            self._started += 1
            self._cond.notify_all()
            if not self._gave_up:
                ok = self._cond.wait_for(lambda: self._started >= self.expect, self.hold)
                self._gave_up = self._gave_up or not ok
        sleep(self.seconds)
        self.recorder.record("end", arg=arg, nargs=len(args))


def _join_others(limit: float = 5.0) -> None:
    """Wait for every thread the student's code started (not the kit's own daemon threads)."""
    import multiprocessing
    for p in multiprocessing.active_children():     # a submission that used processes
        p.join(limit)
    me = threading.current_thread()
    for t in threading.enumerate():
        if t is not me and not t.name.startswith("kit-"):
            t.join(limit)


def _describe(value: object) -> object:
    if isinstance(value, list):
        return [{"thread": isinstance(t, threading.Thread),
                 "type": type(t).__name__,
                 "ident": getattr(t, "ident", None) if isinstance(t, threading.Thread) else None}
                for t in value]
    return {"not_a_list": type(value).__name__}


def start_threads(module, recorder: Recorder, names: list[str], seconds: float = 0.05) -> dict:
    """Call start_threads(task, names) from the calling (main) thread, then wait for every
    thread it started. Reports what came back; the workers' events say what really ran."""
    recorder.record("caller")
    task = Task(recorder, seconds, expect=len(names))
    try:
        value = module.start_threads(task, list(names))
    except Exception as exc:  # noqa: BLE001 - the student's exception is the data
        _join_others()
        return {"error": f"{type(exc).__name__}: {exc}"}
    _join_others()
    return {"returned": _describe(value)}


def named_threads(module, recorder: Recorder, names: list[str], seconds: float = 0.05) -> dict:
    """Make a NamedThread(name, task) per name, start them all, join them; report each
    object's class and name as the checker saw them."""
    recorder.record("caller")
    task = Task(recorder, seconds)
    made = []
    try:
        threads = [module.NamedThread(name, task) for name in names]
        for t in threads:
            made.append({"thread": isinstance(t, threading.Thread), "name": str(getattr(t, "name", None))})
            t.start()
        for t in threads:
            t.join(5)
        idents = [t.ident for t in threads]
    except Exception as exc:  # noqa: BLE001
        _join_others()
        return {"error": f"{type(exc).__name__}: {exc}", "made": made}
    _join_others()
    return {"made": made, "idents": idents}
