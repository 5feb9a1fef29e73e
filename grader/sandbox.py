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

As an ordinary user on Linux ("userns"): bubblewrap (`bwrap`, Debian's `bubblewrap`) builds
the run a world of its own from unprivileged user namespaces: user, PID, network, IPC and UTS
namespaces; a root file system that holds only the Python runtime (read-only), the run's own
files (the kit's probe and the submission read-only, a bounded private working folder) and
fresh bounded /tmp, /var/tmp and /dev/shm -- nothing else of the host exists in it (not the
course, not the kit's installation, not the output folder, not $HOME); loopback only; no
capabilities and no further user namespaces. The probe is pid 1 of its PID namespace, so
nothing of the run survives it; RLIMIT_NPROC, counted inside the run's own user namespace,
bounds its processes and threads whatever else the user runs.

Without either (`KIT_SANDBOX_LEVEL=session`, no `bwrap`, user namespaces disabled, macOS), the
"session" level: the probe runs under a `setsid --fork --wait` wrapper so that
`os.kill(os.getppid(), …)` hits the wrapper, not the grader. It is weak (the student's code
can read and write what the grader's user can): `grader grade` refuses to run hidden checks
there unless the instructor opts in, and results.json records the level and what it lacked.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from _kit import launch, procfs
from _kit.contract import Confinement, ProbeLimits, RunOptions, SandboxJob
from _kit.launch import Run

from .errors import WeakSandboxError
from .manifest import Limits

NOBODY = 65534
# Uids handed to concurrent runs, one each (RLIMIT_NPROC and signals are per uid).
UID_POOL = range(61000, 61000 + 1000)
UID_LOCKS = Path(os.environ.get("KIT_UID_LOCK_DIR", "/tmp/kit-sandbox-uids"))
# The base interpreter, not a virtual environment's: the sandbox runs with -I -S (standard
# library only), and a venv's folder may be hidden from it.
PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
UNSHARE = ("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--net")
BWRAP_NAMESPACES = ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                    "--unshare-uts", "--unshare-cgroup-try", "--disable-userns",
                    "--die-with-parent", "--as-pid-1", "--new-session")
# The few files of /etc that Python and the socket exercises read (names, time zone, libc).
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/hosts", "/etc/passwd", "/etc/group",
             "/etc/nsswitch.conf")
STRONG_LEVELS = ("namespaces", "userns")
SETSID = ("setsid", "--fork", "--wait")
# Folders replaced by fresh, size-bounded, private ones in the run's mount namespace.
PRIVATE_TMP = ("/tmp", "/var/tmp", "/dev/shm")
# Tasks of the probe itself (main thread, watchdog) on top of the course's process limit.
CGROUP_HEADROOM = 4


@dataclass(frozen=True)
class Isolation:
    level: str                      # "namespaces" (root), "userns" (bubblewrap), "uid" or "session"
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
    private_root: bool = False      # a root file system of its own: runtime + the run's files only

    @property
    def strong(self) -> bool:
        """Hidden from the course, the grader and the network: hidden checks may run here."""
        return self.level in STRONG_LEVELS

    def to_dict(self) -> dict:
        return {**asdict(self), "strong": self.strong}


def _cgroup_writable(kind: type[procfs.PidsCgroup] | type[procfs.MemoryCgroup] = procfs.PidsCgroup,
                     size: int = 8) -> bool:
    group = kind.create(f"kit-detect-{os.getpid()}-{secrets.token_hex(4)}", size)
    if group is None:
        return False
    group.remove()
    return True


def runtime_mounts() -> list[str]:
    """bwrap arguments for the read-only runtime: /usr and the top-level links or folders
    into it (/bin, /lib, /lib64, /sbin), the base Python installation wherever it is (a
    pyenv under a home: only that folder of the home), and a few files of /etc."""
    argv = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    for prefix in outermost([os.path.realpath(sys.base_prefix), os.path.dirname(PYTHON)]):
        if not prefix.startswith("/usr/"):
            argv += ["--ro-bind", prefix, prefix]
    for name in ETC_FILES:
        argv += ["--ro-bind-try", name, name]
    return argv


def bwrap_argv(run_root: Path, limits: Limits) -> list[str]:
    """The bubblewrap command line for one run whose folder (launch.py's layout: kit/, work/,
    scratch/, stacks/, events.jsonl) is `run_root`: the whole file system the run sees."""
    bwrap = shutil.which("bwrap") or "bwrap"
    size = str(max(limits.file_mb, 1) * 1024 * 1024)
    root = str(run_root)
    argv = [bwrap, *BWRAP_NAMESPACES, *runtime_mounts(), "--proc", "/proc", "--dev", "/dev"]
    for folder in PRIVATE_TMP:
        argv += ["--perms", "1777", "--size", size, "--tmpfs", folder]
    argv += ["--ro-bind", f"{root}/kit", f"{root}/kit",
             "--ro-bind", f"{root}/work", f"{root}/work",
             "--bind", f"{root}/stacks", f"{root}/stacks",
             "--bind", f"{root}/events.jsonl", f"{root}/events.jsonl",
             "--perms", "0700", "--size", size, "--tmpfs", f"{root}/scratch",
             "--chdir", f"{root}/scratch", "--"]
    return argv


def _try_bwrap() -> str:
    """'' if a bubblewrap run works here, else why not (in words, with the fix)."""
    if shutil.which("bwrap") is None:
        return ("no `bwrap` command: install bubblewrap (Debian/Ubuntu: "
                "`sudo apt install bubblewrap`; Fedora: `sudo dnf install bubblewrap`)")
    with tempfile.TemporaryDirectory(prefix="kit-detect-") as folder:
        tmp = Path(folder)
        for name in ("kit", "work", "scratch", "stacks"):
            (tmp / name).mkdir()
        (tmp / "events.jsonl").touch()
        cmd = [*bwrap_argv(tmp, Limits()), PYTHON, "-I", "-S", "-c", "pass"]
        try:
            probe = subprocess.run(cmd, capture_output=True, timeout=20)
        except subprocess.TimeoutExpired:
            return "bwrap did not start a run within 20 s"
    if probe.returncode != 0:
        why = probe.stderr.decode(errors="replace").strip()[:300]
        return (f"bwrap could not start a run ({why}); unprivileged user namespaces may be "
                f"disabled (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu >= 23.10 "
                f"an AppArmor profile for bwrap)")
    return ""


@functools.lru_cache(maxsize=1)
def detect() -> Isolation:
    """The strongest level this machine allows. KIT_SANDBOX_LEVEL=userns, =uid or =session forces
    a weaker one (for testing each level; never a stronger one)."""
    lacking = []
    namespaces = userns = False
    forced = os.environ.get("KIT_SANDBOX_LEVEL", "")
    if forced not in ("", "userns", "uid", "session"):
        raise ValueError(f"KIT_SANDBOX_LEVEL={forced!r}: expected 'userns', 'uid' or 'session'")
    # root that can hand out the pool's uids: not the root of a user namespace that maps only
    # itself (a rootless container), where chown and setuid to them fail with EINVAL
    root = sys.platform == "linux" and os.geteuid() == 0 and _maps_uid_pool()
    if sys.platform != "linux":
        lacking.append("PID, network, mount and user namespaces (Linux only)")
    elif root and not forced:
        if shutil.which("unshare") is None:
            lacking.append("PID and network namespaces (no `unshare` command)")
        else:
            probe = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10)
            namespaces = probe.returncode == 0
            if not namespaces:
                lacking.append(f"PID and network namespaces (unshare failed: "
                               f"{probe.stderr.decode(errors='replace').strip()[:200]})")
    if sys.platform == "linux" and not namespaces and forced in ("", "userns"):
        why = _try_bwrap()
        userns = not why
        if why:
            lacking.append(f"user namespaces: {why}")
    if forced in ("session", "uid"):
        lacking.append(f"namespaces disabled by KIT_SANDBOX_LEVEL={forced}")
    # Root without namespaces (a container without CAP_SYS_ADMIN, such as Gradescope's): each
    # run still gets a uid of its own, so it cannot signal the grader, read its /proc, or
    # write what root owns; RLIMIT_NPROC is then a bound per run.
    uid_level = (root and not namespaces and not userns and forced != "session"
                 and python_for_others() is not None)
    if root and not namespaces and not userns and forced != "session" and not uid_level:
        lacking.append(f"a uid of its own: no Python that other users may run ({PYTHON} is "
                       f"in a folder only root can enter)")
    # (a forced userns level as root gets none: the probe cannot reach /sys/fs/cgroup there)
    cgroup = root and not userns and _cgroup_writable()
    if not cgroup:
        lacking.append("a pids cgroup (processes are bounded by RLIMIT_NPROC" +
                       (" counted in the run's own user namespace)" if userns else
                        " per uid and found by session, tree and environment marker)"))
    memory = root and not userns and _cgroup_writable(procfs.MemoryCgroup, 64 * 1024 * 1024)
    if not memory:
        lacking.append("a memory cgroup (memory is bounded per process by RLIMIT_DATA, not "
                       "for all the processes of a run together)")
    if userns:
        lacking.append("a uid of its own (the run has the grader's uid, inside a user "
                       "namespace without capabilities that sees no process and no file of "
                       "the host but the Python runtime)")
    if not namespaces and not userns:
        lacking.append("network isolation: the student's code can open connections")
    if uid_level:
        lacking.append("hidden files: the student's code runs as a uid of its own, so it can "
                       "read what every user may read and write nothing of root's")
    elif not namespaces and not userns:
        lacking.append("hidden files: the student's code can read what the grader's user can "
                       "(solutions, hidden checks, other results) and write where it can")
    level = ("namespaces" if namespaces else "userns" if userns else
             "uid" if uid_level else "session")
    shield = namespaces or userns or shutil.which("setsid") is not None
    return Isolation(level=level, pid_namespace=namespaces or userns,
                     net_namespace=namespaces or userns,
                     unprivileged_uid=namespaces or uid_level,
                     rlimits=sys.platform != "win32", lacking=tuple(lacking),
                     pids_cgroup=cgroup, private_tmp=namespaces or userns,
                     distinct_uids=namespaces or uid_level, parent_shield=shield,
                     memory_cgroup=memory, private_root=userns)


def python_for_others() -> str | None:
    """An interpreter of this version that a dropped uid can run: the base one, or (when that
    lives under /root, as a pyenv does) the system's of the same minor version."""
    if readable_by_others(Path(sys.base_prefix)):
        return PYTHON
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    found = shutil.which(version, path="/usr/bin:/usr/local/bin")
    return os.path.realpath(found) if found else None


def _maps_uid_pool() -> bool:
    """Whether this process's user namespace maps every uid of UID_POOL."""
    try:
        lines = Path("/proc/self/uid_map").read_text().split("\n")
    except OSError:
        return True
    spans = [tuple(int(x) for x in line.split()) for line in lines if line.strip()]
    return any(inside <= UID_POOL.start and UID_POOL.stop <= inside + count
               for inside, _, count in spans)


def readable_by_others(folder: Path) -> bool:
    """Whether a user other than the owner can reach `folder` and read in it: every folder
    above it lets others through (x), and it lets others list or enter it."""
    folder = folder.resolve()
    for above in [folder, *folder.parents]:
        try:
            mode = above.stat().st_mode
        except OSError:
            return False
        if not mode & 0o001:
            return False
    return bool(folder.stat().st_mode & 0o005)


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


def protect_grader() -> None:
    """Make this grading process non-dumpable: a process of the same uid (the student's code at
    the session level) can then neither read its /proc/<pid>/environ or /proc/<pid>/mem (LMS
    tokens, keys) nor ptrace it. Children that exec get their own, ordinary, setting back."""
    if sys.platform != "linux":
        return
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)       # PR_SET_DUMPABLE, 0


