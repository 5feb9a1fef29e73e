"""t05 · thread lock: a Lock makes read-modify-write safe.

Course notes §2.6. `decrement(start, threads, step)` sets the shared counter `x` to `start`,
then starts `threads` threads at once; each one reads x, calls `step()` (a pause, like the
notes' `time.sleep(0.1)`: the moment another thread can cut in), and writes back x - 1.
When every thread has finished it returns x: `start - threads`. Ten threads from 10 give 0.

Run it:  python t05_thread_lock.py      Test it:  pytest  (in this folder)
"""
import time
from threading import Lock, Thread

x = 0


def task(step):
    global x
    # BUG: nothing stops another thread from reading x between this read and the write
    # below, so both write back the same value and one decrement is lost. Protect the
    # read-step-write with a Lock that all the threads share.
    temp = x
    step()
    x = temp - 1


def decrement(start, threads, step):
    global x
    x = start
    workers = [Thread(target=task, args=(step,)) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return x


def pause():
    time.sleep(0.1)


if __name__ == "__main__":
    print(f"Main thread {decrement(10, 10, pause)}")
