"""Sleep past every timeout, ignoring SIGTERM and SIGINT."""
import signal
import time


def run_and_wait(task, durations):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    time.sleep(10 ** 6)
