"""p01 · create: the two ways to start a process.

Course notes §1. `start_workers(task, names)` starts one `Process(target=task, args=(name,))`
per name and returns them; `NamedWorker(name, task)` is a `Process` subclass whose `run()`
calls `task(self.name)` in the child.
"""
import random
import time
from multiprocessing import Process


def task(name):
    print(f"{name} is running")
    time.sleep(random.randint(1, 3))
    print(f"{name} is gone")


# The first way: give Process a target function and its arguments.
def start_workers(task, names):
    workers = []
    for name in names:
        p = Process(target=task, args=(name,))   # the comma makes a one-element tuple
        p.start()
        workers.append(p)
    return workers


# The second way: a subclass of Process; the child runs its run() method.
class NamedWorker(Process):
    def __init__(self, name, task):
        super().__init__()      # first: Process.__init__ sets a default name ...
        self.name = name        # ... which this then replaces
        self.task = task

    def run(self):              # start() creates the child, and the child calls run()
        self.task(self.name)


if __name__ == "__main__":
    workers = start_workers(task, ["Chang Xin", "Li Ye"])
    worker = NamedWorker("Sea Dogs", task)
    worker.start()
    print("==main")   # printed first: start() does not wait for the children
    for p in [*workers, worker]:
        p.join()
