"""Launch the probe (`sandbox_main.py`) in its own process, bound it, and collect what it saw.

Used as-is by the public tests (a student's `pytest exercises/`) and, with namespaces, a
dropped uid and resource limits added, by the grader's sandbox. Whatever the student's code
does, `run_probe` returns within `timeout` plus a second or two, and every process the run
started has been killed.
"""
from __future__ import annotations

import atexit
import compileall
import hashlib
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import diagnosis, events, procfs
from .contract import Confinement, ProbeJob, RunOptions

KIT_DIR = Path(__file__).resolve().parent
FINAL = {"result", "import_failed", "deadlock"}
# A reported call time this much shorter than the one seen from outside is a lie, not load.
FORGED_MARGIN = 0.75
CLOCK_RETRIES = 2


class Opaque:
    """A value the student's code returned that is not plain data. Equal to nothing."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name, self.text = type_name, text

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"


def decode(value: object) -> object:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__dict__" in value:
            return {k: decode(v) for k, v in value["__dict__"].items()}
        return Opaque(str(value.get("__opaque__")), str(value.get("repr", "")))
    return value


def worker(name: str, **kwargs: object) -> dict:
    """A checker-supplied worker to pass as an argument: worker("SleepTask", seconds=0.1).
    Names without a dot are in _kit/workers.py; "workers_p09_printer.Printer" is the class
    Printer in _kit/workers_p09_printer.py. The worker is built in the sandbox as
    Class(recorder, **kwargs)."""
    return {"__kit_worker__": name, "kwargs": kwargs}


@dataclass
class Run:
    status: str                       # returned raised import_failed deadlock timeout
    #                                   crashed output_limit forged
    value: Any = None                 # decoded from the child: untrusted, the check tests its shape
    exc_type: str = ""
    message: str = ""
    traceback: str = ""
    call_time: float | None = None    # on the probe's captured clock, checked against ours
    call_start: float | None = None
    call_end: float | None = None
    wall: float = 0.0                 # launch to verdict, on the parent's clock
    events: list[dict] = field(default_factory=list)
    rejected_events: int = 0
    deadlock: dict | None = None
    diagnosis: dict | None = None
    stdout: str = ""
    stderr: str = ""
    output_bytes: int = 0
    exitcode: int | None = None
    probe_pid: int | None = None      # the probe's own pid, as it sees itself
    children_after: list[procfs.Proc] = field(default_factory=list)
    seen_pids: set[int] = field(default_factory=set)   # inner pids seen during the run
    killed: int = 0                   # processes still alive at the end that had to be killed
    observed_call_time: float | None = None   # ready → result, on the parent's own clock
    limit_hits: dict = field(default_factory=dict)   # e.g. {"processes": 3}: forks refused
    survivors: int = 0                # processes of the run still alive after the kill (must be 0)
    limits: dict = field(default_factory=dict)       # the resource limits the run had
    timeout: float = 0.0
    clock_disagreed: bool = False     # forged: the call's time against the parent's clock
    attempts: int = 1                 # runs made (a clock disagreement is run again)

    @property
    def returned(self) -> bool:
        return self.status == "returned"

    def where_stuck(self) -> str:
        """Where the threads and child processes were waiting shortly before the deadline,
        and the likely cause ('' if the run was not diagnosed)."""
        return diagnosis.describe(self.diagnosis or {})

    def deadlock_stacks(self) -> str:
        """'\nthe threads' stacks:\n  Thread-1: worker (line 58) -> f1 (line 41): ...' for the
        threads of a deadlock's cycle ('' without one)."""
        deadlock = self.deadlock or {}
        stacks = deadlock.get("threads") or {}
        names = [w.get("thread") for w in deadlock.get("cycle") or []]
        lines = [f"  {name}: {diagnosis.chain(stacks[name])}" for name in names
                 if name in stacks and diagnosis.chain(stacks[name])]
        return ("\nthe threads' stacks:\n" + "\n".join(lines)) if lines else ""

    def explain(self) -> str:
        """One paragraph, in the student's terms, of why the run did not return normally."""
        text = self._explain()
        bound = self._bound()
        return f"{text}\n{bound}" if bound and self.status != "returned" else text

    def _bound(self) -> str:
        """Which of the sandbox's bounds the run hit, if any, in words."""
        hits = []
        procs = self.limits.get("processes")
        if self.limit_hits.get("processes") or self.exc_type == "BlockingIOError" or \
                "can't start new thread" in self.message:
            hits.append("it hit the sandbox's limit on processes and threads"
                        + (f" ({procs})" if procs else "")
                        + (f"; {self.limit_hits['processes']} more were refused"
                           if self.limit_hits.get("processes") else ""))
        if self.exc_type == "MemoryError" and self.limits.get("data_bytes"):
            hits.append(f"it hit the sandbox's memory limit "
                        f"({self.limits['data_bytes'] // (1024 * 1024)} MB per process)")
        if self.limit_hits.get("memory"):
            total = self.limits.get("run_memory_bytes")
            hits.append("its processes together used more than the sandbox's memory for a run"
                        + (f" ({total // (1024 * 1024)} MB)" if total else "")
                        + f"; the system killed {self.limit_hits['memory']} of them")
        if self.exitcode in (-24, 128 + 24) or (self.exitcode == 137 and self.status == "crashed"
                                                 and self.limits.get("cpu_seconds") and
                                                 self.wall >= self.limits["cpu_seconds"]):
            hits.append(f"it used more than {self.limits.get('cpu_seconds')} s of CPU time")
        if self.exitcode in (-25, 128 + 25) or self.exc_type == "OSError" and \
                "File too large" in self.message:
            hits.append("it wrote a file larger than the sandbox's file size limit")
        return ("(" + "; ".join(hits) + ")") if hits else ""

    def _explain(self) -> str:
        if self.status == "returned":
            return "returned normally"
        if self.status == "raised":
            where = f"\n{self.traceback}" if self.traceback else ""
            if self.exc_type == "SystemExit":
                return f"your code called sys.exit({self.message}) instead of returning{where}"
            return f"your code raised {self.exc_type}: {self.message}{where}"
        if self.status == "import_failed":
            if self.exc_type == "SystemExit":
                return (f"your module called sys.exit({self.message}) while it was being imported, "
                        f"so there was nothing to call" + (f"\n{self.traceback}" if self.traceback
                                                           else ""))
            return (f"importing your module failed with {self.exc_type}: {self.message}"
                    + (f"\n{self.traceback}" if self.traceback else ""))
        if self.status == "deadlock":
            text = (self.deadlock or {}).get("text", "")
            return (f"deadlock: {text} — every thread in the cycle waits forever"
                    + self.deadlock_stacks())
        if self.status == "timeout":
            where = self.where_stuck()
            where = f"\n{where}" if where else ""
            when = " (while your module was being imported)" if self.probe_pid is None else ""
            return (f"did not finish within {round(self.timeout, 1):g} s and was stopped{when} "
                    f"(is something waiting forever: a join, a get, a lock, a loop?){where}")
        if self.status == "output_limit":
            return (f"printed more than the output limit ({self.output_bytes} bytes so far) "
                    f"and was stopped")
        if self.status == "forged":
            return f"the run's report was not genuine: {self.message}"
        when = "while your module was being imported" if self.probe_pid is None else \
            "while your function ran"
        return (f"the process ended {when} without reporting a result (exit code "
                f"{self.exitcode}) — did your code call os._exit() or kill its own process?"
                + (f"\n{self.stderr[-500:]}" if self.stderr.strip() else ""))


