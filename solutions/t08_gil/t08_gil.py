"""t08 · the GIL: processes for CPU-bound work, threads for IO-bound work.

Course notes §2.9-2.11. `run_cpu_bound(jobs, work)` runs CPU-bound `work(job)` in a process
pool (one process per core: they really run in parallel); `run_io_bound(jobs, wait)` runs
IO-bound `wait(job)` in threads of this one process (a waiting thread releases the GIL, and a
thread is far cheaper to start than a process). Both return results in the order of `jobs`.
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
    # One process per core (the default): each has its own interpreter and its own GIL.
    with ProcessPoolExecutor() as pool:
        return list(pool.map(work, jobs))


def run_io_bound(jobs, wait):
    # One thread per job: while a thread waits it holds no GIL, so all the waits overlap.
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        return list(pool.map(wait, jobs))


if __name__ == "__main__":
    start = time.time()
    run_cpu_bound([10_000_000] * 4, count)
    print(f"compute-intensive: {time.time() - start:.2f} s")
    start = time.time()
    run_io_bound([1] * 50, nap)
    print(f"IO-intensive: {time.time() - start:.2f} s")
