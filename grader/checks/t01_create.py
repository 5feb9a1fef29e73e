"""Hidden checks for t01_create: two ways to start a thread.

Judged from the checker's own `task` (it records pid, thread ident and thread name wherever it
runs) and from the caller's ident recorded by the scenario, not from what the functions return.
"""
from __future__ import annotations

from collections import Counter

from grader import source
from grader.evidence import all_overlap, difference, intervals
from grader.harness import Student, fail

# Other names and sizes than the public tests.
NAMES = ["Ada", "Grace", "Linus", "Barbara", "Ken"]
SUB_NAMES = ["Edsger", "Tony", "Frances"]
SECONDS = 0.05     # the task also waits until all have started (see workers_t01_create.Task)


def _run(student: Student, scenario: str, names: list[str]):
    run = student.shared_call("", list(names), SECONDS, timeout=10,
                              scenario=f"workers_t01_create.{scenario}")
    report = student.require(run)
    if not isinstance(report, dict):
        fail(f"the checker's scenario did not report (got {report!r})")
    callers = [e for e in run.events if e["ev"] == "caller"]
    if len(callers) != 1:
        fail("the checker could not record the calling thread")
    return run, report, callers[0]


def _starts(run) -> list[dict]:
    return [e for e in run.events if e["ev"] == "start"]


def _name_of(e: dict) -> str:
    """The name a task call was meant for, also when args=(name) spread it into letters."""
    return e["arg"] if e.get("nargs") == 1 else "".join(map(str, e["arg"]))


def _raised(report: dict, what: str) -> None:
    if "error" in report:
        hint = ""
        if "__init__() not called" in report["error"]:
            hint = (" — NamedThread.__init__ must call super().__init__() before it sets "
                    "anything else, so that Thread can set itself up")
        fail(f"{what} raised {report['error']}{hint}")


def _args_hint(starts: list[dict]) -> str:
    if any(e.get("nargs", 1) != 1 for e in starts):
        return (" Some calls got several arguments: args=(name) is just name in brackets, "
                "not a tuple; write args=(name,).")
    return ""


def _each_once(starts: list[dict], names: list[str], what: str) -> None:
    got = Counter(e["arg"] if e.get("nargs") == 1 else tuple(e["arg"]) for e in starts)
    if got != Counter(names):
        called = [e["arg"] if e.get("nargs") == 1 else tuple(e["arg"]) for e in starts]
        fail(f"{what} should call task(name) once for each of {names}; task was called with "
             f"{sorted(map(str, got.elements()))}: "
             f"{difference(called, names, ordered=False, noun='call') or 'task never ran'}."
             + _args_hint(starts))


def _in_threads(run, starts: list[dict], caller: dict, what: str) -> None:
    if not starts:
        fail(f"{what}: task never ran")
    if any(e["pid"] != caller["pid"] for e in starts):
        fail(f"{what}: task ran in another process (pid {sorted({e['pid'] for e in starts})} "
             f"instead of {caller['pid']}): use threading.Thread, not multiprocessing.Process")
    in_caller = [e["arg"] for e in starts if e["tid"] == caller["tid"]]
    if in_caller:
        others = f" (and {len(in_caller) - 1} more)" if len(in_caller) > 1 else ""
        fail(f"{what}: task({in_caller[0]!r}){others} ran in the calling thread itself, not in "
             f"a new thread. Thread(target=task(name)) calls task right away; pass the function "
             f"and its arguments: Thread(target=task, args=(name,)), and call start(), not run().")


def test_each_name_once(student: Student) -> None:
    run, report, _ = _run(student, "start_threads", NAMES)
    _raised(report, "start_threads(task, names)")
    _each_once(_starts(run), NAMES, "start_threads")


def test_own_threads(student: Student) -> None:
    run, report, caller = _run(student, "start_threads", NAMES)
    _raised(report, "start_threads(task, names)")
    _in_threads(run, _starts(run), caller, "start_threads")


