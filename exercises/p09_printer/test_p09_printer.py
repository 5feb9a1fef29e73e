"""Public tests for p09_printer. Run them with `pytest` in this folder.

The printer the tests pass in is slow and records who printed what and when; it also waits a
little after a job's first line, so that a missing lock shows every time, not just sometimes."""
from functools import lru_cache

from _kit.testing import run_exercise, worker

JOBS = [[f"user {u}: page {k} of 3" for k in range(1, 4)] for u in range(1, 4)]
OWNER = {line: u for u, job in enumerate(JOBS) for line in job}


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def run():
    # after its first line a job waits up to first_wait s for another job to print
    printer = worker("workers_p09_printer.Printer", expect=len(JOBS), first_wait=0.2)
    r = run_exercise(__file__, "", JOBS, printer, timeout=20, mode="scenario",
                     scenario="workers_p09_printer.settle")
    assert r.returned, r.explain()
    return r


def printed(r):
    return [e for e in r.events if e["ev"] == "line"]


def test_every_line_printed_once():
    lines = [e["arg"] for e in printed(run())]
    assert sorted(lines) == sorted(OWNER), f"every line should be printed once; printed {lines}"


def test_jobs_never_interleave():
    lines = [e["arg"] for e in printed(run())]
    jobs = [OWNER[line] for line in lines]
    blocks = [j for i, j in enumerate(jobs) if i == 0 or jobs[i - 1] != j]
    assert len(blocks) == len(set(blocks)), (
        "the jobs' lines were interleaved:\n  " + "\n  ".join(lines) +
        "\nHold one Lock (made once, passed to every process) while a job prints all its lines.")


def test_jobs_contend_for_the_printer():
    r = run()
    lines = printed(r)
    pids = {e["pid"] for e in lines}
    begun = [e["t"] for e in r.events if e["ev"] == "arrive" and e["pid"] in pids]
    first_done = min(max(e["t"] for e in lines if OWNER[e["arg"]] == u) for u in range(len(JOBS)))
    assert len(pids) == len(JOBS) and len(begun) == len(JOBS) and max(begun) < first_done, (
        "the jobs did not all start before the first one finished: start every process "
        "first (no join inside the loop) and let the Lock decide who prints")
