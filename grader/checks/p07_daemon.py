"""Hidden checks for p07_daemon: daemon set before start; the daemon ends with its program.

`is_daemon` calls start_daemon in the sandbox (scenario `inspect`) and compares what it
returned with where the task really ran. `dies_with_parent` and `sibling_finishes` run a
program that uses start_daemon in an interpreter of its own (scenario `program`, under the
spawn start method), and look from outside that program at what is left once it has ended:
the scenario through /proc, and the grader through `run.children_after` (an orphan that
outlived its program is adopted by the sandbox's first process, and shows up there).
"""
from __future__ import annotations

from grader.harness import Student, fail

PATIENCE = 8.0            # seconds the program may take to end after its main code is done


def _daemon_start(run) -> dict | None:
    return next((e for e in run.events if e["ev"] == "start" and e.get("arg") == "daemon"), None)


def _raised_hint(run) -> str:
    raised = [e for e in run.events if e["ev"] == "program_raised"]
    if not raised:
        return ""
    e = raised[0]
    hint = f" start_daemon raised {e.get('exc_type')}: {e.get('message')}"
    if "already started" in str(e.get("message")):
        hint += " — the daemon flag was set after start(); set it before."
    return hint


def _program(student: Student):
    run = student.shared_call("", scenario="workers_p07_daemon.program", start_method="spawn",
                              patience=PATIENCE, timeout=28)
    student.require(run)
    return run


def test_is_daemon(student: Student) -> None:
    run = student.call("", scenario="workers_p07_daemon.inspect", start_method="fork",
                       timeout=15)
    if run.status == "raised" and "already started" in run.message:
        fail(f"start_daemon raised {run.exc_type}: {run.message}. A process can be made a "
             f"daemon only before it starts: set p.daemon = True (or pass daemon=True to "
             f"Process) first, then call start().")
    facts = student.require(run)
    if not isinstance(facts, dict):
        fail(f"the grader could not describe what start_daemon returned: {facts!r}")
    if not facts.get("is_process"):
        fail(f"start_daemon should return the multiprocessing Process it started; it returned "
             f"a {facts.get('type')}")
    if not facts.get("daemon"):
        fail("the process start_daemon returned is not a daemon (its daemon flag is False): "
             "set daemon = True before start()")
    if facts.get("pid") is None:
        fail("the process start_daemon returned was never started: call start()")
    start = _daemon_start(run)
    if start is None:
        fail("the task given to start_daemon never started running")
    if start["pid"] == run.probe_pid:
        fail("the task ran in the calling process itself, not in a new process")
    if start["pid"] != facts.get("pid"):
        fail(f"the task ran in pid {start['pid']}, not in the process start_daemon returned "
             f"(pid {facts.get('pid')}): run the task as that process's target")
    if not facts.get("alive"):
        fail("the process start_daemon returned had already ended when start_daemon returned")


def test_dies_with_parent(student: Student) -> None:
    run = _program(student)
    facts = run.value
    if not isinstance(facts, dict):
        fail(f"the grader could not run the program: {facts!r}")
    if not facts.get("exited"):
        fail(f"the program that called start_daemon did not end within {PATIENCE:g} s of its "
             f"main code: when a program's code ends, Python terminates its daemon processes "
             f"but waits for every other child, and this one runs for 30 s: it is not a "
             f"daemon." + _raised_hint(run))
    start = _daemon_start(run)
    if start is None:
        fail("the task given to start_daemon never started, so it cannot be judged"
             + _raised_hint(run))
    pid = start["pid"]
    program = next((e["pid"] for e in run.events if e["ev"] in ("main_done", "program_raised")),
                   None)
    if pid == program:
        fail("the task given to start_daemon ran in the program's own process (in a thread?), "
             "not in a child process, so no daemon process was there to end with its parent: "
             "start the task in a multiprocessing Process with daemon=True")
    if any(e["ev"] == "end" and e.get("arg") == "daemon" for e in run.events):
        fail("the daemon's task ran to its end: it should have been stopped when the program "
             "ended")
    outside = [p for p in run.children_after if p.inner_pid == pid and p.state != "Z"]
    if facts.get("daemon_alive_after") or outside:
        fail(f"the daemon's task (pid {pid}) was still running after the program that started "
             f"it had ended: it escaped its parent (a Unix-style detached process is not a "
             f"multiprocessing daemon). Start the task in a Process with daemon=True.")


def test_sibling_finishes(student: Student) -> None:
    run = _program(student)
    if _daemon_start(run) is None:
        fail("the task given to start_daemon never started, so nothing shows that a daemon "
             "of this program leaves its ordinary siblings alone" + _raised_hint(run))
    started = any(e["ev"] == "start" and e.get("arg") == "sibling" for e in run.events)
    if not any(e["ev"] == "end" and e.get("arg") == "sibling" for e in run.events):
        fail("an ordinary (non-daemon) child of the same program was stopped "
             + ("before its end" if started else "before it even ran its task")
             + " when the program ended: only daemon processes end with their program; the "
             "others are waited for. Do not terminate every child." + _raised_hint(run))
