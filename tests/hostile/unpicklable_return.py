"""The correct solution, returning things that cannot be pickled or sent as data."""
import threading
from multiprocessing import Process


def run_and_wait(task, durations):
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    return [lambda: 1, threading.Lock(), (x for x in durations)]