def require_strong(isolation: Isolation, *, allow_weak: bool) -> None:
    """Hidden checks run only where the student's code cannot reach the course, the grader,
    the network or other processes -- unless the instructor explicitly accepts a weak level."""
    if isolation.strong or allow_weak:
        return
    raise WeakSandboxError(
        "no strong sandbox on this machine, so hidden checks will not run: the student's code "
        "could read the solutions and hidden checks, rewrite results and the kit, reach the "
        "network and signal the grader.\n  missing: " + "\n  missing: ".join(
            w for w in isolation.lacking if "namespace" in w or "KIT_SANDBOX_LEVEL" in w)
        + "\nFix: on Linux install bubblewrap (Debian/Ubuntu: `sudo apt install bubblewrap`) "
        "and allow unprivileged user namespaces; or grade on a Linux machine or container that "
        "has them. To grade anyway at the weak level (every result and the report will say so),"
        " pass --unsafe-sandbox.")


class Sandbox:
    def __init__(self, limits: Limits, course_root: Path, isolation: Isolation | None = None) -> None:
        self.limits = limits
        self.course_root = course_root
        iso = isolation or detect()
        if iso.level == "uid" and readable_by_others(course_root):
            iso = dataclasses.replace(iso, lacking=(*iso.lacking, (
                f"the course folder {course_root} is readable by other users, so the "
                f"student's code can read the solutions and hidden checks: "
                f"`chmod -R o-rwx {course_root}` hides it")))
        self.isolation = iso

    def run(self, module_dir: Path, module: str, function: str = "", args: list | None = None,
            kwargs: dict | None = None, *, options: RunOptions) -> Run:
        """Run `module.function(*args, **kwargs)` from `module_dir` as `options` ask, confined
        at this machine's isolation level and within the course's limits."""
        with contextlib.ExitStack() as stack:
            confinement = self._confine(stack)
            return launch.run_probe(module_dir, module, function, args, kwargs, options=options,
                                    confinement=confinement)

    def _confine(self, stack: contextlib.ExitStack) -> Confinement:
        """The run's confinement: its wrapper, uid, cgroups (removed when `stack` closes),
        limits and the sandbox's part of the probe's job."""
        lim = self.limits
        iso = self.isolation
        limits: ProbeLimits = {"cpu_seconds": lim.cpu_seconds,
                               "data_bytes": lim.memory_mb * 1024 * 1024,
                               "file_bytes": lim.file_mb * 1024 * 1024,
                               "open_files": lim.open_files, "core_bytes": 0}
        job: SandboxJob = {"limits": limits}
        prefix: tuple[str, ...] = ()
        python = PYTHON
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
        if iso.level == "namespaces":
            prefix = UNSHARE
            uid = stack.enter_context(_own_uid())
            # Nobody may read the course (solutions, hidden checks) or the grader's home;
            # the Python installation stays visible. /tmp (other runs, results written
            # there), /var/tmp and /dev/shm are fresh and bounded; so is the working folder.
            hide = outermost([str(Path.home()), str(self.course_root.resolve())],
                             covered=PRIVATE_TMP)
            size = f"size={max(lim.file_mb, 1)}m"
            private = [[f, f"mode=1777,{size}"] for f in PRIVATE_TMP]
            job.update({"uid": uid, "gid": uid, "loopback_up": True, "hide": hide,
                        "private": private, "keep": [sys.base_prefix],
                        "private_scratch": f"mode=0700,uid={uid},gid={uid},{size}"})
            # With a cgroup, the cgroup is the bound (and it counts what it refused);
            # RLIMIT_NPROC stays as a backstop.
            limits["processes"] = lim.processes + (64 if cgroup is not None else 0)
            owner = (uid, uid)
        elif iso.level == "uid":
            # a uid of its own per concurrent run: its processes are counted, and it may
            # signal, only its own; the course is hidden where its permissions hide it
            prefix = SETSID
            python = python_for_others() or PYTHON
            uid = stack.enter_context(_own_uid())
            job.update({"uid": uid, "gid": uid})
            limits["processes"] = lim.processes + (64 if cgroup is not None else 0)
            owner = (uid, uid)
        elif iso.level == "userns":
            # the run's own user namespace counts its processes and threads: a bound per run
            limits["processes"] = lim.processes + CGROUP_HEADROOM
            return Confinement(argv_prefix=functools.partial(bwrap_argv, limits=lim), job=job,
                               output_limit=lim.output_kb * 1024, python=PYTHON,
                               pids_cgroup=cgroup, memory_cgroup=memory)
        elif iso.parent_shield:
            prefix = SETSID
            if os.geteuid() != 0 and sys.platform == "linux":
                # RLIMIT_NPROC counts every process of this uid: leave room for what runs
                limits["processes"] = lim.processes + _user_processes()
        return Confinement(argv_prefix=prefix, job=job, sandbox_owner=owner,
                           output_limit=lim.output_kb * 1024, python=python,
                           pids_cgroup=cgroup, memory_cgroup=memory)
