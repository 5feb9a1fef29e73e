"""Processes seen from outside, through Linux's /proc. Elsewhere every function returns
nothing and `available()` says so, so that checks can skip with a reason."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Proc:
    pid: int          # as the observer sees it
    ppid: int
    state: str        # R, S, D, Z, T, ...
    comm: str
    sid: int
    inner_pid: int    # as the process itself sees it (innermost PID namespace)
    cmdline: str = ""

    @property
    def is_helper(self) -> bool:
        """multiprocessing's own helpers (resource tracker, fork server), not the student's."""
        return "multiprocessing.resource_tracker" in self.cmdline or \
            "multiprocessing.forkserver" in self.cmdline


def available() -> bool:
    return os.path.exists("/proc/self/stat")


def read(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode(errors="replace")
        inner = pid
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read(4096).replace(b"\0", b" ").decode(errors="replace")
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"NSpid:"):
                    inner = int(line.split()[-1])
                    break
    except (OSError, ValueError):
        return None
    comm = raw[raw.index("(") + 1: raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return Proc(pid=pid, ppid=int(fields[1]), state=fields[0], comm=comm, sid=int(fields[3]),
                inner_pid=inner, cmdline=cmdline)


def snapshot() -> dict[int, Proc]:
    procs: dict[int, Proc] = {}
    if not available():
        return procs
    for name in os.listdir("/proc"):
        if name.isdigit():
            p = read(int(name))
            if p is not None:
                procs[p.pid] = p
    return procs


def descendants(root: int, procs: dict[int, Proc] | None = None) -> list[Proc]:
    procs = snapshot() if procs is None else procs
    children: dict[int, list[Proc]] = {}
    for p in procs.values():
        children.setdefault(p.ppid, []).append(p)
    found: list[Proc] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child.pid)
    return found


def with_marker(marker: bytes) -> list[int]:
    """Pids whose environment carries `marker` (they escaped the session and the tree, but
    not the environment they inherited)."""
    found = []
    if not available():
        return found
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/environ", "rb") as f:
                    if marker in f.read().split(b"\0"):
                        found.append(int(name))
            except OSError:
                continue
    return found
