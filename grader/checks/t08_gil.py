"""Hidden checks for t08_gil: CPU-bound work in processes, IO-bound work in threads.

Concurrency is judged from the workers' own busy intervals and from the processes seen from
outside, never from a speed-up figure (on a loaded 2-core machine that swings from 0.9x to 2x).
"""
from __future__ import annotations

import os
import random
import secrets
import sys
from itertools import combinations

import pytest

from _kit.launch import Run
from _kit.workers_t08_gil import cpu_answer
from grader.evidence import child_pids, difference, intervals, peak_concurrency
from grader.harness import Student, fail, worker

# Other sizes than the public tests, drawn per grading run.
CPU_JOBS = [random.randrange(180_000, 300_000) for _ in range(6)]
IO_JOBS = [f"req-{secrets.token_hex(2)}-{i}" for i in range(41)]
WAIT = 1.0          # long enough that starting 41 threads on a loaded machine never matters
SALT = secrets.token_hex(4)


def _skip_without_parallel_cpu() -> None:
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        pytest.skip("this Python is free-threaded (sys._is_gil_enabled() is False): threads run "
                    "CPU work in parallel too, so there is no reason to require processes")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2:
        pytest.skip("this machine has a single core: two processes cannot run at the same "
                    "time, so parallel CPU work cannot be observed here")


def _cpu(student: Student) -> Run:
    run = student.shared_call("run_cpu_bound", list(CPU_JOBS), worker("workers_t08_gil.CpuWork"),
                              timeout=25, sample_processes=True)
    student.require(run)
    return run


def _io(student: Student) -> Run:
    run = student.shared_call("run_io_bound", list(IO_JOBS),
                              worker("workers_t08_gil.IoWait", seconds=WAIT, salt=SALT),
                              timeout=15, sample_processes=True)
    student.require(run)
    return run


def test_cpu_results(student: Student) -> None:
    run = _cpu(student)
    expected = [cpu_answer(n) for n in CPU_JOBS]
    if run.value != expected:
        fail(f"run_cpu_bound should return work(job) for each of the {len(CPU_JOBS)} jobs, in "
             f"the order of the jobs: expected {expected}, got {run.value!r:.300}: "
             f"{difference(run.value, expected, noun='result')}")


def test_cpu_processes(student: Student) -> None:
    _skip_without_parallel_cpu()
    run = _cpu(student)
    pids = {i.pid for i in intervals(run)}
    if run.probe_pid in pids:
        fail(f"{sum(1 for i in intervals(run) if i.pid == run.probe_pid)} of the CPU jobs ran "
             f"in your own process (in threads?). The GIL lets one thread of a process run "
             f"Python code at a time, so CPU-bound work in threads runs no faster than one job "
             f"after another: use a process pool")
    if len(pids) < 2:
        fail(f"the CPU jobs all ran in one worker process: with {len(CPU_JOBS)} jobs and 2+ "
             f"cores, use a pool with one process per core")
    unseen = pids - child_pids(run)
    if unseen:
        fail(f"CPU jobs reported pids {sorted(unseen)} that no process started by your code had")


def test_cpu_parallel(student: Student) -> None:
    _skip_without_parallel_cpu()
    run = _cpu(student)
    ivs = [i for i in intervals(run) if i.end is not None and i.pid != run.probe_pid]
    spans = [(i.pid, i.start, i.end) for i in ivs if i.end is not None]
    overlapping = any(a[0] != b[0] and a[1] < b[2] and b[1] < a[2]
                      for a, b in combinations(spans, 2))
    if not overlapping:
        where = ("in threads of your process" if not ivs else
                 f"in {len({i.pid for i in ivs})} process(es), each job only after the previous "
                 f"one had finished")
        fail(f"no two CPU jobs ever computed at the same time in different processes: they ran "
             f"{where}. Hand them all to one process pool, so that its processes work in "
             f"parallel on different cores")


def test_io_results(student: Student) -> None:
    run = _io(student)
    expected = [f"{j}:{SALT}" for j in IO_JOBS]
    if run.value != expected:
        fail(f"run_io_bound should return wait(job) for each of the {len(IO_JOBS)} jobs, in the "
             f"order of the jobs; got {run.value!r:.300}: "
             f"{difference(run.value, expected, noun='result')}")


def test_io_threads(student: Student) -> None:
    run = _io(student)
    ivs = intervals(run)
    elsewhere = {i.pid for i in ivs} - {run.probe_pid}
    started = child_pids(run)
    if elsewhere or started:
        fail(f"your code started other processes to run {len(IO_JOBS)} waiting jobs (the waits "
             f"ran in {len(elsewhere)} of them). Waiting needs no CPU and releases the GIL, and "
             f"a process costs far more to start than a thread: run IO-bound jobs in threads of "
             f"your own process")
    if len(ivs) != len(IO_JOBS):
        fail(f"wait(job) ran {len(ivs)} times for {len(IO_JOBS)} jobs")
    peak = peak_concurrency(ivs)
    if peak < len(IO_JOBS):
        fail(f"at most {peak} of the {len(IO_JOBS)} waits were in progress at once, so they took "
             f"about {-(-len(IO_JOBS) // max(peak, 1))} waits instead of one: give each waiting "
             f"job its own thread (ThreadPoolExecutor() alone has only a few)")
