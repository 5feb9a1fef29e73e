"""p07 · daemon: a daemon process ends with the program that started it.

Course notes §6. `start_daemon(task)` starts `task()` in a new process that is a *daemon*
and returns that (started) Process. When the main program's code ends, Python terminates its
daemon processes instead of waiting for them; ordinary child processes it still waits for.
"""
import time
from multiprocessing import Process


def task():
    print("Chang Xin is running")
    time.sleep(2)
    print("Chang Xin is gone")      # a daemon never gets here: the program ends first


def start_daemon(task):
    p = Process(target=task)
    p.daemon = True   # before start(): the flag is part of how the process is started
    p.start()         # (Process(target=task, daemon=True) does the same)
    return p


if __name__ == "__main__":
    p = start_daemon(task)
    time.sleep(1)
    print("===main")                 # the program ends here, and its daemon with it
