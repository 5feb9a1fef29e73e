"""Worker and scenarios for p07_daemon: does the daemon end with the program that started it?

`program` runs a small program — like the student's own script — in a fresh interpreter:

    p = module.start_daemon(LongTask(...))    # the student's code: a 30 s task, as a daemon
    ... wait until the daemon's task has started ...
    sibling = Process(target=SleepTask(...)); sibling.start()   # an ordinary child, 0.5 s
    # the main code ends here

When the main code of a program ends, multiprocessing terminates its daemonic children and
waits (joins) for the others. So the program should end about when the sibling does, the
sibling should reach its end, and the daemon should be gone — which the scenario checks from
outside that program, through /proc, after it has exited. Every fact is also a signed event:
"start"/"end" of each task (arg "daemon" or "sibling"), "program_raised", "main_done",
"program_exit".
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from types import ModuleType

from . import procfs
from .events import Recorder, clock, read_events, sleep

DAEMON_SECONDS = 30.0
DRIVER = ("import json, sys; job = json.loads(sys.stdin.read()); sys.path.insert(0, job['kit']); "
          "sys.path.append(job['student_dir']); from _kit.workers_p07_daemon import drive; drive(job)")


class LongTask:
    """`task()`: records start, sleeps `seconds`, records end; the label is `tag`."""

    def __init__(self, recorder: Recorder, seconds: float = DAEMON_SECONDS,
                 tag: str = "daemon") -> None:
        self.recorder = recorder
        self.seconds = seconds
        self.tag = tag

    def __call__(self, *args: object) -> None:
        self.recorder.record("start", arg=self.tag)
        sleep(self.seconds)
        self.recorder.record("end", arg=self.tag)


def _wait_for(recorder: Recorder, kind: str, arg: object, limit: float) -> dict | None:
    deadline = clock() + limit
    while True:
        for e in read_events(recorder.path, recorder.key)[0]:
            if e["ev"] == kind and e.get("arg") == arg:
                return e
        if clock() >= deadline:
            return None
        sleep(0.02)


def _alive(pid: int) -> bool:
    """Is `pid` a live process (a zombie counts as gone)?"""
    if procfs.available():
        p = procfs.read(pid)
        return p is not None and p.state != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def inspect(module: ModuleType, recorder: Recorder, seconds: float = DAEMON_SECONDS) -> dict:
    """Call start_daemon(task) here and describe what it returned, as plain data."""
    from multiprocessing.process import BaseProcess
    p = module.start_daemon(LongTask(recorder, seconds))
    is_process = isinstance(p, BaseProcess)
    facts = {"type": f"{type(p).__module__}.{type(p).__qualname__}", "is_process": is_process,
             "daemon": bool(getattr(p, "daemon", False)),
             "pid": p.pid if is_process else None,
             "alive": bool(p.is_alive()) if is_process and p.pid is not None else False}
    _wait_for(recorder, "start", "daemon", 10.0)   # so that the task's own pid is on record
    return facts


def drive(job: dict) -> None:
    """The program run by `program`, in its own interpreter (see the module docstring)."""
    import importlib
    import multiprocessing

    from .workers import SleepTask
    rec = Recorder(job["events_path"], job["key"])
    if job.get("start_method"):
        multiprocessing.set_start_method(job["start_method"], force=True)
    module = importlib.import_module(job["module"])
    raised = None
    try:
        p = module.start_daemon(LongTask(rec, job["daemon_seconds"]))
    except BaseException as exc:  # noqa: BLE001 - recorded, then raised again below
        raised = exc
        rec.record("program_raised", exc_type=type(exc).__name__, message=str(exc)[:500])
    else:
        rec.record("program_started", pid=getattr(p, "pid", None),
                   daemon=bool(getattr(p, "daemon", False)))
        _wait_for(rec, "start", "daemon", job["start_limit"])
    sibling = multiprocessing.Process(target=SleepTask(rec, seconds=job["sibling_seconds"]),
                                      args=("sibling",), name="sibling")
    sibling.start()
    if raised is not None:
        raise raised
    rec.record("main_done")
    # The main code ends here: multiprocessing now terminates the daemons and joins the rest.


def program(module: ModuleType, recorder: Recorder, start_method: str | None = None,
            patience: float = 6.0, sibling_seconds: float = 0.5, start_limit: float = 12.0,
            limit: float = 24.0) -> dict:
    """Run the program; wait for it to end (`patience` seconds after its main code ended or
    crashed, `limit` in all); then look whether the daemon's process is still there."""
    kit = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    job = {"kit": kit, "student_dir": os.path.dirname(os.path.abspath(str(module.__file__))),
           "module": module.__name__, "events_path": recorder.path, "key": recorder.key,
           "start_method": start_method, "daemon_seconds": DAEMON_SECONDS,
           "sibling_seconds": sibling_seconds, "start_limit": start_limit}
    err_path = os.path.abspath("p07-program-stderr.txt")
    launched = clock()
    with open(err_path, "w+b") as err:
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", DRIVER], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=err)
        assert proc.stdin is not None          # stdin=PIPE
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
        ended_main = None
        while proc.poll() is None and clock() - launched < limit:
            if ended_main is None:
                kinds = {e["ev"] for e in read_events(recorder.path, recorder.key)[0]}
                if kinds & {"main_done", "program_raised"}:
                    ended_main = clock()
            elif clock() - ended_main >= patience:
                break
            sleep(0.02)
        exited = proc.poll() is not None
        recorder.record("program_exit", exited=exited, exitcode=proc.returncode)
        events = read_events(recorder.path, recorder.key)[0]
        daemon = next((e for e in events if e["ev"] == "start" and e.get("arg") == "daemon"), None)
        alive = _alive(daemon["pid"]) if daemon is not None else None
        if not exited:
            proc.send_signal(signal.SIGKILL)   # its children stay as they are: orphans
            proc.wait()
        err.seek(0)
        stderr = err.read()[-1500:].decode(errors="replace")
    return {"exited": exited, "exitcode": proc.returncode if exited else None,
            "daemon_pid": daemon["pid"] if daemon is not None else None,
            "daemon_alive_after": alive, "program_pid": proc.pid, "stderr": stderr}
