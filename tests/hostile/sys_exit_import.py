"""sys.exit(0) while being imported."""
import sys

sys.exit(0)


def run_and_wait(task, durations):
    pass
