"""t10 · pools: hand the jobs to a pool, collect the results, shut the pool down.

Course notes §13. `map_with_pool(func, items, kind, workers)` runs `func(item)` for every item
in a pool of `workers` processes (kind "process") or threads (kind "thread"), and returns the
list of results in the order of `items`. A job's exception reaches the caller; when it
returns, the pool has been shut down and no worker is left alive.
"""
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

POOLS = {"process": ProcessPoolExecutor, "thread": ThreadPoolExecutor}


def task(n):
    print(f"pid {os.getpid()} takes job {n}")
    time.sleep(random.randint(1, 3) / 10)
    return n * n


def map_with_pool(func, items, kind, workers):
    # Leaving the `with` block calls pool.shutdown(wait=True): every worker has ended.
    with POOLS[kind](max_workers=workers) as pool:
        # map() gives the results in the order of `items` (whatever order they finish in),
        # and re-raises a job's exception here, in the caller.
        return list(pool.map(func, items))


if __name__ == "__main__":
    print(os.cpu_count(), "cores")
    print(map_with_pool(task, range(10), "process", 4))
    print(map_with_pool(task, range(10), "thread", 4))
