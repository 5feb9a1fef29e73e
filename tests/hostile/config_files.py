"""The stub, submitted with a conftest.py, pytest.ini, pyproject.toml and sitecustomize.py
that would make every test pass if anything loaded them (see `extra` in expected.yaml)."""
from multiprocessing import Process


def run_and_wait(task, durations):
    for d in durations:
        p = Process(target=task, args=(d,))
        p.start()
        p.join()
