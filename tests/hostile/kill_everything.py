"""Kill every process it may signal: os.kill(-1, SIGKILL), then do the work. Only ever run
in a PID namespace, where "every process" is the run itself."""
import os
import signal
from multiprocessing import Process


def run_and_wait(task, durations):
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
