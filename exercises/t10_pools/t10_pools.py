"""t10 · pools: hand the jobs to a pool, collect the results, shut the pool down.

Course notes §13. `map_with_pool(func, items, kind, workers)` must run `func(item)` for every
item in a pool of `workers` processes (kind "process") or threads (kind "thread"), and return
the list of results in the order of `items`. If a job raises, the caller must see that
exception. When it returns, no worker of the pool may be left alive.

Run it:  python t10_pools.py      Test it:  pytest  (in this folder)
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
    pool = POOLS[kind](max_workers=workers)
    # BUG: submit() hands back a Future -- a receipt for a result that may not exist yet --
    # and nobody ever calls .result() on it. The pool is never shut down either.
    return [pool.submit(func, item) for item in items]


if __name__ == "__main__":
    print(os.cpu_count(), "cores")
    print(map_with_pool(task, range(10), "process", 4))
    print(map_with_pool(task, range(10), "thread", 4))
