"""p02 · concurrent: processes run at the same time.

Course notes §1 (simple application). `run_all(task, durations)` runs `task(d)` for every `d`
in `durations`, each in its own `Process`, all at the same time, and returns when every one
has finished.
"""
import time
from multiprocessing import Process


def task(seconds):
    print(f"task of {seconds} s is running")
    time.sleep(seconds)
    print(f"task of {seconds} s is gone")


def run_all(task, durations):
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:     # start() only asks for a new process and returns at once ...
        p.start()
    for p in processes:     # ... so all of them are running by now; wait for each to end
        p.join()


if __name__ == "__main__":
    start = time.time()
    run_all(task, [1, 2, 3])
    print(f"Ending time {time.time() - start:.2f} s")
