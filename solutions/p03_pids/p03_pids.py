"""p03 · pids: every process has a pid and a parent (ppid), and a child's facts stay in the child.

Course notes §2. `child_ids()` starts a child process that looks up its own pid and its
parent's pid and sends them back through a Queue; the parent returns them as `(pid, ppid)`.
"""
import os
from multiprocessing import Process, Queue


def report_ids(q):
    q.put((os.getpid(), os.getppid()))     # runs in the child: these are the child's facts


def child_ids():
    q = Queue()
    p = Process(target=report_ids, args=(q,))
    p.start()
    pid, ppid = q.get()     # get before join: a child with unread queue data may not exit
    p.join()
    return pid, ppid


if __name__ == "__main__":
    pid, ppid = child_ids()
    print(f"Subprocess: {pid}")
    print(f"Main process: {ppid}")
    print(f"==main {os.getpid()}")
