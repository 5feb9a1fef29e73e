"""p09 · printer: a Lock makes a section exclusive.

Course notes §8. Several processes share one slow printer. `print_jobs(jobs, printer)` starts
one process per job (a job is a list of lines); each calls `printer(line)` for its lines. The
processes should run at the same time and *contend* for the printer, but a job, once started,
must print all its lines before any other job prints one: a job's lines never interleave
with another's.

Run it:  python p09_printer.py      Test it:  pytest  (in this folder)
"""
import random
import time
from multiprocessing import Lock, Process  # noqa: F401 - you will need Lock


def printer(line):
    print(line, flush=True)
    time.sleep(random.uniform(0.1, 0.3))   # a slow printer


def print_job(job, printer):
    for line in job:
        printer(line)


def print_jobs(jobs, printer):
    # BUG: nothing stops two jobs from printing at the same time, so their lines interleave.
    # TODO: make one Lock here, pass it to every process, and hold it while a job prints.
    processes = [Process(target=print_job, args=(job, printer)) for job in jobs]
    for p in processes:
        p.start()
    for p in processes:
        p.join()


if __name__ == "__main__":
    jobs = [[f"user {u}: page {k} of 3" for k in range(1, 4)] for u in range(1, 4)]
    print_jobs(jobs, printer)