class _Capture(threading.Thread):
    def __init__(self, stream, keep: int, on_total) -> None:
        super().__init__(daemon=True)
        self.stream, self.keep, self.on_total = stream, keep, on_total
        self.data = bytearray()

    def run(self) -> None:
        while chunk := self.stream.read1(65536):
            if len(self.data) < self.keep:
                self.data += chunk[: self.keep - len(self.data)]
            self.on_total(len(chunk))


_probe_lock = threading.Lock()
_probe_copy: tuple[Path, str, int] | None = None     # (folder holding _kit, digest, owner pid)


def _digest_tree(folder: Path) -> str:
    """What the copy is, cheaply: every entry's name, type, mode, size, inode and change
    time. A change to a file's content, mode or name moves its ctime, which no process can set
    back without changing the system clock (unlike mtime, which utime() sets). Reading and
    hashing the ~60 files' contents instead cost ~10 ms of CPU before every run."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in [".", *sorted(filenames), *dirnames]:
            st = os.lstat(os.path.join(dirpath, name))
            h.update(f"{os.path.relpath(dirpath, folder)}/{name}\0{st.st_mode}:{st.st_size}:"
                     f"{st.st_ino}:{st.st_ctime_ns}\n".encode())
    return h.hexdigest()


def _remove_copy(folder: Path, owner: int) -> None:
    if os.getpid() == owner:           # not from a forked child that happens to exit normally
        shutil.rmtree(folder, ignore_errors=True)


def _sweep_copies() -> None:
    """Remove the copies of processes that died without their exit handlers (SIGKILL)."""
    for folder in Path(tempfile.gettempdir()).glob("kit-probe-*-*"):
        owner = folder.name.split("-")[2]
        try:
            if not owner.isdigit() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def probe_copy() -> Path:
    """The folder holding this process's copy of `_kit` for the probe: made once (not once per
    run), compiled once, readable by every uid (the course folder that holds `_kit` may be
    hidden from the run) and writable by none but this process's user. Its digest is checked
    before each use; if anything in it changed (at the weak level the student's code has this
    user's rights), it is made again."""
    global _probe_copy
    with _probe_lock:
        if _probe_copy is not None and _probe_copy[2] == os.getpid():
            folder, digest, _ = _probe_copy
            try:
                if _digest_tree(folder) == digest:
                    return folder
            except OSError:
                pass
            shutil.rmtree(folder, ignore_errors=True)
        _sweep_copies()
        folder = Path(tempfile.mkdtemp(prefix=f"kit-probe-{os.getpid()}-"))
        shutil.copytree(KIT_DIR, folder / "_kit",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compileall.compile_dir(str(folder / "_kit"), quiet=1)
        for path in [folder, *folder.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        atexit.register(_remove_copy, folder, os.getpid())
        _probe_copy = (folder, _digest_tree(folder), os.getpid())
        return folder


def diagnosis_time(timeout: float) -> float:
    """When to take the stacks for a timeout's diagnosis: a second (or a fifth of the
    timeout) before it, so the dump is in before the kill."""
    return max(timeout - max(1.0, 0.2 * timeout), 0.1)


def run_probe(module_dir: str | Path, module: str, function: str = "", args: list | None = None,
              kwargs: dict | None = None, *, options: RunOptions | None = None,
              confinement: Confinement | None = None) -> Run:
    """Run `module.function(*args, **kwargs)` from `module_dir` in a fresh interpreter, as
    `options` ask (contract.RunOptions; default: a call, 10 s) within `confinement`
    (contract.Confinement: what the grader's sandbox imposes; default none, as for a public
    test).

    A run whose report says the call took much less time than the parent saw (`forged` by the
    clock) is run again, up to CLOCK_RETRIES times, and judged by its last attempt: on a
    starved machine (a fork bomb graded beside it) a genuine probe can spend more than a second
    between its report that it is ready and its call, which the parent counts and the probe
    does not; a forger forges every time."""
    call = ProbeCall(module_dir, module, function, list(args or []), dict(kwargs or {}))
    options = options or RunOptions()
    confinement = confinement or Confinement()
    run = _attempt(call, options, confinement)
    while run.clock_disagreed and run.attempts <= CLOCK_RETRIES:
        attempts = run.attempts
        run = _attempt(call, options, confinement)
        run.attempts = attempts + 1
    return run


@dataclass(frozen=True)
class ProbeCall:
    """What to run: `module.function(*args, **kwargs)` from a copy of `module_dir`."""

    module_dir: str | Path
    module: str
    function: str
    args: list
    kwargs: dict


@dataclass(frozen=True)
class RunFolder:
    """One run's folder, in the layout grader.sandbox.bwrap_argv names: kit/ (a link to the
    compiled copy of _kit), work/ (the copy of the student's module folder), scratch/ (the
    working folder), stacks/ (child processes' stack dumps), events.jsonl (worker events)."""

    root: Path
    kit_home: Path
    work: Path
    scratch: Path
    stacks: Path
    events_path: Path


@dataclass(frozen=True)
class _RunIds:
    key: str          # signs the probe's reports and the workers' events
    run_id: str       # KIT_RUN=<run id> in the run's environment: finds escaped processes.
    #                   Not the key: the student's code can read its environment.

    @property
    def marker(self) -> bytes:
        return f"KIT_RUN={self.run_id}".encode()


class _OutputMeter:
    """Counts the bytes the run printed (both streams); past the limit, stops the watch."""

    def __init__(self, limit: int, messages: queue.Queue[dict | None]) -> None:
        self.limit, self.messages = limit, messages
        self.total = 0

    def __call__(self, n: int) -> None:
        self.total += n
        if self.total > self.limit:
            self.messages.put({"type": "_output_limit"})


@dataclass
class _Started:
    """A launched probe and the threads that read it."""

    proc: subprocess.Popen[bytes]
    launched: float                   # on the shared monotonic clock, just before the fork
    messages: queue.Queue[dict | None]   # verified reports; None when the pipe closed
    outs: tuple[_Capture, _Capture]   # stdout, stderr
    meter: _OutputMeter
    sampler: _Sampler | None
    lifeline: int                     # its write end: only this process holds it
    nested: bool                      # argv_prefix wraps the probe: the probe is its child


@dataclass
class _Watched:
    """What the watch saw until the verdict."""

    status: str = "crashed"           # "timeout", "output_limit"; "crashed" unless a report came
    final: dict | None = None         # the report that ended the run (FINAL)
    probe_pid: int | None = None
    ready_at: float | None = None     # the module imported, on the parent's clock
    diagnosis: dict | None = None
    verdict_at: float = 0.0


def _attempt(call: ProbeCall, options: RunOptions, confinement: Confinement) -> Run:
    """One run: prepare its folder, start the probe, watch its reports until a verdict or the
    deadline, collect (kill everything, read the outputs and events), verify the report."""
    ids = _RunIds(key=secrets.token_hex(16), run_id=secrets.token_hex(16))
    with tempfile.TemporaryDirectory(prefix="kit-run-") as tmp:
        folder = _prepare_folder(Path(tmp), call.module_dir, confinement.sandbox_owner)
        started = _start(call, folder, ids, options, confinement)
        watched = _watch(started, options.timeout)
        run, ended = _collect(started, watched, folder, ids, options, confinement)
        _verify(run, watched, started.launched, ended)
        return run


def _prepare_folder(root: Path, module_dir: str | Path, owner: tuple[int, int] | None) -> RunFolder:
    """The run's folder under `root`, owned by the run's uid (`owner`) when it has one."""
    kit_home = probe_copy()
    (root / "kit").symlink_to(kit_home, target_is_directory=True)
    work = root / "work"
    shutil.copytree(module_dir, work, ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                                      "test_*.py", "conftest.py"))
    scratch = root / "scratch"
    scratch.mkdir()
    stacks = root / "stacks"           # child processes' stack dumps (childstacks.py)
    stacks.mkdir()
    events_path = root / "events.jsonl"
    events_path.touch()
    if owner is not None:
        for path in (root, work, scratch, stacks, events_path, *work.rglob("*")):
            os.chown(path, *owner)
        # The run's uid owns its folders; another run's uid (where /tmp is shared: the
        # "uid" level) can neither list them nor read the submission in them.
        os.chmod(root, 0o711)
        for path in (work, scratch, stacks):
            os.chmod(path, 0o700)
        os.chmod(events_path, 0o600)
    return RunFolder(root=root, kit_home=kit_home, work=work, scratch=scratch, stacks=stacks,
                     events_path=events_path)


def probe_job(call: ProbeCall, folder: RunFolder, key: str, confinement: Confinement, *,
              obs_fd: int, lifeline_fd: int, options: RunOptions) -> ProbeJob:
    """The job the probe reads from its stdin (contract.ProbeJob), but for the diagnosis
    deadline, which is counted from the launch."""
    job: ProbeJob = {"key": key, "obs_fd": obs_fd, "lifeline_fd": lifeline_fd,
                     "student_dir": str(folder.work), "module": call.module,
                     "function": call.function, "args": call.args, "kwargs": call.kwargs,
                     "mode": options.mode, "scenario": options.scenario,
                     "start_method": options.start_method, "trace_locks": options.trace_locks,
                     "events_path": str(folder.events_path), "stacks_dir": str(folder.stacks),
                     "cwd": str(folder.scratch)}
    sandbox = confinement.job
    if sandbox is not None:
        job.update(sandbox)
        if "keep" in sandbox:          # a private /tmp: bring the probe's copy of _kit back
            job["keep"] = [*sandbox["keep"], str(folder.kit_home)]
    if confinement.pids_cgroup is not None:
        job["cgroup_procs"] = confinement.pids_cgroup.procs_file
    if confinement.memory_cgroup is not None:
        job["memory_cgroup_procs"] = confinement.memory_cgroup.procs_file
    return job


def _start(call: ProbeCall, folder: RunFolder, ids: _RunIds, options: RunOptions,
           confinement: Confinement) -> _Started:
    """Launch the probe in its own session, start reading its pipes, send it the job."""
    read_fd, write_fd = os.pipe()
    # The lifeline: only this process holds its write end. If the grader dies (a crash, a
    # SIGKILL of the whole batch), the probe reads EOF and kills everything it started.
    life_r, life_w = os.pipe()
    job = probe_job(call, folder, ids.key, confinement, obs_fd=write_fd, lifeline_fd=life_r,
                    options=options)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONUNBUFFERED": "1", "MALLOC_ARENA_MAX": "2",
           "KIT_RUN": ids.run_id}
    if os.environ.get("KIT_TEST_SESSION"):     # the kit's own test suite finds leftovers
        env["KIT_TEST_SESSION"] = os.environ["KIT_TEST_SESSION"]
    wrapper = confinement.argv_prefix
    prefix = tuple(wrapper(folder.root) if callable(wrapper) else wrapper)
    cmd = [*prefix, confinement.python, "-I", "-S", str(folder.root / "kit" / "_kit" / "sandbox_main.py")]
    messages: queue.Queue[dict | None] = queue.Queue()
    meter = _OutputMeter(confinement.output_limit, messages)
    launched = events.clock()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, pass_fds=(write_fd, life_r), env=env,
                            cwd=str(folder.scratch), start_new_session=True)
    os.close(write_fd)
    os.close(life_r)
    if proc.stdin is None or proc.stdout is None or proc.stderr is None:   # pragma: no cover
        raise RuntimeError("the probe was started without its pipes")
    outs = (_Capture(proc.stdout, confinement.output_keep, meter),
            _Capture(proc.stderr, confinement.output_keep, meter))
    for t in outs:
        t.start()
    threading.Thread(target=_read_messages, args=(read_fd, ids.key, messages),
                     daemon=True).start()
    sampler = None
    if options.sample_processes and procfs.available():
        sampler = _Sampler(proc.pid, confinement.pids_cgroup)
        sampler.start()
    if options.diagnose_after is not None:
        # on the probe's clock (the same system-wide monotonic clock): counted from the
        # launch, not from whenever the probe got going on a loaded machine
        job["diagnose_deadline"] = launched + options.diagnose_after
    try:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
    except OSError:
        pass
    return _Started(proc=proc, launched=launched, messages=messages, outs=outs, meter=meter,
                    sampler=sampler, lifeline=life_w, nested=prefix != ())


