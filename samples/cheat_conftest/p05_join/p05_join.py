"""p05 · join: start every process first, then wait for them all.

Course notes §4. `run_and_wait(task, durations)` must run `task(d)` for every `d` in
`durations`, each in its own process, all of them *at the same time*, and return only when
every one has finished. Three tasks of 2 s should take about 2 s, not 6 s.

Run it:  python p05_join.py      Test it:  pytest  (in this folder)
"""
import time
from multiprocessing import Process


def task(seconds):
    print(f"task of {seconds} s is running")
    time.sleep(seconds)
    print(f"task of {seconds} s is gone")


def run_and_wait(task, durations):
    for d in durations:
        p = Process(target=task, args=(d,))
        p.start()
        p.join()   # BUG: join() blocks right here, so the next process starts only after this one ends


if __name__ == "__main__":
    start = time.time()
    run_and_wait(task, [1, 2, 3])
    print(f"==main {time.time() - start:.2f} s")
