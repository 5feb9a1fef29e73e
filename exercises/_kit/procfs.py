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


def _ppid(name: str) -> int | None:
    """The parent of /proc/<name>, from its stat line: one unbuffered read, what a tree walk
    needs (a third cheaper than a buffered open of the same file)."""
    try:
        fd = os.open(f"/proc/{name}/stat", os.O_RDONLY)
        try:
            raw = os.read(fd, 1024)
        finally:
            os.close(fd)
        return int(raw[raw.rindex(b")") + 2:].split(None, 2)[1])
    except (OSError, ValueError, IndexError):
        return None


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


def inner_pid(pid: int) -> int | None:
    """The pid as the process itself sees it (its innermost PID namespace); None if gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return pid


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
    """Every process below `root`. Without `procs`, the walk reads only each process's stat
    line and the full record (cmdline, inner pid) only of those below `root`: a third of the
    reads of a snapshot, which matters for the samplers that call this every 20 ms."""
    if procs is None:
        return _descendants_light(root)
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
    found: list[int] = []
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


PIDS_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")
MEMORY_ROOTS = ("/sys/fs/cgroup/memory", "/sys/fs/cgroup")


def _make_cgroup(roots: tuple[str, ...], controller: str, name: str,
                 settings: list[tuple[tuple[str, ...], str]]) -> str | None:
    """A new cgroup `name` under the first of `roots` that is a hierarchy with `controller`
    (cgroup v1: its own hierarchy; v2: enabled in subtree_control), with each setting
    written to the first of its file names that exists (v1 and v2 name them differently).
    None where it cannot be made (not root, no such controller)."""
    for base in roots:
        if not os.path.exists(os.path.join(base, "cgroup.procs")):
            continue           # not a cgroup hierarchy (e.g. the tmpfs holding v1 ones)
        control = os.path.join(base, "cgroup.subtree_control")
        if os.path.exists(control):                   # v2: the controller must be on
            try:
                with open(control) as f:
                    if controller not in f.read().split():
                        continue
            except OSError:
                continue
        path = os.path.join(base, name)
        try:
            os.mkdir(path, 0o755)
        except OSError:
            continue
        try:
            if not os.path.exists(os.path.join(path, "cgroup.procs")):
                raise OSError("not a cgroup")
            for names, value in settings:
                target = next((os.path.join(path, n) for n in names
                               if os.path.exists(os.path.join(path, n))), None)
                if target is None:
                    raise OSError(f"no {names[0]} in {path}")
                with open(target, "w") as f:
                    f.write(value)
            return path
        except OSError:
            try:
                os.rmdir(path)
            except OSError:
                pass
    return None


def _remove_cgroup(path: str, busy) -> bool:
    """rmdir a run's cgroup, calling `busy()` and retrying while processes are still in it
    (up to 2 s); True once it is gone."""
    import time
    for _ in range(100):
        try:
            os.rmdir(path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            busy()
            time.sleep(0.02)
    return False


class PidsCgroup:
    """A private pids cgroup for one run, where the machine lets us make one (root, cgroup v1
    `pids` hierarchy or v2 with the pids controller). It bounds processes + threads of the
    run whatever uid they run as (RLIMIT_NPROC counts per uid, and root ignores it), and it
    lists every process of the run, including ones that called setsid() and double-forked,
    so that all of them can be killed. `create` returns None where it is not available."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def create(cls, name: str, max_pids: int) -> PidsCgroup | None:
        path = _make_cgroup(PIDS_ROOTS, "pids", name, [(("pids.max",), str(max_pids))])
        return cls(path) if path else None

    @property
    def procs_file(self) -> str:
        return os.path.join(self.path, "cgroup.procs")

    def pids(self) -> list[int]:
        try:
            with open(self.procs_file) as f:
                return [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            return []

    def events(self) -> int:
        """How many times a fork or a new thread was refused by pids.max."""
        try:
            with open(os.path.join(self.path, "pids.events")) as f:
                return int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            return 0

    def kill_all(self, rounds: int = 50) -> int:
        import signal
        import time
        killed: set[int] = set()
        for _ in range(rounds):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
                except OSError:
                    pass
            time.sleep(0.01)
        return len(killed)

    def remove(self) -> bool:
        return _remove_cgroup(self.path, busy=lambda: self.kill_all(rounds=5))


class MemoryCgroup:
    """A private memory cgroup for one run: the memory of all its processes together is
    bounded (RLIMIT_DATA bounds each process alone, so 30 children of 256 MB each would pass
    it). Past the bound the kernel kills a process of the run; `oom_kills()` says how many."""

    def __init__(self, path: str, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes

    @classmethod
    def create(cls, name: str, max_bytes: int) -> MemoryCgroup | None:
        path = _make_cgroup(MEMORY_ROOTS, "memory", name,
                            [(("memory.max", "memory.limit_in_bytes"), str(max_bytes))])
        if path is None:
            return None
        for swap in ("memory.swap.max", "memory.memsw.limit_in_bytes"):   # no swapping out
            try:
                with open(os.path.join(path, swap), "w") as f:
                    f.write("0" if swap.endswith("swap.max") else str(max_bytes))
            except OSError:
                pass
        return cls(path, max_bytes)

    @property
    def procs_file(self) -> str:
        return os.path.join(self.path, "cgroup.procs")

    def oom_kills(self) -> int:
        """Processes the kernel killed for going over the bound (v2 memory.events, v1
        memory.oom_control; on old v1 kernels, 1 if the bound was ever hit)."""
        for name in ("memory.events", "memory.oom_control"):
            try:
                with open(os.path.join(self.path, name)) as f:
                    for line in f:
                        key, _, value = line.partition(" ")
                        if key == "oom_kill":
                            return int(value)
            except (OSError, ValueError):
                continue
        try:
            with open(os.path.join(self.path, "memory.failcnt")) as f:
                return 1 if int(f.read()) else 0
        except (OSError, ValueError):
            return 0

    def remove(self) -> bool:
        # its processes are killed through the pids cgroup: only wait for them to go
        return _remove_cgroup(self.path, busy=lambda: None)


def sweep_cgroups(prefix: str = "kit-run-", older_than: float = 600.0) -> int:
    """Remove the empty cgroups of runs whose grader was killed before it could (a crash, a
    kill -9). Only old ones: a fresh one may belong to a run that is starting right now; a
    cgroup that still has processes cannot be removed anyway."""
    import time
    removed = 0
    for base in {*PIDS_ROOTS, *MEMORY_ROOTS}:
        try:
            names = [n for n in os.listdir(base) if n.startswith(prefix)]
        except OSError:
            continue
        for name in names:
            path = os.path.join(base, name)
            try:
                if time.time() - os.stat(path).st_mtime > older_than:
                    os.rmdir(path)
                    removed += 1
            except OSError:
                continue
    return removed


def join_cgroup(procs_file: str) -> None:
    """Move the calling process into a cgroup (its children follow)."""
    with open(procs_file, "w") as f:
        f.write(str(os.getpid()))


def _descendants_light(root: int) -> list[Proc]:
    if not available():
        return []
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            ppid = _ppid(entry.name)
            if ppid is not None:
                children.setdefault(ppid, []).append(int(entry.name))
    found: list[Proc] = []
    stack = [root]
    while stack:
        for pid in children.get(stack.pop(), []):
            p = read(pid)
            if p is not None:
                found.append(p)
            stack.append(pid)
    return found
