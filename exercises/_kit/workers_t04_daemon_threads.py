"""Scenarios for t04_daemon_threads: run the student's file as its own program and watch.

Who waits for whom shows only when a real program ends (the interpreter joins the non-daemon
threads, then stops the daemon ones), so the checker starts the student's file as a separate
Python process and reads what it printed. It raises the switch interval in that process, so
the interpreter never forces a thread switch in the middle of the first three prints: their
order then depends only on the program (start() and print), not on how busy the machine is.
It runs it with -I, so its output is buffered as in any program writing to a pipe.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading

from . import procfs
from .events import Recorder, clock

_RUN_AS_MAIN = (
    "import os, runpy, sys\n"
    "sys.setswitchinterval(1.0)\n"
    "path = sys.argv[1]\n"
    "sys.argv = sys.argv[1:]\n"
    "sys.path.insert(0, os.path.dirname(path))\n"
    "runpy.run_path(path, run_name='__main__')\n")


def _plain(value: object) -> object:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return {"not_lines": repr(value)[:300]}


def observe_program(module, *argv: float) -> dict:
    """Run the module's file as a program (`python file.py *argv`); what it printed."""
    path = os.path.abspath(module.__file__)
    t0 = clock()
    try:
        proc = subprocess.run([sys.executable, "-I", "-c", _RUN_AS_MAIN, path, *map(str, argv)],
                              capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or b""
        text = out.decode(errors="replace") if isinstance(out, bytes) else out
        return {"printed": text.splitlines(), "returncode": None,
                "stderr": "did not end within 10 s", "seconds": clock() - t0}
    return {"printed": proc.stdout.splitlines(), "returncode": proc.returncode,
            "stderr": proc.stderr[-800:], "seconds": clock() - t0}


def observe(module, recorder: Recorder, *argv: float) -> dict:
    """The program's real output with `argv` (none: its own defaults), and PREDICTED."""
    return {**observe_program(module, *argv),
            "predicted": _plain(getattr(module, "PREDICTED", None))}


class _Children(threading.Thread):
    """Polls /proc for this process's children while the student's run_program runs."""

    def __init__(self) -> None:
        super().__init__(name="kit-children", daemon=True)
        self.cmdlines: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        seen: set[tuple[int, str]] = set()     # a child's cmdline changes when it execs
        while not self.halt.is_set():
            for p in procfs.descendants(me):
                if (p.pid, p.cmdline) not in seen and p.cmdline:
                    seen.add((p.pid, p.cmdline))
                    self.cmdlines.append(p.cmdline)
            self.halt.wait(0.005)


def run_program(module, recorder: Recorder, foo_seconds: float, bar_seconds: float) -> dict:
    """Call the student's run_program(foo, bar) while watching which processes it starts;
    then run the same program ourselves, to compare with what really prints."""
    # The probe runs unbuffered; a program started from a terminal or by subprocess is not.
    # Unbuffered, print() writes the text and its newline separately, so two threads' lines
    # can be torn apart ("123main-------"); take the default, as a student's shell has it.
    os.environ.pop("PYTHONUNBUFFERED", None)
    watcher = _Children()
    watcher.start() if procfs.available() else None
    try:
        value = module.run_program(foo_seconds, bar_seconds)
        result: dict = {"value": _plain(value)}
    except BaseException as exc:  # noqa: BLE001 - the student's exception is the data
        result = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    watcher.halt.set()
    if watcher.is_alive():
        watcher.join(2)
    path = os.path.abspath(module.__file__)
    result["children"] = [c for c in watcher.cmdlines]
    stem = os.path.splitext(os.path.basename(path))[0]     # file.py, or python -m file
    result["ran_file"] = any(stem in c for c in watcher.cmdlines)
    result["procfs"] = procfs.available()
    # Nothing to compare a raised run_program with: spare the second program.
    result["observed"] = ({"printed": [], "returncode": None, "stderr": "", "seconds": 0.0}
                          if "error" in result else
                          observe_program(module, foo_seconds, bar_seconds))
    return result
