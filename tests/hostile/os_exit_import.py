"""os._exit(0) while being imported."""
import os

os._exit(0)


def run_and_wait(task, durations):
    pass
