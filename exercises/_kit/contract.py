"""The contract of one probe run, written once for both sides.

    RunOptions   what the caller asks of a run (a check through grader.harness, a public test
                 through _kit.testing): how long, which mode, what to watch.
    Confinement  what the grader's sandbox imposes on it (grader/sandbox.py): the isolation
                 wrapper, the interpreter, the output bound, the run's uid and cgroups, and
                 the sandbox's part of the job (SandboxJob).
    ProbeJob     what crosses the pipe: the JSON the launcher (_kit/launch.py) writes to the
                 probe's stdin and the probe (_kit/sandbox_main.py) reads.

The probe imports this module only for the type checker (it does not import `typing` at run
time: its import time is paid by every sandboxed run). No `from __future__ import annotations`
here: NotRequired must be seen at run time for ProbeJob.__required_keys__ to be right.
"""
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

if TYPE_CHECKING:
    from .procfs import MemoryCgroup, PidsCgroup

Mode = Literal["call", "main", "scenario"]


@dataclass(frozen=True)
class RunOptions:
    """What the caller asks of one run.

    mode "call": call the function; "main": run the module as a program; "scenario": import
    the module, then call the checker's `scenario` ("workers_x.func") as
    func(module, recorder, *args, **kwargs). `start_method` sets multiprocessing's default
    start method before the student's module is imported. `diagnose_after` (seconds after
    the launch): take every thread's and child's stack then, for a timeout's diagnosis.
    `sample_processes`: watch the run's processes from outside (Run.seen_pids)."""

    timeout: float = 10.0
    mode: Mode = "call"
    trace_locks: bool = False
    diagnose_after: float | None = None
    sample_processes: bool = False
    start_method: str | None = None
    scenario: str | None = None


class ProbeLimits(TypedDict, total=False):
    """Resource limits the probe sets on itself (setrlimit) before any student code runs."""

    cpu_seconds: int
    data_bytes: int
    file_bytes: int
    open_files: int
    core_bytes: int
    processes: int


class SandboxJob(TypedDict, total=False):
    """The sandbox's part of the job (grader/sandbox.py); none of it for a public test."""

    limits: ProbeLimits
    uid: int                       # drop to this uid/gid (after the mounts)
    gid: int
    loopback_up: bool              # bring `lo` up in the run's fresh network namespace
    hide: list[str]                # folders covered by an empty tmpfs (the course, the home)
    private: list[list[str]]       # [[folder, tmpfs options], ...]: fresh, bounded /tmp, /dev/shm
    keep: list[str]                # folders brought back under the covered ones (Python, _kit)
    private_scratch: str           # tmpfs options for a fresh working folder


class ProbeJob(SandboxJob):
    """The job the probe reads from stdin (JSON), built by launch.probe_job. The keys below
    but the NotRequired ones are always sent; those, and the sandbox's (SandboxJob), only when
    they apply."""

    key: str                       # the run's signing key (reports, events)
    obs_fd: int                    # the report pipe's write end
    lifeline_fd: int               # read end of the lifeline: EOF = the grader is gone
    student_dir: str               # the copy of the submission's module folder
    module: str
    function: str
    args: list
    kwargs: dict
    mode: Mode
    scenario: str | None
    start_method: str | None
    trace_locks: bool
    events_path: str               # the signed events of _kit workers
    stacks_dir: str                # where child processes dump their stacks (childstacks.py)
    cwd: str                       # the run's scratch folder
    diagnose_deadline: NotRequired[float]      # on the shared monotonic clock
    cgroup_procs: NotRequired[str]             # join the run's pids cgroup
    memory_cgroup_procs: NotRequired[str]      # join the run's memory cgroup


@dataclass(frozen=True)
class Confinement:
    """What the sandbox imposes on a run. The default is none: a public test's run.

    `argv_prefix` is the isolation wrapper (unshare, setsid), or a function of the run's
    folder that gives it (bubblewrap, which must name the folders the run may see). With
    `pids_cgroup`, the probe joins it before any student code runs: it bounds processes and
    threads, and every process in it is killed at the end, whatever session or parent it
    has. With `memory_cgroup`, the memory of all the run's processes together is bounded.
    `sandbox_owner` (uid, gid) owns the run's folders."""

    argv_prefix: tuple[str, ...] | Callable[[Path], list[str]] = ()
    python: str = sys.executable
    output_keep: int = 64 * 1024             # bytes of stdout and of stderr kept
    output_limit: int = 8 * 1024 * 1024      # bytes of output (both) that stop the run
    sandbox_owner: tuple[int, int] | None = None
    pids_cgroup: "PidsCgroup | None" = None
    memory_cgroup: "MemoryCgroup | None" = None
    job: SandboxJob | None = None
