"""The probe: runs one student function (or module) inside its own process and reports back.

Started as `python -I -S sandbox_main.py` with a JSON job on stdin (its keys: _kit/contract.py's
ProbeJob, built by launch.probe_job). Before any student code is
imported it captures the clock, applies the job's limits, drops privileges if asked, and opens
the report pipe; then it imports the student's module, calls the function with
checker-supplied workers, and writes signed JSON messages to the report pipe:

    ready       the module imported
    result      returned / raised, with the value, exception and timings
    deadlock    a wait-for cycle among the student's locks that did not go away
    diagnosis   shortly before the deadline: every thread's stack, and every child
                process's (dumped by faulthandler, see childstacks.py and diagnosis.py)

After the result it waits to be killed, so the parent can look at its children from outside
(zombies, processes left running) in the state the student's function left them.
"""
from __future__ import annotations

import json
import os
import select
import signal
import sys
import threading
import traceback  # now, not when needed: a failing student's machine may be out of memory

TYPE_CHECKING = False         # typing is not imported in the probe: 1.6 ms a run
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from _kit.contract import ProbeJob, ProbeLimits

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(_HERE))

# Only what every run needs; diagnosis and locktrace are imported when used, and
# multiprocessing is instrumented when first imported (afterimport.py): ~20 ms less CPU a run.
from _kit import childstacks, events, workers  # noqa: E402

clock = events.clock
_write_lock = threading.Lock()
MAX_VALUE_BYTES = 1 << 20
DEADLOCK_GRACE = 0.3          # seconds a lock cycle must stay before it is a deadlock


class Reporter:
    def __init__(self, fd: int, key: str) -> None:
        self._fd = fd
        self._key = key.encode()

    def send(self, kind: str, **data: object) -> None:
        line = json.dumps({"type": kind, "t": clock(), "pid": events.getpid(), **data}, default=repr)
        payload = f"{events.sign(self._key, line)} {line}\n".encode()
        with _write_lock:
            view = memoryview(payload)
            while view:
                view = view[os.write(self._fd, view):]


