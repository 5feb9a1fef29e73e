"""Fork bomb: every process forks forever and ignores the failures."""
import ctypes
import os


def _tag():
    ctypes.CDLL(None).prctl(15, b"__TOKEN__", 0, 0, 0)   # PR_SET_NAME: the test finds us


def run_and_wait(task, durations):
    _tag()
    while True:
        try:
            os.fork()
        except OSError:
            pass
