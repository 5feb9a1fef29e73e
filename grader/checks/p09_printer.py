"""Hidden checks for p09_printer: one Lock held for a whole job; processes contend for it.

The checker's Printer (_kit/workers_p09_printer.py) records every line with its pid and time,
records when each process begins, and makes an unlocked program interleave certainly. The
scenario `settle` notes when print_jobs returned, then lets stragglers finish, so the
evidence is complete whatever the submission did."""
from __future__ import annotations

from grader import source
from grader.harness import Student, fail, worker

# Other sizes than the public tests: four jobs of different lengths.
JOBS = [[f"{doc}: page {k} of {n}" for k in range(1, n + 1)]
        for doc, n in [("invoice", 3), ("letter", 2), ("report", 4), ("poster", 3)]]
SPAWN_JOBS = [[f"{doc}: page {k} of {n}" for k in range(1, n + 1)]
              for doc, n in [("memo", 3), ("menu", 2), ("map", 3)]]


def _run(student: Student, jobs: list, start_method: str = "fork"):
    # Under spawn each child boots an interpreter: give the arrivals more time.
    printer = worker("workers_p09_printer.Printer", expect=len(jobs),
                     arrive_wait=1.0 if start_method == "fork" else 3.0)
    run = student.shared_call("", [list(j) for j in jobs], printer, timeout=20,
                              sample_processes=True, start_method=start_method,
                              scenario="workers_p09_printer.settle")
    if not run.returned:
        how = "" if start_method == "fork" else f" with the {start_method} start method"
        fail(run.explain() + how)
    report = run.value
    if not (isinstance(report, dict) and isinstance(report.get("returned_at"), float)
            and run.call_start <= report["returned_at"] <= run.call_end):
        fail("the grader's scenario did not report back")   # fail closed
    return run, report["returned_at"]


def _lines(run) -> list[dict]:
    """The printed lines in time order; anything printed that is not a string, as its repr."""
    return [e if isinstance(e.get("arg"), str) else {**e, "arg": repr(e.get("arg"))}
            for e in run.events if e["ev"] == "line"]


def _owner(jobs: list) -> dict[str, int]:
    return {line: j for j, job in enumerate(jobs) for line in job}


def _no_interleave(run, jobs: list, how: str = "") -> None:
    owner = _owner(jobs)
    printed = [e["arg"] for e in _lines(run)]
    if not printed:
        fail(f"no job printed anything{how}: did the child processes crash? (Under spawn a "
             f"child unpickles its arguments after it has booted: a Lock the parent has "
             f"already dropped, by returning without join(), is gone by then.)")
    # the premise: at least two jobs printed, from processes of their own, so that they could
    # have competed for the printer at all
    jobs_seen = {owner[line] for line in printed if line in owner}
    pids = {e["pid"] for e in _lines(run)} - {run.probe_pid}
    if len(jobs_seen) < 2 or len(pids) < 2:
        what = (f"only {len(jobs_seen)} of the {len(jobs)} jobs printed" if len(jobs_seen) < 2
                else "the jobs printed from the calling process itself, not from child processes")
        fail(f"{what}{how}, so no two jobs ever competed for the printer: whether a lock keeps "
             f"their lines apart cannot be judged. Print each job in a Process of its own.")
    seq = [owner.get(line, -1) for line in printed]
    finished: set[int] = set()
    for prev, cur, i in zip(seq, seq[1:], range(1, len(seq))):
        if cur != prev:
            finished.add(prev)
            if cur in finished:
                shown = "\n  ".join(printed[: i + 1])
                fail(f"the lines of two jobs were interleaved{how}: job {cur + 1} printed "
                     f"again after another job had printed in between:\n  {shown}\n"
                     f"A job must hold one Lock, shared by all the processes (made once and "
                     f"passed to each), for all of its lines.")


def _every_line_once(run, jobs: list, how: str = "") -> None:
    owner = _owner(jobs)
    lines = _lines(run)
    printed = [e["arg"] for e in lines]
    want = [line for job in jobs for line in job]
    if sorted(printed) != sorted(want):
        missing = sorted(set(want) - set(printed))
        extra = sorted({p for p in printed if printed.count(p) > 1 or p not in owner})
        fail(f"every line should be printed exactly once{how}; missing {missing}, "
             f"repeated or unknown {extra}")
    for j, job in enumerate(jobs):
        mine = [e for e in lines if owner[e["arg"]] == j]
        if [e["arg"] for e in mine] != job:
            fail(f"job {j + 1}'s lines were printed out of order{how}: "
                 f"{[e['arg'] for e in mine]}")
        if len({e["pid"] for e in mine}) != 1:
            fail(f"job {j + 1} was printed by several processes{how}; one process per job")
    pids = [next(e["pid"] for e in lines if owner[e["arg"]] == j) for j in range(len(jobs))]
    if run.probe_pid in pids:
        fail(f"jobs were printed by the calling process{how}, not by child processes")
    if len(set(pids)) != len(jobs):
        fail(f"{len(jobs)} jobs were printed by {len(set(pids))} processes{how}; one each")


def test_no_interleave(student: Student) -> None:
    run, _ = _run(student, JOBS)
    _no_interleave(run, JOBS)


def test_all_lines_once(student: Student) -> None:
    run, returned_at = _run(student, JOBS)
    _every_line_once(run, JOBS)
    late = [e["arg"] for e in _lines(run) if e["t"] > returned_at]
    if late:
        fail(f"print_jobs returned before every job had printed ({late[0]!r} and "
             f"{len(late) - 1} more lines came later): join every process before returning")


def test_contend(student: Student) -> None:
    run, _ = _run(student, JOBS)
    owner = _owner(JOBS)
    lines = _lines(run)
    job_pids = {e["pid"] for e in lines}
    begun: dict[int, float] = {}
    for e in run.events:
        if e["ev"] in ("arrive", "forked") and e["pid"] in job_pids:
            begun.setdefault(e["pid"], e["t"])
    if not lines or set(begun) != job_pids:
        fail("could not see every job's process begin: print each job in a child Process")
    first_done = min(max(e["t"] for e in lines if owner.get(e["arg"]) == j)
                     for j in {owner.get(e["arg"]) for e in lines})
    late = [p for p, t in begun.items() if t > first_done]
    if late:
        fail(f"{len(late)} of the {len(JOBS)} job processes began only after the first job "
             f"had finished printing: the jobs were put in a fixed order (joined one by one?) "
             f"instead of contending for the printer. Start them all, and let a Lock decide "
             f"who prints first."
             + source.where_joined_in_start_loop(student.source))


def test_spawn(student: Student) -> None:
    how = " with the spawn start method"
    run, _ = _run(student, SPAWN_JOBS, "spawn")
    _no_interleave(run, SPAWN_JOBS, how + " (a module-level Lock is a different lock in "
                                          "each spawned child: pass it as an argument)")
    _every_line_once(run, SPAWN_JOBS, how)
