"""Runs of student code, at the strongest isolation this machine allows.

Everywhere: a fresh interpreter (`-I -S`: no site-packages, no user site, a clean
environment that carries nothing the grader knows), its own session, resource limits (CPU,
data memory, processes, open files, file size), a timeout enforced from outside, output
capped, a temporary working directory, and the whole process tree killed at the end
(session, descendants, and anything still carrying the run's environment marker).

Where /sys/fs/cgroup lets us (root): a pids cgroup per run bounds processes + threads
whatever uid runs them, and lists every process of the run for the final kill, including
ones that called setsid() and double-forked.

As root on Linux, additionally: a PID namespace (`unshare --pid --fork --kill-child`, so
nothing survives the run), a network namespace with only loopback up, a private /proc, a
private mount namespace in which the course, the grader's home and the host's /tmp are
hidden, fresh size-bounded /tmp, /var/tmp, /dev/shm and working folder, and an unprivileged
uid of its own per concurrent run (RLIMIT_NPROC counts per uid; root ignores it).

Without namespaces (not root, `unshare` missing, or KIT_SANDBOX_LEVEL=session), the probe
runs under a `setsid --fork --wait` wrapper so that `os.kill(os.getppid(), …)` hits the
wrapper, not the grader; results.json records the level and what it lacked.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import random
import secrets
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from _kit import launch, procfs
from _kit.launch import Run

from .manifest import Limits

NOBODY = 65534
# Uids handed to concurrent runs, one each (RLIMIT_NPROC and signals are per uid).
UID_POOL = range(61000, 61000 + 1000)
UID_LOCKS = Path(os.environ.get("KIT_UID_LOCK_DIR", "/tmp/kit-sandbox-uids"))
# The base interpreter, not a virtual environment's: the sandbox runs with -I -S (standard
# library only), and a venv's folder may be hidden from it.
PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
UNSHARE = ("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--net")
SETSID = ("setsid", "--fork", "--wait")
# Folders replaced by fresh, size-bounded, private ones in the run's mount namespace.
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
# Tasks of the probe itself (main thread, watchdog) on top of the course's process limit.
CGROUP_HEADROOM = 4


@dataclass(frozen=True)
class Isolation:
    level: str                      # "namespaces" or "session"
    pid_namespace: bool
    net_namespace: bool
    unprivileged_uid: bool
    rlimits: bool
    lacking: tuple[str, ...]
    pids_cgroup: bool = False       # a pids cgroup per run (bounds and lists every process)
    private_tmp: bool = False       # fresh /tmp, /dev/shm, working folder; course hidden
    distinct_uids: bool = False     # each concurrent run has a uid of its own
    parent_shield: bool = False     # the probe's parent is a wrapper, not the grader
    memory_cgroup: bool = False     # a memory cgroup per run (bounds all its processes together)

    def to_dict(self) -> dict:
        return asdict(self)


def _cgroup_writable(kind: type = procfs.PidsCgroup, size: int = 8) -> bool:
    group = kind.create(f"kit-detect-{os.getpid()}-{secrets.token_hex(4)}", size)
    if group is None:
        return False
    group.remove()
    return True


@functools.lru_cache(maxsize=1)
def detect() -> Isolation:
    lacking = []
    namespaces = False
    forced = os.environ.get("KIT_SANDBOX_LEVEL") == "session"
    root = sys.platform == "linux" and os.geteuid() == 0
    if sys.platform != "linux":
        lacking.append("PID and network namespaces (Linux only)")
    elif not root:
        lacking.append("PID and network namespaces and a dropped uid (needs root)")
    elif shutil.which("unshare") is None:
        lacking.append("PID and network namespaces (no `unshare` command)")
    else:
        probe = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10)
        namespaces = probe.returncode == 0
        if not namespaces:
            lacking.append(f"PID and network namespaces (unshare failed: "
                           f"{probe.stderr.decode(errors='replace').strip()[:200]})")
    if forced:   # for testing the fallback: behave as an unprivileged user would get
        namespaces = False
        lacking.append("namespaces disabled by KIT_SANDBOX_LEVEL=session")
    cgroup = root and _cgroup_writable()
    if not cgroup:
        lacking.append("a pids cgroup (processes are bounded by RLIMIT_NPROC per uid and "
                       "found by session, tree and environment marker)")
    memory = root and _cgroup_writable(procfs.MemoryCgroup, 64 * 1024 * 1024)
    if not memory:
        lacking.append("a memory cgroup (memory is bounded per process by RLIMIT_DATA, not "
                       "for all the processes of a run together)")
    if not namespaces:
        lacking.append("network isolation: the student's code can open connections")
        lacking.append("hidden files: the student's code can read what the grader's user can "
                       "(solutions, hidden checks, other results) and write where it can")
    shield = not namespaces and shutil.which("setsid") is not None
    return Isolation(level="namespaces" if namespaces else "session",
                     pid_namespace=namespaces, net_namespace=namespaces,
                     unprivileged_uid=namespaces, rlimits=sys.platform != "win32",
                     lacking=tuple(lacking), pids_cgroup=cgroup, private_tmp=namespaces,
                     distinct_uids=namespaces, parent_shield=shield, memory_cgroup=memory)


def outermost(paths: list[str], covered: tuple[str, ...] = ()) -> list[str]:
    """The folders to cover: a folder inside another one (a course under the home, a home
    under /tmp that gets a fresh /tmp anyway) is hidden with it and is not mounted again."""
    def inside(path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder.rstrip("/") + "/")

    out: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(inside(path, f) for f in (*out, *covered)):
            out.append(path)
    return out


@contextlib.contextmanager
def _own_uid() -> Iterator[int]:
    """A uid from UID_POOL that no other concurrent run (of any grader process) holds."""
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    pool = list(UID_POOL)
    start = random.randrange(len(pool))
    for uid in pool[start:] + pool[:start]:
        fd = os.open(UID_LOCKS / str(uid), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        try:
            yield uid
        finally:
            os.close(fd)
        return
    yield NOBODY    # pragma: no cover - a thousand concurrent runs


def _user_processes() -> int:
    uid = os.getuid()
    n = 0
    for name in os.listdir("/proc") if procfs.available() else []:
        try:
            if name.isdigit() and os.stat(f"/proc/{name}").st_uid == uid:
                with open(f"/proc/{name}/status", "rb") as f:
                    for line in f:
                        if line.startswith(b"Threads:"):
                            n += int(line.split()[1])
                            break
        except (OSError, ValueError):
            continue
    return n


class Sandbox:
    def __init__(self, limits: Limits, course_root: Path, isolation: Isolation | None = None) -> None:
        self.limits = limits
        self.course_root = course_root
        self.isolation = isolation or detect()

    def run(self, module_dir: Path, module: str, function: str = "", args: list | None = None,
            kwargs: dict | None = None, *, timeout: float, **options: object) -> Run:
        with contextlib.ExitStack() as stack:
            return self._run(stack, module_dir, module, function, args, kwargs,
                             timeout=timeout, **options)

    def _run(self, stack: contextlib.ExitStack, module_dir: Path, module: str, function: str,
             args: list | None, kwargs: dict | None, *, timeout: float,
             **options: object) -> Run:
        lim = self.limits
        iso = self.isolation
        job: dict = {"limits": {"cpu_seconds": lim.cpu_seconds,
                                "data_bytes": lim.memory_mb * 1024 * 1024,
                                "file_bytes": lim.file_mb * 1024 * 1024,
                                "open_files": lim.open_files, "core_bytes": 0}}
        prefix: tuple[str, ...] = ()
        owner = None
        cgroup = None
        if iso.pids_cgroup:
            # processes + threads of the run, plus a little for the launcher and probe
            cgroup = procfs.PidsCgroup.create(f"kit-run-{secrets.token_hex(8)}",
                                              lim.processes + CGROUP_HEADROOM)
            if cgroup is not None:
                stack.callback(cgroup.remove)
        memory = None
        if iso.memory_cgroup:
            memory = procfs.MemoryCgroup.create(f"kit-run-{secrets.token_hex(8)}",
                                                lim.run_memory_mb * 1024 * 1024)
            if memory is not None:
                stack.callback(memory.remove)
        if iso.pid_namespace:
            prefix = UNSHARE
            uid = stack.enter_context(_own_uid())
            # Nobody may read the course (solutions, hidden checks) or the grader's home;
            # the Python installation stays visible. /tmp (other runs, results written
            # there), /var/tmp and /dev/shm are fresh and bounded; so is the working folder.
            hide = outermost([str(Path.home()), str(self.course_root.resolve())],
                             covered=PRIVATE_TMP)
            size = f"size={max(lim.file_mb, 1)}m"
            private = [[f, f"mode=1777,{size}"] for f in PRIVATE_TMP]
            job.update(uid=uid, gid=uid, loopback_up=True, hide=hide, private=private,
                       keep=[sys.base_prefix], private_scratch=f"mode=0700,uid={uid},"
                                                             f"gid={uid},{size}")
            # With a cgroup, the cgroup is the bound (and it counts what it refused);
            # RLIMIT_NPROC stays as a backstop.
            job["limits"]["processes"] = lim.processes + (64 if cgroup is not None else 0)
            owner = (uid, uid)
        elif iso.parent_shield:
            prefix = SETSID
            if os.geteuid() != 0 and sys.platform == "linux":
                # RLIMIT_NPROC counts every process of this uid: leave room for what runs
                job["limits"]["processes"] = lim.processes + _user_processes()
        return launch.run_probe(module_dir, module, function, args, kwargs, timeout=timeout,
                                argv_prefix=prefix, job_extra=job, sandbox_owner=owner,
                                output_limit=lim.output_kb * 1024, python=PYTHON,
                                pids_cgroup=cgroup, memory_cgroup=memory,
                                **options)  # type: ignore[arg-type]
