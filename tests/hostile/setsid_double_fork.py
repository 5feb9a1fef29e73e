"""The correct solution, plus a daemon that escapes: fork, setsid(), fork again, linger.
A process-group or session kill misses it."""
import ctypes
import os
import time
from multiprocessing import Process


def _linger():
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    ctypes.CDLL(None).prctl(15, b"__TOKEN__", 0, 0, 0)   # PR_SET_NAME: the test finds us
    os.closerange(0, 1024)
    while True:
        time.sleep(1)


def run_and_wait(task, durations):
    _linger()
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
