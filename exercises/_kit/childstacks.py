"""Where a run's child processes are blocked: stacks that faulthandler dumps on a signal.

The probe calls `install(folder)` before the student's code runs. From then on every Python
process of the run has faulthandler registered on DUMP_SIGNAL, writing to its own file,
`<folder>/<pid>.txt`: a forked child re-registers right after the fork, a spawned child first
thing (install() goes in front of its command line). Shortly before the deadline the probe
calls `dump()`: it signals every process below it that has the handler and reads the files.

faulthandler writes from inside the C signal handler, so a process blocked in C (a join, a
queue's get, a lock, a pipe write) still says where it is, and its run does not change: the
handler returns and the interrupted call goes on (PEP 475). Processes without the handler (a
program started with subprocess, a fork server) are never signalled: for them the signal's
default action would be to die.
"""
from __future__ import annotations

import faulthandler
import os
import signal
import time
from types import ModuleType

from .afterimport import after_import

DUMP_SIGNAL: int | None = getattr(signal, "SIGRTMIN", None)
if DUMP_SIGNAL is not None:
    DUMP_SIGNAL += 7           # a real-time signal nobody's code uses
_state: dict = {"folder": None, "file": None}

_THREAD = r"^(Current thread|Thread) 0x[0-9a-f]+"
_FRAME = r'^\s+File "(?P<file>.*)", line (?P<line>\d+) in (?P<func>\S+)'


def install(folder: str) -> None:
    """Dump this process's stacks to <folder>/<pid>.txt on DUMP_SIGNAL, and do the same in
    every process started from here (fork, spawn). Does nothing where signals or files fail."""
    if DUMP_SIGNAL is None or _state["folder"] is not None:
        return
    _state["folder"] = folder
    _register()
    os.register_at_fork(after_in_child=_register)
    _follow_spawn(folder)


def _register() -> None:
    if DUMP_SIGNAL is None:
        return
    try:
        f = open(os.path.join(_state["folder"], f"{os.getpid()}.txt"), "w")
        faulthandler.register(DUMP_SIGNAL, file=f, all_threads=True)
        _state["file"] = f         # faulthandler keeps the fd; we keep the file object alive
    except (OSError, RuntimeError, ValueError):
        pass


def _follow_spawn(folder: str) -> None:
    """Put install() in front of the command line of every child multiprocessing spawns
    (once multiprocessing.spawn is imported: afterimport.py)."""
    after_import("multiprocessing.spawn", lambda spawn: _patch_spawn(spawn, folder))


def _patch_spawn(spawn: ModuleType, folder: str) -> None:
    original = spawn.get_command_line
    kit_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    boot = (f"import sys; sys.path.insert(0, {kit_root!r}); from _kit import childstacks; "
            f"childstacks.install({folder!r}); ")

    def get_command_line(**kwds):
        cmd = list(original(**kwds))
        if "-c" in cmd:
            at = cmd.index("-c") + 1
            cmd[at] = boot + cmd[at]
        return cmd

    vars(spawn)["get_command_line"] = get_command_line      # the module's own attribute


def _catches(pid: int) -> bool:
    """Whether the process has a handler for DUMP_SIGNAL (the SigCgt mask in /proc)."""
    if DUMP_SIGNAL is None:
        return False
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (DUMP_SIGNAL - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


def dump(pids: list[int], folder: str, wait: float = 0.5) -> dict[int, str]:
    """Signal each of `pids` that has the handler; return pid -> what it wrote, once every
    file has stopped growing (or `wait` s have passed)."""
    if DUMP_SIGNAL is None:
        return {}
    asked = []
    for pid in pids:
        if _catches(pid):
            try:
                os.kill(pid, DUMP_SIGNAL)
                asked.append(pid)
            except OSError:
                pass
    texts: dict[int, str] = {}
    end = time.monotonic() + wait
    while asked and time.monotonic() < end:
        time.sleep(0.05)
        now = {pid: _read(os.path.join(folder, f"{pid}.txt")) for pid in asked}
        if now == texts and all(now.values()):
            break
        texts = now
    return {pid: text for pid, text in texts.items() if text}


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(256 * 1024)
    except OSError:
        return ""


def parse(text: str) -> list[list[dict]]:
    """faulthandler's dump -> one list of frames per thread, innermost first:
    {"file", "line", "func"}."""
    import re  # here: the probe never parses, and re costs 4 ms to import
    thread_line, frame_line = re.compile(_THREAD), re.compile(_FRAME)
    threads: list[list[dict]] = []
    for line in text.splitlines():
        if thread_line.match(line):
            threads.append([])
        elif (m := frame_line.match(line)) and threads:
            threads[-1].append({"file": m["file"], "line": int(m["line"]), "func": m["func"]})
    return [t for t in threads if t]
