"""p06 · terminate: stopping a process is asynchronous — wait for it to be gone.

Course notes §5. `stop_after(task, seconds)` runs `task()` in its own process, stops it with
`terminate()` after `seconds`, and returns `(is_alive, exitcode)` read once the process has
really stopped: `(False, -signal.SIGTERM)`.
"""
import time
from multiprocessing import Process


def task():
    print("Chang Xin is running")
    time.sleep(2)
    print("Chang Xin is gone")


def stop_after(task, seconds):
    p = Process(target=task)
    p.start()
    time.sleep(seconds)
    p.terminate()    # sends SIGTERM and returns at once: the process is still stopping ...
    p.join()         # ... so wait until it is really gone; now is_alive() and exitcode are final
    return p.is_alive(), p.exitcode


if __name__ == "__main__":
    alive, code = stop_after(task, 1)
    print(f"is_alive: {alive}, exitcode: {code}")
    print("Main Procedure Starts")
