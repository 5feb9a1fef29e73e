"""t03 · the modern threading API.

Course notes thread §2.4. The notes use names from Python 2: `isAlive()`, `getName()`,
`setName()`, `currentThread()`, `activeCount()`. `isAlive()` was removed in Python 3.9; the
others still work but warn (DeprecationWarning) and will go too. Use today's names:

* `describe(threads)` -> `[(name, alive), ...]`, one pair per thread, in order;
* `count_running()` -> how many threads are alive right now (the main thread included);
* `rename(thread, name)` gives `thread` a new name;
* `current_name()` -> the name of the thread that calls it.

Run it:  python -W error::DeprecationWarning t03_thread_api.py      Test it:  pytest
"""
import os
import threading
import time
from threading import Thread


# BUG (all four): Python 2 names. isAlive() no longer exists; getName, setName,
# currentThread and activeCount are deprecated.
def describe(threads):
    return [(t.getName(), t.isAlive()) for t in threads]


def count_running():
    return threading.activeCount()


def rename(thread, name):
    thread.setName(name)


def current_name():
    return threading.currentThread().getName()


def task():
    print(current_name())
    time.sleep(1)
    print("666")


if __name__ == "__main__":
    p1 = Thread(target=task, name="p1")
    p2 = Thread(target=task, name="p2")
    p1.start()
    p2.start()
    rename(p1, "Subthread 1")
    print(describe([p1, p2]))
    print(current_name())
    print(count_running())
    print(f"Main thread {os.getpid()}")
