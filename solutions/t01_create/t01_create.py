"""t01 · two ways to start a thread.

Course notes thread §2.2. `start_threads(task, names)` starts one `Thread` per name running
`task(name)`, named `name`, and returns them; `NamedThread(name, task)` is a `Thread` subclass
whose `run()` calls `task(self.name)`.
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
        t = Thread(target=task, args=(name,), name=name)   # args is a tuple: note the comma
        t.start()
        threads.append(t)
    return threads


class NamedThread(Thread):
    def __init__(self, name, task):
        super().__init__(name=name)   # first let Thread set itself up, then add our own state
        self.task = task

    def run(self):                    # start() calls run() in the new thread
        self.task(self.name)


if __name__ == "__main__":
    start_threads(task, ["Chang Xin"])        # the first way
    NamedThread("Li Ye", task).start()        # the second way
    print("===Main thread")