def encode(value: Any, depth: int = 0) -> object:
    """Plain data only: exact built-in types survive; anything else arrives as an opaque
    description that never compares equal to an expected answer."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if depth > 20:
        return {"__opaque__": "nested too deeply"}
    if kind is list:
        return [encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"__dict__": {k: encode(v, depth + 1) for k, v in value.items()}}
    try:
        text = object.__repr__(value)
    except Exception:  # pragma: no cover - object.__repr__ does not fail
        text = "?"
    return {"__opaque__": f"{kind.__module__}.{kind.__qualname__}", "repr": text}


def resolve(name: str) -> Any:
    """"SleepTask" is in _kit.workers; "workers_p09_printer.Printer" in _kit.workers_p09_printer."""
    import importlib
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(f"_kit.{module or 'workers'}"), attr)


def decode_args(value: object, recorder: events.Recorder) -> Any:
    if isinstance(value, dict):
        if "__kit_worker__" in value:
            return resolve(value["__kit_worker__"])(recorder, **value.get("kwargs", {}))
        if "__tuple__" in value:
            return tuple(decode_args(v, recorder) for v in value["__tuple__"])
        return {k: decode_args(v, recorder) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_args(v, recorder) for v in value]
    return value


def apply_limits(limits: ProbeLimits) -> None:
    import resource
    for which, value in ((resource.RLIMIT_CPU, limits.get("cpu_seconds")),
                         (resource.RLIMIT_DATA, limits.get("data_bytes")),
                         (resource.RLIMIT_FSIZE, limits.get("file_bytes")),
                         (resource.RLIMIT_NOFILE, limits.get("open_files")),
                         (resource.RLIMIT_CORE, limits.get("core_bytes")),
                         (resource.RLIMIT_NPROC, limits.get("processes"))):
        if value is not None:
            resource.setrlimit(which, (value, value))


def lifeline_cut(cgroup_procs: str | None) -> None:
    """The grader's end of the lifeline closed: the grader is gone without killing this run.
    Kill every process the run started, then exit."""
    try:
        from _kit import procfs
        below = procfs.descendants
    except Exception:   # noqa: BLE001 - half-imported (another thread importing): the group
        below = None
    me = os.getpid()
    for _ in range(3):
        pids = {p.pid for p in below(me)} if below is not None else set()
        if cgroup_procs:
            try:
                with open(cgroup_procs) as f:
                    pids |= {int(x) for x in f.read().split()}
            except (OSError, ValueError):
                pass
        pids -= {me, 0}
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    if below is None:
        os.killpg(0, signal.SIGKILL)       # this process's group, itself included
    os._exit(70)


def child_subreaper() -> None:
    """Orphans of the student's code (a setsid() double-fork) become the probe's children, as
    they would in a PID namespace: seen by the checks, and inside the tree that is killed."""
    if sys.platform != "linux" or os.getpid() == 1:    # pid 1 of a namespace reaps already
        return
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def loopback_up() -> None:
    """In a fresh network namespace `lo` is down; bring it up (SIOCSIFFLAGS) so the
    socket exercises work on 127.0.0.1 while nothing can leave the machine."""
    import _socket  # not socket.py: it imports selectors and enum, ~3 ms a run
    import fcntl
    import struct
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        ifreq = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s.fileno(), 0x8913, ifreq))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s.fileno(), 0x8914, struct.pack("16sH14x", b"lo", flags | 0x1))  # IFF_UP
    finally:
        s.close()


_MS_BIND, _MS_MOVE, _MS_REC = 4096, 8192, 16384
_STAGING_CANDIDATES = ("/mnt", "/srv", "/media", "/opt", "/boot")


def _mount(src: str, target: str, fstype: str, flags: int, data: str = "") -> None:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(src.encode(), target.encode(), fstype.encode(), flags,
                  data.encode() or None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {src} on {target}: {os.strerror(err)}")


def _staging(avoid: list[str]) -> str:
    """A private scratch tmpfs outside every folder being covered, to park kept folders."""
    def under(path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder.rstrip("/") + "/")
    for cand in _STAGING_CANDIDATES:
        if os.path.isdir(cand) and not any(under(a, cand) or under(cand, a) for a in avoid):
            _mount("tmpfs", cand, "tmpfs", 0, "mode=0700,size=64k")
            return cand
    raise OSError("no folder to stage the sandbox's mounts in")


def cover(folders: list[tuple[str, str]], keep: list[str], staging: str | None = None) -> None:
    """In the run's private mount namespace, cover each folder with a fresh tmpfs mounted
    with its options (("/root", "mode=0755,size=1m"), ("/tmp", "mode=1777,size=64m")),
    bringing back the `keep` folders under it (the Python installation, the run's own
    folder)."""
    folders = [(f, o) for f, o in folders if os.path.isdir(f)]
    # A folder inside another one on the list is covered with it: mounting it again would fail.
    folders = [(f, o) for f, o in folders
               if not any(f != g and f.startswith(g.rstrip("/") + "/") for g, _ in folders)]
    if not folders:
        return
    if staging is None or any(staging.startswith(f.rstrip("/") + "/") for f, _ in folders):
        staging = _staging([f for f, _ in folders] + list(keep))
    n = 0
    for folder, options in folders:
        kept = [k for k in keep if k.startswith(folder.rstrip("/") + "/") and os.path.isdir(k)]
        staged = []
        for k in kept:
            stage = os.path.join(staging, f"keep{n}")
            n += 1
            os.mkdir(stage)
            _mount(k, stage, "", _MS_BIND | _MS_REC)
            staged.append((stage, k))
        _mount("tmpfs", folder, "tmpfs", 0, options)
        for stage, k in staged:
            os.makedirs(k, mode=0o755, exist_ok=True)
            _mount(stage, k, "", _MS_MOVE)


def hide_paths(hide: list[str], keep: list[str], staging: str) -> None:
    """Cover each `hide` folder with an empty read-only-for-others tmpfs, bringing back the
    `keep` folders under it (the Python installation)."""
    cover([(h, "mode=0755,size=1m") for h in hide], keep, staging)


def watchdog(job: ProbeJob, reporter: Reporter, module_globals: dict) -> None:
    """Every 50 ms: a lock cycle that stays (deadlock), the diagnosis shortly before the
    deadline, and the lifeline: if the grader is gone, kill the run."""
    start = clock()
    diagnose_at = None
    if job.get("diagnose_deadline") is not None:
        diagnose_at = max(job["diagnose_deadline"] - start, 0.0)
    tracing = bool(job.get("trace_locks"))
    if tracing:         # imported by main() before this thread started: `trace_locks` in main()
        diagnosis, locktrace = sys.modules["_kit.diagnosis"], sys.modules["_kit.locktrace"]
    fd: int | None = job["lifeline_fd"]
    last, since = None, 0.0
    while True:
        if fd is not None:
            try:
                if select.select([fd], [], [], 0.05)[0] and not os.read(fd, 1):
                    lifeline_cut(job.get("cgroup_procs"))
            except (OSError, ValueError):      # the student's code closed it
                fd = None
        else:
            events.sleep(0.05)
        now = clock()
        if tracing:
            try:
                cycle = locktrace.find_cycle(module_globals)
            except Exception:   # noqa: BLE001 - e.g. the student's globals changed meanwhile:
                cycle = []      # looked at again in 50 ms; the lifeline must outlive this
            key = [(w.thread, w.waits_for) for w in cycle]
            if not cycle:
                last = None
            elif key != last:
                last, since = key, now
            elif now - since >= DEADLOCK_GRACE:
                reporter.send("deadlock", cycle=[w.__dict__ for w in cycle],
                              text=locktrace.describe(cycle),
                              threads=diagnosis.probe_threads(job["student_dir"]))
                tracing = False
        if diagnose_at is not None and now - start >= diagnose_at:
            diagnose_at = None
            try:        # imported now (most runs never get here); the machine may be exhausted
                from _kit import diagnosis
                threads, processes = (diagnosis.probe_threads(job["student_dir"]),
                                      diagnosis.child_processes(job))
            except Exception:   # noqa: BLE001 - exhausted, or the student's code is importing
                threads, processes = {}, []
            reporter.send("diagnosis", threads=threads, processes=processes)
        if fd is None and not tracing and diagnose_at is None:
            return


def main() -> None:
    job: ProbeJob = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    reporter = Reporter(job["obs_fd"], job["key"])
    # Locals, bound before the student's module is imported: patching `__main__.clock` or
    # `Reporter.send` afterwards does not change what this function measures and sends.
    now, send = clock, reporter.send
    for procs in (job.get("cgroup_procs"), job.get("memory_cgroup_procs")):  # processes, memory
        if procs:
            with open(procs, "w") as f:            # procfs.join_cgroup, without its imports
                f.write(str(os.getpid()))
    child_subreaper()
    if job.get("loopback_up"):
        loopback_up()
    if job.get("hide") or job.get("private"):
        # job["private"]: [[folder, tmpfs options], ...] -- fresh, size-bounded /tmp, /dev/shm
        # and working folder; job["hide"]: folders the student may not read.
        folders = [(h, "mode=0755,size=1m") for h in job.get("hide", [])]
        folders += [(f, o) for f, o in job.get("private", [])]
        keep = list(job.get("keep", []))
        if job.get("private"):
            keep.append(os.path.dirname(job["events_path"]))     # the run's own folder
        if job.get("private_scratch"):
            folders.append((job["cwd"], job["private_scratch"]))
        cover(folders, keep, os.path.dirname(job["events_path"]))
    if job.get("limits"):
        apply_limits(job["limits"])
    if job.get("uid") is not None:
        os.setgroups([])
        os.setgid(job["gid"])
        os.setuid(job["uid"])
    os.chdir(job["cwd"])
    student_dir = job["student_dir"]
    sys.path.append(student_dir)          # after the standard library: nothing shadows it
    recorder = events.Recorder(job["events_path"], job["key"])
    os.register_at_fork(after_in_child=lambda: recorder.record("forked", ppid=os.getppid()))
    workers.watch_starts(recorder)        # spawn/forkserver children, seen as start() returns
    if job.get("stacks_dir"):
        childstacks.install(job["stacks_dir"])   # every child can tell where it is blocked
    if job.get("trace_locks"):
        # The watchdog's modules, imported here: an import in the watchdog thread while this
        # one imports the scenario or the student's module can see a half-initialised module
        # (typing, dataclasses), and the dead watchdog would turn every deadlock into a
        # timeout (measured: 9 of 48 t06 stubs under load).
        from _kit import diagnosis, locktrace  # noqa: F401
        locktrace.install(student_dir)
    if job.get("start_method"):
        import multiprocessing
        multiprocessing.set_start_method(job["start_method"], force=True)
    sys.argv = [os.path.join(student_dir, job["module"] + ".py")]
    module_globals: dict = {}
    threading.Thread(target=watchdog, args=(job, reporter, module_globals),
                     name="kit-watchdog", daemon=True).start()

    if job.get("mode") == "main":
        import runpy
        t0 = now()
        try:
            runpy.run_path(sys.argv[0], run_name="__main__")
            program_exit()
            outcome: dict[str, object] = {"status": "returned", "value": None}
        except BaseException as exc:  # noqa: BLE001 - the student's exception is the data
            outcome = _raised(exc, student_dir)
        sys.stdout.flush()
        send("result", call_start=t0, call_end=now(), **outcome)
        _hold()

    import importlib
    # A scenario is imported before the student's module, so that what it captures at import
    # (threading.enumerate, socket functions) is the real thing, whatever the student patches.
    scenario = resolve(str(job["scenario"])) if job.get("mode") == "scenario" else None
    try:
        module = importlib.import_module(job["module"])
    except BaseException as exc:  # noqa: BLE001
        send("import_failed", **_raised(exc, student_dir))
        _hold()
    module_globals.update(vars(module))
    send("ready")
    if job.get("mode") == "scenario":
        # A checker-supplied scenario drives the student's module from inside the sandbox
        # (socket clients, a program run as its own process): scenario(module, recorder, ...).
        func = scenario
        job["args"] = [None, None, *job.get("args", [])]
    else:
        func = getattr(module, job["function"], None)
    if not callable(func):
        send("import_failed", status="raised", exc_type="AttributeError",
                      message=f"module {job['module']!r} has no function {job['function']!r}",
                      traceback="")
        _hold()
    args = decode_args(job.get("args", []), recorder)
    if job.get("mode") == "scenario":
        args[:2] = [module, recorder]
    kwargs = decode_args(job.get("kwargs", {}), recorder)
    t0 = now()
    try:
        value = func(*args, **kwargs)
        t1 = now()
        encoded = encode(value)
        text = json.dumps(encoded, default=repr)
        if len(text) > MAX_VALUE_BYTES:
            outcome = {"status": "raised", "exc_type": "ValueTooLarge",
                       "message": f"the return value is {len(text)} bytes of data; "
                                  f"the limit is {MAX_VALUE_BYTES}", "traceback": ""}
        else:
            outcome = {"status": "returned", "value": encoded}
    except BaseException as exc:  # noqa: BLE001
        t1 = now()
        outcome = _raised(exc, student_dir)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    send("result", call_start=t0, call_end=t1, **outcome)
    _hold()


def program_exit() -> None:
    """What the interpreter does when a program's main module ends: wait for its non-daemon
    threads, then run the atexit functions (multiprocessing's joins its non-daemon children
    and terminates its daemon ones). Only then has the program finished."""
    import atexit
    me = threading.current_thread()
    for t in threading.enumerate():
        if t is not me and not t.daemon and not t.name.startswith("kit-"):
            t.join()
    atexit._run_exitfuncs()


def _raised(exc: BaseException, student_dir: str) -> dict:
    try:
        return _describe(exc, student_dir)
    except MemoryError:
        # the student's memory is still held by the frames of its traceback (a hoard that hit
        # RLIMIT_DATA): let it go, keeping the lines, and describe the error again
        tb = exc.__traceback__
        while tb is not None:
            try:
                tb.tb_frame.clear()
            except RuntimeError:        # a frame still running (this module's own)
                pass
            tb = tb.tb_next
        return _describe(exc, student_dir)


def _describe(exc: BaseException, student_dir: str) -> dict:
    tb = traceback.extract_tb(exc.__traceback__)
    lines = [f"{os.path.basename(fs.filename)}:{fs.lineno} in {fs.name}: {fs.line}"
             for fs in tb if fs.filename.startswith(student_dir)]
    if isinstance(exc, SyntaxError):
        lines.append(f"{os.path.basename(exc.filename or '?')}:{exc.lineno}: {exc.text!r}")
    try:
        message = str(exc)[:2000]
    except Exception:
        message = "?"
    return {"status": "raised", "exc_type": type(exc).__name__, "message": message,
            "traceback": "\n".join(lines[-20:])}


def _hold() -> NoReturn:
    """Wait to be killed: the parent inspects this process tree first."""
    while True:
        events.sleep(3600)


if __name__ == "__main__":
    main()
