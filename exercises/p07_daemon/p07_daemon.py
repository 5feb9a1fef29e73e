"""p07 · daemon: a daemon process ends with the program that started it.

Course notes §6. `start_daemon(task)` must start `task()` in a new process that is a
*daemon*, and return that (started) Process. When the main program's code ends, Python
terminates its daemon processes instead of waiting for them; ordinary child processes it
still waits for. A process can only be made a daemon *before* it starts.

Run it:  python p07_daemon.py      Test it:  pytest  (in this folder)
"""
import time
from multiprocessing import Process


def task():
    print("Chang Xin is running")
    time.sleep(2)
    print("Chang Xin is gone")      # a daemon never gets here: the program ends first


def start_daemon(task):
    p = Process(target=task)
    p.start()
    p.daemon = True   # BUG: too late: the process is already running, and this line raises
    #                   AssertionError: process has already started. Set it before start().
    return p


if __name__ == "__main__":
    p = start_daemon(task)
    time.sleep(1)
    print("===main")                 # the program ends here, and its daemon with it
