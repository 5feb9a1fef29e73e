"""Print a gigabyte."""
import sys


def run_and_wait(task, durations):
    line = "x" * (1024 * 1024 - 1) + "\n"
    for _ in range(1024):
        sys.stdout.write(line)
