"""p03 · pids: every process has a pid and a parent (ppid), and a child's facts stay in the child.

Course notes §2. `child_ids()` must start a child process, find out *inside that child* its
own pid (`os.getpid()`) and its parent's pid (`os.getppid()`), send the pair back to the
parent, and return it as a tuple `(pid, ppid)`. Seen from the caller, `ppid` is then the
caller's own pid and `pid` is the child's.

Run it:  python p03_pids.py      Test it:  pytest  (in this folder)
"""
import os
from multiprocessing import Process, Queue  # noqa: F401 - you will need them


def child_ids():
    # TODO: run a function in a child Process that puts (os.getpid(), os.getppid()) on a
    # Queue; get the pair from the queue here, join the child, return the pair.
    return os.getpid(), os.getppid()   # BUG: these are computed here, in the parent


if __name__ == "__main__":
    pid, ppid = child_ids()
    print(f"Subprocess: {pid}")
    print(f"Main process: {ppid}")
    print(f"==main {os.getpid()}")
