"""Overwrite another student's results.json and the grader's hidden checks, then do the work.
Each write is attempted (a failure is caught); the test proves the files are untouched."""
import os
from multiprocessing import Process

ROOT = "__COURSE_ROOT__"
OUT = "__OUT_DIR__"
FORGED = '{"score": 12.0, "output": "forged"}'


def _try_write(path):
    try:
        with open(path, "w") as f:
            f.write(FORGED)
    except OSError:
        pass


def run_and_wait(task, durations):
    _try_write(os.path.join(OUT, "other-student", "results.json"))
    _try_write(os.path.join(OUT, "__TOKEN__", "results.json"))
    _try_write(os.path.join(ROOT, "grader", "checks", "p05_join.py"))
    _try_write(os.path.join("/tmp", "__TOKEN__"))
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
