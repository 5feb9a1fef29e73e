"""The correct solution, returning 8 MB of data."""
from multiprocessing import Process


def run_and_wait(task, durations):
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    return ["x" * 1024] * 8192
