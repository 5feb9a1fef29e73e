"""Why a run that ran out of time was stuck, told in the student's names and lines.

Shortly before the deadline the probe takes every stack it can: its own threads'
(`probe_threads`, from sys._current_frames) and its child processes' (`child_processes`,
dumped by faulthandler, see childstacks.py). The parent turns them into text with
`describe`: where each thread and each child was waiting, and, where the stacks show a
pattern the course warns about, the cause and the fix:

- a parent joining a child that waits forever on a queue's get() (a consumer nobody stops),
- a parent joining a child that waits on a full queue's put(),
- a child that cannot exit because what it put on a queue was never taken out.

A frame is plain data: {"file", "line", "func", "code", "student"}, outermost first, as in a
traceback. `file` is the file's name for the student's files and the last two parts of the
path for the library's ("multiprocessing/queues.py").
"""
from __future__ import annotations

import io
import linecache
import os
import sys
import threading
import tokenize
import traceback

from . import childstacks, events, procfs

TYPE_CHECKING = False         # typing is not imported in the probe
if TYPE_CHECKING:
    from .contract import ProbeJob

MAX_FRAMES = 40
MAX_SHOWN = 8          # threads listed per section; the causes below still count them all


def frame(filename: str, lineno: int, func: str, student_dir: str) -> dict:
    student = filename.startswith(student_dir)
    short = os.path.basename(filename) if student else \
        "/".join(filename.replace("\\", "/").split("/")[-2:])
    code = without_comment(linecache.getline(filename, lineno)) if student else ""
    return {"file": short, "line": lineno, "func": func, "code": code, "student": student}


def without_comment(line: str) -> str:
    """The line's code, without a trailing comment (the student's own notes, like `# BUG`)."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line).readline):
            if tok.type == tokenize.COMMENT:
                return line[:tok.start[1]].strip()
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return line.strip()


# --- in the probe ---------------------------------------------------------------------------

def probe_threads(student_dir: str) -> dict[str, list[dict]]:
    """The probe's own threads (the student's main process), by thread name, except the kit's."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = {}
    for ident, top in sys._current_frames().items():
        name = names.get(ident, str(ident))
        if name.startswith("kit-"):
            continue
        frames = [frame(fs.filename, fs.lineno or 0, fs.name, student_dir)
                  for fs in traceback.extract_stack(top)]
        if any(f["student"] for f in frames):
            found[name] = frames[-MAX_FRAMES:]
    return found


def child_processes(job: ProbeJob) -> list[dict]:
    """Every live process below the probe that could dump its stacks:
    [{"pid", "name", "threads": [frames, ...]}], named as multiprocessing named them."""
    folder = job.get("stacks_dir")
    if not folder or not procfs.available():
        return []
    below = [p for p in procfs.descendants(os.getpid()) if p.state != "Z" and not p.is_helper]
    texts = childstacks.dump([p.pid for p in below], folder)
    recorded, _ = events.read_events(job["events_path"], job["key"])
    names = {e.get("child"): e.get("name") for e in recorded if e.get("ev") == "started"}
    found = []
    for pid, text in sorted(texts.items()):
        threads = [[frame(f["file"], f["line"], f["func"], job["student_dir"])
                    for f in reversed(stack)][-MAX_FRAMES:]
                   for stack in childstacks.parse(text)]
        found.append({"pid": pid, "name": names.get(pid) or f"process {pid}",
                      "threads": threads})
    return found


# --- in the parent --------------------------------------------------------------------------

def _innermost_student(frames: list[dict]) -> dict | None:
    return next((f for f in reversed(frames) if f["student"]), None)


def _calls(frames: list[dict], func: str, module: str) -> bool:
    """Whether the stack is inside multiprocessing's `module`.`func`."""
    return any(f["func"] == func and f["file"].endswith(f"multiprocessing/{module}.py")
               for f in frames)


def _writing(frames: list[dict]) -> bool:
    """A queue's feeder thread blocked writing into the queue's pipe (the pipe is full)."""
    return _calls(frames, "_feed", "queues") and bool(frames) and \
        frames[-1]["func"] in ("_send", "_send_bytes", "send_bytes", "write")


def own_frames(frames: list[dict]) -> list[dict]:
    """A child's frames from multiprocessing's _bootstrap on: under fork, the frames above it
    are the parent's, copied at the fork (the p.start() that made the child)."""
    starts = [i for i, f in enumerate(frames)
              if f["func"] == "_bootstrap" and f["file"].endswith("multiprocessing/process.py")]
    return frames[starts[-1]:] if starts else frames


def where(frames: list[dict]) -> str:
    """'p13.py:41 in consumer: `item = q.get()`', and the library call it is blocked in."""
    own = _innermost_student(frames)
    if own is None:
        inner = frames[-1] if frames else None
        return f"{inner['file']}:{inner['line']} in {inner['func']}" if inner else "?"
    text = f"{own['file']}:{own['line']} in {own['func']}"
    if own["code"]:
        text += f": `{own['code']}`"
    call = frames.index(own) + 1
    if call < len(frames):       # the library function the student's line called
        text += f" (waiting in {frames[call]['func']}() of {frames[call]['file']})"
    return text


