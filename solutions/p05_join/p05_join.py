"""p05 · join: start every process first, then wait for them all.

Course notes §4. `run_and_wait(task, durations)` runs `task(d)` for every `d` in
`durations`, each in its own process, all of them at the same time, and returns only when
every one has finished.
"""
import time
from multiprocessing import Process


def task(seconds):
    print(f"task of {seconds} s is running")
    time.sleep(seconds)
    print(f"task of {seconds} s is gone")


def run_and_wait(task, durations):
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:        # first start them all: they now run at the same time ...
        p.start()
    for p in processes:        # ... then wait for each; the waits overlap, so the total is the longest
        p.join()


if __name__ == "__main__":
    start = time.time()
    run_and_wait(task, [1, 2, 3])
    print(f"==main {time.time() - start:.2f} s")
