"""Thread bomb: start threads until it breaks."""
import threading
import time


def run_and_wait(task, durations):
    while True:
        threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
