"""p02 · concurrent: processes run at the same time.

Course notes §1 (simple application). `run_all(task, durations)` must run `task(d)` for every
`d` in `durations`, each in its own `Process`, all of them *at the same time*, and return only
when every one has finished. Tasks of 1, 2 and 3 s then take about 3 s together, not 6 s.

Run it:  python p02_concurrent.py      Test it:  pytest  (in this folder)
"""
import time
from multiprocessing import Process  # noqa: F401 - you will need it


def task(seconds):
    print(f"task of {seconds} s is running")
    time.sleep(seconds)
    print(f"task of {seconds} s is gone")


def run_all(task, durations):
    # TODO: start one Process(target=task, args=(d,)) per duration, then wait for them all.
    for d in durations:
        task(d)   # BUG: runs right here, in this process, one task after another: 1 + 2 + 3 s


if __name__ == "__main__":
    start = time.time()
    run_all(task, [1, 2, 3])
    print(f"Ending time {time.time() - start:.2f} s")
