"""p08 · zombies: a parent must wait for (reap) each child it starts.

Course notes §7. When a process ends, the kernel keeps a small record of it — its pid and exit
status — until its parent asks for it with wait(). Until then the dead child is a *zombie*
(state Z in `ps`). `run_and_reap(task, n)` runs `task(i)` for i in 0..n-1, each in its own
process, and returns their exit codes in that order, leaving no zombie behind.
"""
import os
import time
from multiprocessing import Process


def task(i):
    print(f"child {i} (pid {os.getpid()}) is running")
    time.sleep(0.5)
    if i == 1:
        raise RuntimeError(f"child {i} fails")   # an uncaught exception: exit code 1


def run_and_reap(task, n):
    processes = [Process(target=task, args=(i,)) for i in range(n)]
    for p in processes:
        p.start()
    for p in processes:    # all started first, so they run at the same time; now wait for each:
        p.join()           # join() waits for the child and reaps it (no zombie), and only then
    return [p.exitcode for p in processes]   # is its exit code known: 0, 1 for an exception, ...


def show_children():
    """Print this process's children as the kernel sees them (Linux /proc)."""
    if not os.path.exists("/proc/self/stat"):
        print("(no /proc here: run `ps -o pid,stat,comm` in another terminal to see them)")
        return
    found = False
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid():          # its parent is us
            found = True
            state = "Z (zombie: dead, waiting to be reaped)" if fields[0] == "Z" else fields[0]
            print(f"  child pid {name}: state {state}")
    if not found:
        print("  no child left: every one was reaped")


if __name__ == "__main__":
    print("exit codes:", run_and_reap(task, 3))
    time.sleep(1)          # by now every child has ended ...
    print("one second later, the children of", os.getpid())
    show_children()        # ... but are they gone?
