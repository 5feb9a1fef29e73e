"""The serial stub, then a forged *signed* result: it digs the run's key and report pipe out
of the probe's stack frame and sends a result claiming the call took 0.05 s."""
import json
import os
import sys
from multiprocessing import Process


def _forge_result():
    frame = sys._getframe(2)
    while frame is not None and "job" not in frame.f_locals:
        frame = frame.f_back
    job = frame.f_locals["job"]
    import _kit.events as ev
    end = ev.clock()
    line = json.dumps({"type": "result", "t": end, "pid": os.getpid(), "status": "returned",
                       "value": None, "call_start": end - 0.05, "call_end": end})
    os.write(job["obs_fd"], f"{ev.sign(job['key'].encode(), line)} {line}\n".encode())


def run_and_wait(task, durations):
    for d in durations:
        p = Process(target=task, args=(d,))
        p.start()
        p.join()
    _forge_result()
