"""Leave a process behind (setsid double fork, renamed to the token), fork as much as it may,
and keep a POSIX semaphore and a shared memory segment that it never unlinks."""
import ctypes
import os
import time
from multiprocessing import Process


def _escape():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"__TOKEN__", 0, 0, 0)     # PR_SET_NAME
            time.sleep(600)
        os._exit(0)
    children = []
    for _ in range(100):                                           # many, each left running
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            ctypes.CDLL(None).prctl(15, b"__TOKEN__", 0, 0, 0)
            time.sleep(600)
            os._exit(0)
        children.append(pid)
    try:
        librt = ctypes.CDLL("librt.so.1")
        librt.sem_open(b"/__TOKEN__", os.O_CREAT, 0o600, 1)
        fd = librt.shm_open(b"/__TOKEN__-shm", os.O_CREAT | os.O_RDWR, 0o600)
        os.ftruncate(fd, 4096)
    except OSError:
        pass
    return children


def run_and_wait(task, durations):
    _escape()
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
