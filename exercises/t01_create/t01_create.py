"""t01 · two ways to start a thread.

Course notes thread §2.2. A thread runs a function *inside this process*: same pid, its own
thread ident. There are two ways to make one, as with processes:

1. `start_threads(task, names)`: for each name, start a `Thread` that runs `task(name)` and is
   named `name`; return the started threads, in the order of `names`.
2. `class NamedThread(Thread)`: `NamedThread(name, task)` is a thread named `name` whose
   `run()` calls `task(self.name)`; `.start()` runs it in a new thread.

Run it:  python t01_create.py      Test it:  pytest  (in this folder)
"""
import time
from threading import Thread


def task(name):
    print(f"{name} is running")
    time.sleep(1)
    print(f"{name} is gone")


def start_threads(task, names):
    threads = []
    for name in names:
        t = Thread(target=task, args=(name,), name=name)
        t.start()
        threads.append(t)
    return threads


class NamedThread(Thread):
    def __init__(self, name, task):
        # BUG: Thread.__init__ is never called, so this object was never set up as a thread
        # (no name, no start flag, no ident): setting self.name or calling start() fails.
        self.task = task
        self.name = name

    def run(self):
        self.task(self.name)


if __name__ == "__main__":
    start_threads(task, ["Chang Xin"])        # the first way
    NamedThread("Li Ye", task).start()        # the second way
    print("===Main thread")
