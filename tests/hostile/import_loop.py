"""An infinite loop at import time."""
from multiprocessing import Process

while True:
    pass


def run_and_wait(task, durations):
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