def test_started_together(student: Student) -> None:
    run, report, caller = _run(student, "start_threads", NAMES)
    _raised(report, "start_threads(task, names)")
    ivs = intervals(run)
    if len(ivs) < len(NAMES):
        fail(f"only {len(ivs)} of the {len(NAMES)} tasks ran")
    if not all_overlap(ivs):
        fail("the tasks ran one after another: some task started only after another had "
             "ended. start_threads should start every thread and return them without "
             "waiting: " + (source.join_in_start_loop(student.source, advice=False) or
                            "no join() inside the loop, and no calling task yourself."))


def test_names_kept(student: Student) -> None:
    run, report, caller = _run(student, "start_threads", NAMES)
    _raised(report, "start_threads(task, names)")
    wrong = [f"task({_name_of(e)!r}) ran in a thread named {e['thread']!r}"
             for e in _starts(run) if e["thread"] != _name_of(e)]
    if wrong or not _starts(run):
        fail("each thread should be named after its name (Thread(..., name=name)): "
             + "; ".join(wrong[:3] or ["task never ran"]))


def test_returns_threads(student: Student) -> None:
    run, report, _ = _run(student, "start_threads", NAMES)
    _raised(report, "start_threads(task, names)")
    value = report.get("returned")
    if not isinstance(value, list):
        fail(f"start_threads should return a list of the started threads; it returned "
             f"{(value or {}).get('not_a_list', value)!r}")
    if len(value) != len(NAMES) or not all(v["thread"] for v in value):
        fail(f"start_threads should return {len(NAMES)} Thread objects, one per name; it "
             f"returned {[v['type'] for v in value]}")
    ran_in = {_name_of(e): e["tid"] for e in _starts(run)}
    order = [v["ident"] for v in value]
    if not ran_in or None in order:
        fail(f"start_threads returned {len(value)} Thread objects, but "
             + ("task never ran in any of them" if not ran_in else
                f"{order.count(None)} of them were never started")
             + ": return the threads you started, after start()")
    if order != [ran_in.get(n) for n in NAMES]:
        fail("the returned threads are not the ones that ran task(name) for each name, in "
             "the order of names: return the threads you started")


def test_subclass_runs(student: Student) -> None:
    run, report, caller = _run(student, "named_threads", SUB_NAMES)
    _raised(report, "NamedThread(name, task) and its start()")
    if not all(m["thread"] for m in report.get("made", [])):
        fail("NamedThread(name, task) is not a threading.Thread: class NamedThread(Thread)")
    starts = _starts(run)
    if not starts:
        fail("NamedThread(name, task).start() never called task: start() calls run(), so "
             "NamedThread must define run() (spelled exactly so) to call self.task(self.name)")
    _each_once(starts, SUB_NAMES, "NamedThread(name, task).start()")
    _in_threads(run, starts, caller, "NamedThread(name, task).start()")
    idents = {e["arg"]: e["tid"] for e in starts}
    if report.get("idents") != [idents.get(n) for n in SUB_NAMES]:
        fail("task(name) did not run in the NamedThread object that was started for name")


def test_subclass_name(student: Student) -> None:
    run, report, caller = _run(student, "named_threads", SUB_NAMES)
    _raised(report, "NamedThread(name, task) and its start()")
    names = [m["name"] for m in report.get("made", [])]
    if names != SUB_NAMES:
        fail(f"NamedThread(name, task).name should be the name given; for {SUB_NAMES} it was "
             f"{names}: pass name to super().__init__(name=name) or set self.name after it")
    # Whether task runs at all is subclass_runs' business; here: the thread carries the name.
    wrong = [f"task({_name_of(e)!r}) ran in a thread named {e['thread']!r}"
             for e in _starts(run) if e["thread"] != _name_of(e)]
    if wrong:
        fail("NamedThread should run task(self.name) in the thread named name: "
             + "; ".join(wrong[:3]))