def chain(frames: list[dict]) -> str:
    """The student's part of a stack, outermost first: 'run_worker (line 58) -> f1 (line 41):
    `lock_B.acquire()`'."""
    own = [f for f in frames if f["student"]]
    if not own:
        return ""
    text = " -> ".join(f"{f['func']} (line {f['line']})" for f in own)
    return f"{text}: `{own[-1]['code']}`" if own[-1]["code"] else text


def _line(frames: list[dict]) -> str:
    own = _innermost_student(frames)
    if own is None:
        return ""
    return f"`{own['code']}` (line {own['line']})" if own["code"] else f"line {own['line']}"


def describe(diagnosis: dict) -> str:
    """The stacks and the likely cause, as lines of text for the student ('' if none)."""
    threads = diagnosis.get("threads") or {}
    processes = diagnosis.get("processes") or []
    out = []
    if threads:
        out.append("where your threads were waiting:")
        out += _capped([f"  {name}: {where(frames)}" for name, frames in threads.items()])
    shown = []
    for proc in processes:
        for frames in map(own_frames, proc["threads"]):
            if any(f["student"] for f in frames):
                shown.append(f"  {proc['name']} (pid {proc['pid']}): {where(frames)}")
            elif _writing(frames):
                shown.append(f"  {proc['name']} (pid {proc['pid']}), its queue's feeder "
                             f"thread: still writing what it put into the queue's pipe")
            elif _calls(frames, "_exit_function", "util"):
                shown.append(f"  {proc['name']} (pid {proc['pid']}): its function returned; "
                             f"it is waiting to exit")
    if shown:
        out.append("where your child processes were waiting:")
        out += _capped(shown)
    out += causes(threads, processes)
    return "\n".join(out)


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_SHOWN:
        return lines
    return [*lines[:MAX_SHOWN], f"  ... and {len(lines) - MAX_SHOWN} more"]


def causes(threads: dict[str, list[dict]], processes: list[dict]) -> list[str]:
    """Sentences for the patterns the stacks show, one per pattern and line."""
    main = threads.get("MainThread") or []
    joining = _calls(main, "join", "process")
    join_at = f" in {_line(main)}" if joining and _line(main) else ""
    groups: dict[tuple[str, str], list[str]] = {}
    for proc in processes:
        stacks = [own_frames(s) for s in proc["threads"]]
        who = f"{proc['name']} (pid {proc['pid']})"
        exiting = any(_calls(s, "_exit_function", "util") or _calls(s, "_finalize_join", "queues")
                      for s in stacks)
        getter = next((s for s in stacks if _calls(s, "get", "queues")), None)
        putter = next((s for s in stacks if _calls(s, "put", "queues")), None)
        if exiting and any(_writing(s) for s in stacks):
            groups.setdefault(("undrained", ""), []).append(who)
        elif joining and getter is not None:
            groups.setdefault(("get", _line(getter)), []).append(who)
        elif joining and putter is not None:
            groups.setdefault(("put", _line(putter)), []).append(who)
    found = []
    for (kind, at), procs in groups.items():
        who = _names(procs)
        one = len(procs) == 1
        if kind == "undrained":
            found.append(
                f"{who} {'has' if one else 'have'} finished {'its' if one else 'their'} work but "
                f"cannot exit: {'it' if one else 'they'} put items on a multiprocessing Queue "
                f"that nobody has taken out, and a process does not end until what it put has "
                f"gone into the queue's pipe"
                + (f". Your main process is joining {'it' if one else 'them'}{join_at} before "
                   f"taking the items out, so each waits for the other" if joining else "")
                + ". Take the results out of the queue (q.get()) before you join() the process.")
        elif kind == "get":
            found.append(
                f"Your main process waits{join_at} for {who}, which {'waits' if one else 'wait'} "
                f"in {at} for an item nobody will put: neither side can finish. Tell the "
                f"consumers the work is over: after the last item put one sentinel (e.g. None) "
                f"per consumer into the queue and stop when you get it, or use a JoinableQueue.")
        else:
            found.append(
                f"Your main process waits{join_at} for {who}, which {'waits' if one else 'wait'} "
                f"in {at} for room in a full queue that nobody empties: neither side can "
                f"finish. Take the items out before joining, or put without blocking "
                f"(block=False) and handle queue.Full.")
    return found


def _names(procs: list[str]) -> str:
    if len(procs) > 4:
        return f"{', '.join(procs[:3])} and {len(procs) - 3} more processes"
    return procs[0] if len(procs) == 1 else f"{', '.join(procs[:-1])} and {procs[-1]}"
