"""The correct solution, submitted with a time.py and a threading.py next to it that would
break the run if they shadowed the standard library (see `extra` in expected.yaml)."""
from multiprocessing import Process


def run_and_wait(task, durations):
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
