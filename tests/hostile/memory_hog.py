"""Memory hog: allocate 10 MB at a time, forever."""


def run_and_wait(task, durations):
    hoard = []
    while True:
        hoard.append(bytearray(10 * 1024 * 1024))
