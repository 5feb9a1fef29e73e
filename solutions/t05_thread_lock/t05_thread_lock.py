"""t05 · thread lock: a Lock makes read-modify-write safe.

Course notes §2.6. `decrement(start, threads, step)` sets the shared counter `x` to `start`,
then starts `threads` threads at once; each one reads x, calls `step()`, and writes back
x - 1, holding one shared Lock from the read to the write. It returns `start - threads`.
"""
import time
from threading import Lock, Thread

x = 0
lock = Lock()          # one lock, shared by every thread


def task(step):
    global x
    with lock:         # read, step and write as one: no other thread can cut in between
        temp = x
        step()
        x = temp - 1


def decrement(start, threads, step):
    global x
    x = start
    workers = [Thread(target=task, args=(step,)) for _ in range(threads)]
    for t in workers:          # all start at once and contend for the lock ...
        t.start()
    for t in workers:          # ... and we wait for them all before reading x
        t.join()
    return x


def pause():
    time.sleep(0.1)


if __name__ == "__main__":
    print(f"Main thread {decrement(10, 10, pause)}")
