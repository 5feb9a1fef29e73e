"""Runs of student code, at the strongest isolation this machine allows.

Everywhere: a fresh interpreter (`-I -S`: no site-packages, no user site, a clean
environment), its own session, resource limits (CPU, data memory, processes, open files, file
size), a timeout enforced from outside, output capped, a temporary working directory, and the
whole process tree killed at the end (session, descendants, and anything still carrying the
run's environment marker).

As root on Linux, additionally: a PID namespace (`unshare --pid --fork --kill-child`, so
nothing survives the run), a network namespace with only loopback up, a private /proc, and an
unprivileged uid (root ignores RLIMIT_NPROC).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from _kit import launch
from _kit.launch import Run

from .manifest import Limits

NOBODY = 65534
# The base interpreter, not a virtual environment's: the sandbox runs with -I -S (standard
# library only), and a venv's folder may be hidden from it.
PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
UNSHARE = ("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--net")


@dataclass(frozen=True)
class Isolation:
    level: str                      # "namespaces" or "session"
    pid_namespace: bool
    net_namespace: bool
    unprivileged_uid: bool
    rlimits: bool
    lacking: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


@functools.lru_cache(maxsize=1)
def detect() -> Isolation:
    lacking = []
    namespaces = False
    if sys.platform != "linux":
        lacking.append("PID and network namespaces (Linux only)")
    elif os.geteuid() != 0:
        lacking.append("PID and network namespaces and a dropped uid (needs root)")
    elif shutil.which("unshare") is None:
        lacking.append("PID and network namespaces (no `unshare` command)")
    else:
        probe = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10)
        namespaces = probe.returncode == 0
        if not namespaces:
            lacking.append(f"PID and network namespaces (unshare failed: "
                           f"{probe.stderr.decode(errors='replace').strip()[:200]})")
    if os.environ.get("KIT_SANDBOX_LEVEL") == "session":   # for testing the fallback
        namespaces = False
        lacking.append("namespaces disabled by KIT_SANDBOX_LEVEL=session")
    return Isolation(level="namespaces" if namespaces else "session",
                     pid_namespace=namespaces, net_namespace=namespaces,
                     unprivileged_uid=namespaces, rlimits=sys.platform != "win32",
                     lacking=tuple(lacking))


class Sandbox:
    def __init__(self, limits: Limits, course_root: Path, isolation: Isolation | None = None) -> None:
        self.limits = limits
        self.course_root = course_root
        self.isolation = isolation or detect()

    def run(self, module_dir: Path, module: str, function: str = "", args: list | None = None,
            kwargs: dict | None = None, *, timeout: float, **options: object) -> Run:
        lim = self.limits
        job: dict = {"limits": {"cpu_seconds": lim.cpu_seconds,
                                "data_bytes": lim.memory_mb * 1024 * 1024,
                                "file_bytes": lim.file_mb * 1024 * 1024,
                                "open_files": lim.open_files, "core_bytes": 0}}
        prefix: tuple[str, ...] = ()
        owner = None
        if self.isolation.pid_namespace:
            prefix = UNSHARE
            # Nobody may read the course (solutions, hidden checks) or the grader's home;
            # the Python installation stays visible.
            hide = sorted({str(Path.home()), str(self.course_root)})
            job.update(uid=NOBODY, gid=NOBODY, loopback_up=True, hide=hide,
                       keep=[sys.base_prefix])
            job["limits"]["processes"] = lim.processes
            owner = (NOBODY, NOBODY)
        return launch.run_probe(module_dir, module, function, args, kwargs, timeout=timeout,
                                argv_prefix=prefix, job_extra=job, sandbox_owner=owner,
                                output_limit=lim.output_kb * 1024, python=PYTHON,
                                **options)  # type: ignore[arg-type]
