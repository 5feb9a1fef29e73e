"""Start the tasks, then os._exit(0) instead of joining them."""
import os
from multiprocessing import Process


def run_and_wait(task, durations):
    for d in durations:
        Process(target=task, args=(d,)).start()
    os._exit(0)
