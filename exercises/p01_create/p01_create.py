"""p01 · create: the two ways to start a process.

Course notes §1. The first way hands a function to `Process(target=..., args=...)`; the second
subclasses `Process` and puts what the child does in its `run()` method. Both are started with
`start()`, which creates the child process and returns at once.

* `start_workers(task, names)` starts one process per name, each running `task(name)`, and
  returns the list of started `Process` objects.
* `NamedWorker(name, task)` is a `Process` whose child runs `task(self.name)`.

Run it:  python p01_create.py      Test it:  pytest  (in this folder)
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
        p = Process(target=task, args=(name))   # BUG: (name) is just name in brackets, not a tuple
        p.start()
        workers.append(p)
    return workers


# The second way: a subclass of Process; the child runs its run() method.
class NamedWorker(Process):
    def __init__(self, name, task):
        super().__init__()
        self.name = name
        self.task = task

    def run1(self):   # BUG: start() makes the child call run(); a method named run1 never runs
        self.task(self.name)


if __name__ == "__main__":
    workers = start_workers(task, ["Chang Xin", "Li Ye"])
    worker = NamedWorker("Sea Dogs", task)
    worker.start()
    print("==main")   # printed first: start() does not wait for the children
    for p in [*workers, worker]:
        p.join()
