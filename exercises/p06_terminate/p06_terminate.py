"""p06 · terminate: stopping a process is asynchronous — wait for it to be gone.

Course notes §5. `stop_after(task, seconds)` must run `task()` in its own process, stop it
with `terminate()` after `seconds`, and return `(is_alive, exitcode)` read once the process
has really stopped: `(False, -signal.SIGTERM)`, that is `(False, -15)` on Linux and macOS.

Run it:  python p06_terminate.py      Test it:  pytest  (in this folder)
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
    p.terminate()
    # BUG: terminate() only *sends* SIGTERM and returns at once. The process has not stopped
    # yet, so is_alive() is still True and exitcode is still None. Wait for it first.
    return p.is_alive(), p.exitcode


if __name__ == "__main__":
    alive, code = stop_after(task, 1)
    print(f"is_alive: {alive}, exitcode: {code}")
    print("Main Procedure Starts")
