"""t08 · the GIL: processes for CPU-bound work, threads for IO-bound work.

Course notes §2.9-2.11. `run_cpu_bound(jobs, work)` runs `work(job)` for every job, where
`work` keeps the CPU busy; `run_io_bound(jobs, wait)` runs `wait(job)` for every job, where
`wait` mostly waits (for the network, the disk). Both return the results in the order of
`jobs`. Each must pick the executor that makes its kind of work fast.

Run it:  python t08_gil.py      Test it:  pytest  (in this folder)
"""
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def count(n):
    total = 0
    for _ in range(n):
        total += 1
    return total


def nap(seconds):
    time.sleep(seconds)
    return seconds


def run_cpu_bound(jobs, work):
    # BUG: threads of one process take turns at the GIL: only one of them runs Python code at
    # any moment, so CPU work in threads is no faster than one job after another.
    with ThreadPoolExecutor() as pool:
        return list(pool.map(work, jobs))


def run_io_bound(jobs, wait):
    # BUG: a whole new process per job, just to wait: 50 processes to start, for nothing.
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(wait, jobs))


if __name__ == "__main__":
    start = time.time()
    run_cpu_bound([10_000_000] * 4, count)
    print(f"compute-intensive: {time.time() - start:.2f} s")
    start = time.time()
    run_io_bound([1] * 50, nap)
    print(f"IO-intensive: {time.time() - start:.2f} s")
