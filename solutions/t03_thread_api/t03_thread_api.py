"""t03 · the modern threading API.

Course notes thread §2.4, with today's names: `t.name` for getName/setName, `t.is_alive()`
for isAlive, `threading.current_thread()` for currentThread, `threading.active_count()` for
activeCount.
"""
import os
import threading
import time
from threading import Thread


def describe(threads):
    return [(t.name, t.is_alive()) for t in threads]


def count_running():
    return threading.active_count()      # the same as len(threading.enumerate())


def rename(thread, name):
    thread.name = name


def current_name():
    return threading.current_thread().name


def task():
    print(current_name())
    time.sleep(1)
    print("666")


if __name__ == "__main__":
    p1 = Thread(target=task, name="p1")
    p2 = Thread(target=task, name="p2")
    p1.start()
    p2.start()
    rename(p1, "Subthread 1")
    print(describe([p1, p2]))
    print(current_name())
    print(count_running())
    print(f"Main thread {os.getpid()}")