def _watch(started: _Started, timeout: float) -> _Watched:
    """Read the probe's reports until one is final (FINAL), the pipe closes, the output
    limit is passed, or `timeout` after the launch."""
    seen = _Watched()
    deadline = started.launched + timeout
    while seen.final is None:
        remaining = deadline - events.clock()
        if remaining <= 0:
            seen.status = "timeout"
            break
        try:
            msg = started.messages.get(timeout=remaining)
        except queue.Empty:
            continue
        if msg is None:
            break
        if msg["type"] == "_output_limit":
            seen.status = "output_limit"
            break
        if msg["type"] == "ready":
            seen.probe_pid = msg.get("pid")
            seen.ready_at = events.clock()
        elif msg["type"] == "diagnosis":
            seen.diagnosis = msg
        elif msg["type"] in FINAL:
            seen.final = msg
    seen.verdict_at = events.clock()
    return seen


def _collect(started: _Started, watched: _Watched, folder: RunFolder, ids: _RunIds,
             options: RunOptions, confinement: Confinement) -> tuple[Run, float]:
    """The run as the checks see it (before verification): the processes the student's code
    left, then kill every process of the run, and read its outputs, reports and events.
    Also returns when the last process was gone, on the parent's clock."""
    proc, final = started.proc, watched.final
    sandbox = confinement.job or {}
    run = Run(status=watched.status, timeout=options.timeout, limits=dict(sandbox.get("limits") or {}),
              probe_pid=watched.probe_pid, diagnosis=watched.diagnosis,
              wall=watched.verdict_at - started.launched)
    if confinement.memory_cgroup is not None:
        run.limits["run_memory_bytes"] = confinement.memory_cgroup.max_bytes
    if final is not None and final["type"] == "result" and watched.ready_at is not None:
        run.observed_call_time = watched.verdict_at - watched.ready_at
    if final is not None:
        run.children_after = _children(proc.pid, started.nested)
    if started.sampler is not None:
        started.sampler.stop()
        run.seen_pids = started.sampler.seen
    pids_cgroup = confinement.pids_cgroup
    run.killed = _kill_tree(proc, ids.marker, pids_cgroup)
    os.close(started.lifeline)
    if pids_cgroup is not None:
        hits = pids_cgroup.events()
        if hits:
            run.limit_hits["processes"] = hits
    memory = confinement.memory_cgroup
    oom_kills = memory.oom_kills() if memory is not None else 0
    if oom_kills:
        run.limit_hits["memory"] = oom_kills
    run.survivors = len(_survivors(proc, ids.marker, pids_cgroup))
    ended = events.clock()
    for t in started.outs:
        t.join(timeout=2)
    for stream in (proc.stdout, proc.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    run.stdout = started.outs[0].data.decode(errors="replace")
    run.stderr = started.outs[1].data.decode(errors="replace")
    run.output_bytes = started.meter.total
    run.exitcode = proc.returncode
    while final is None and not started.messages.empty():   # a report that raced the deadline
        msg = started.messages.get_nowait()
        if msg and msg["type"] == "diagnosis":
            run.diagnosis = msg
    if final is not None:
        _report(run, final)
    run.events, run.rejected_events = events.read_events(str(folder.events_path), ids.key)
    return run, ended


def _report(run: Run, msg: dict) -> None:
    """The final report's content: the outcome, as the probe says (verified after)."""
    kind = msg["type"]
    if kind == "deadlock":
        run.status, run.deadlock = "deadlock", msg
        return
    run.status = msg.get("status", "raised") if kind == "result" else "import_failed"
    run.exc_type = msg.get("exc_type", "")
    run.message = msg.get("message", "")
    run.traceback = msg.get("traceback", "")
    run.value = decode(msg.get("value"))


def _verify(run: Run, watched: _Watched, launched: float, ended: float) -> None:
    """The report against the parent's own clock: the call's start and end within the run,
    its time not much shorter than seen from outside, the worker events within the run. A
    report that fails is `forged` (a clock disagreement alone is run again: run_probe)."""
    final = watched.final
    if final is not None and final["type"] == "result":
        start, end = final.get("call_start"), final.get("call_end")
        if not (isinstance(start, float) and isinstance(end, float)
                and launched <= start <= end <= watched.verdict_at):
            run.status, run.message = "forged", "the call's start and end times are impossible"
        else:
            run.call_start, run.call_end, run.call_time = start, end, end - start
            observed = run.observed_call_time
            if run.status == "returned" and observed is not None \
                    and run.call_time < observed - max(FORGED_MARGIN, observed / 2):
                run.status, run.message = "forged", (
                    f"the call reported {run.call_time:.2f} s, but it took {observed:.2f} s "
                    f"as seen from outside (clock tampering?)")
                run.clock_disagreed = True
    # Workers may go on after the function returned (until the kill), never before launch.
    bad = [e for e in run.events if not launched <= e["t"] <= ended]
    if bad and run.status == "returned":
        run.status, run.message = "forged", (
            f"{len(bad)} worker events carry times outside the run (clock tampering?)")


def _read_messages(fd: int, key: str, out: queue.Queue) -> None:
    buf = b""
    with os.fdopen(fd, "rb", buffering=0) as f:
        while chunk := f.read(65536):
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                try:
                    sig, line = raw.decode().split(" ", 1)
                    if sig == events.sign(key.encode(), line):
                        msg = json.loads(line)
                        msg.setdefault("pid", None)
                        out.put(msg)
                except ValueError:
                    continue
            if len(buf) > 16 * 1024 * 1024:
                break
    out.put(None)


def _children(root: int, nested: bool) -> list[procfs.Proc]:
    """Processes below the probe, as the student's function left them."""
    below = procfs.descendants(root)
    if nested:        # root is the namespace launcher: its first child is the probe itself
        below = [p for p in below if p.ppid != root]
    return [p for p in below if not p.is_helper]


class _Sampler(threading.Thread):
    """Watches the run's process tree from outside every 20 ms: inner pids seen.

    With the run's pids cgroup it reads the cgroup's member list (every process of the run,
    and only those) and each new member's inner pid once: a few small reads a tick. Without
    it, it walks the whole /proc tree, whose cost grows with every process on the machine --
    with several workers grading at once, every worker's samplers pay for all of them."""

    def __init__(self, root: int, cgroup: procfs.PidsCgroup | None = None) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.cgroup = cgroup
        self.seen: set[int] = set()
        self._inner: dict[int, int] = {}      # outer pid -> inner pid, for the cgroup's members
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            if self.cgroup is not None:
                self._sample_cgroup(self.cgroup)
            else:
                for p in procfs.descendants(self.root):
                    self.seen.add(p.inner_pid)
            self._halt.wait(0.02)

    def _sample_cgroup(self, cgroup: procfs.PidsCgroup) -> None:
        for pid in cgroup.pids():
            if pid not in self._inner:
                inner = procfs.inner_pid(pid)
                if inner is None:          # gone already: nothing to learn
                    continue
                self._inner[pid] = inner
            self.seen.add(self._inner[pid])

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


def _survivors(proc: subprocess.Popen, marker: bytes,
               cgroup: procfs.PidsCgroup | None = None) -> set[int]:
    pids = {p.pid for p in procfs.descendants(proc.pid) if p.state != "Z"}
    pids |= set(procfs.with_marker(marker))
    if cgroup is not None:
        pids |= set(cgroup.pids())
    pids.discard(proc.pid)
    return pids


def _kill_tree(proc: subprocess.Popen, marker: bytes,
               cgroup: procfs.PidsCgroup | None = None) -> int:
    """Kill everything the run started: the run's pids cgroup (where there is one), the
    session, the tree below the probe, and any process that escaped all of these but still
    carries the run's environment marker."""
    killed = 0
    for _ in range(20):
        if cgroup is not None:
            killed += cgroup.kill_all(rounds=3)
        pids = {p.pid for p in procfs.descendants(proc.pid) if p.state != "Z"}
        pids |= set(procfs.with_marker(marker))
        alive = proc.poll() is None
        if not pids and not alive:
            break
        if alive:
            pids.add(proc.pid)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += pid != proc.pid
            except OSError:
                pass
        time.sleep(0.01)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not fail
        pass
    return killed

