"""Public tests for t08_gil. Run them with `pytest` in this folder."""
import functools
import os
import sys

import pytest

from _kit.testing import run_exercise, worker
from _kit.workers_t08_gil import cpu_answer

CPU_JOBS = [250_000, 220_000, 270_000, 240_000]
IO_JOBS = list(range(50))
WAIT = 0.3


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def skip_unless_gil_and_cores():
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        pytest.skip("this Python is free-threaded (no GIL): threads run CPU work in parallel "
                    "too, so processes are not required here")
    if cores() < 2:
        pytest.skip("this machine has one core: no two processes can run at the same time")


@functools.lru_cache(maxsize=None)   # one run, judged by several tests
def cpu_run():
    r = run_exercise(__file__, "run_cpu_bound", CPU_JOBS, worker("workers_t08_gil.CpuWork"),
                     timeout=20)
    assert r.returned, r.explain()
    return r


@functools.lru_cache(maxsize=None)
def io_run():
    r = run_exercise(__file__, "run_io_bound", IO_JOBS,
                     worker("workers_t08_gil.IoWait", seconds=WAIT, salt="io"), timeout=15)
    assert r.returned, r.explain()
    return r


def test_cpu_results_in_order():
    r = cpu_run()
    expected = [cpu_answer(n) for n in CPU_JOBS]
    assert r.value == expected, f"expected the results {expected} in the order of the jobs, got {r.value!r:.300}"


def test_cpu_work_runs_in_several_processes():
    skip_unless_gil_and_cores()
    r = cpu_run()
    pids = {e["pid"] for e in r.events if e["ev"] == "start"}
    assert pids - {r.probe_pid}, (
        "all the CPU jobs ran in threads of your own process. The GIL lets only one thread "
        "of a process run Python code at any moment, so CPU work in threads is no faster than "
        "one job after another: use processes (a ProcessPoolExecutor)")
    assert len(pids - {r.probe_pid}) >= 2, f"the CPU jobs ran in only {len(pids)} process: use one per core"


def test_io_results_in_order():
    r = io_run()
    expected = [f"{j}:io" for j in IO_JOBS]
    assert r.value == expected, f"expected the results in the order of the jobs, got {r.value!r:.300}"


def test_io_waits_run_together_in_threads_of_one_process():
    r = io_run()
    starts = [e for e in r.events if e["ev"] == "start"]
    others = {e["pid"] for e in starts} - {r.probe_pid}
    assert not others, (
        f"the waiting jobs ran in {len(others)} other processes. Waiting needs no CPU, and a "
        f"process costs far more to start than a thread: run them in threads of your process")
    first_end = min((e["t"] for e in r.events if e["ev"] == "end"), default=0.0)
    together = sum(1 for e in starts if e["t"] < first_end)
    assert together == len(IO_JOBS), (
        f"only {together} of the {len(IO_JOBS)} waits had started when the first one ended: "
        f"give every waiting job its own thread (a ThreadPoolExecutor's default size is small)")
