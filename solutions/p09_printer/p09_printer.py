"""p09 · printer: a Lock makes a section exclusive.

Course notes §8. `print_jobs(jobs, printer)` starts one process per job, all at once; they
contend for one Lock, and whoever holds it prints its whole job before the next one starts.
"""
import random
import time
from multiprocessing import Lock, Process


def printer(line):
    print(line, flush=True)
    time.sleep(random.uniform(0.1, 0.3))   # a slow printer


def print_job(job, printer, lock):
    with lock:                  # acquire ... release, even if printing fails
        for line in job:
            printer(line)


def print_jobs(jobs, printer):
    lock = Lock()               # one lock, made here and passed to every process
    processes = [Process(target=print_job, args=(job, printer, lock)) for job in jobs]
    for p in processes:         # all start now and contend for the lock: first come, first served
        p.start()
    for p in processes:
        p.join()


if __name__ == "__main__":
    jobs = [[f"user {u}: page {k} of 3" for k in range(1, 4)] for u in range(1, 4)]
    print_jobs(jobs, printer)
