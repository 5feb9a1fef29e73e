"""t04 · daemon threads: who waits for whom when the program ends.

Course notes thread §2.5. A program ends when its main thread is done AND every non-daemon
thread has finished; daemon threads do not hold it up: whatever a daemon thread has not done
by then, it never does. The notes' program is `main()` below (it slept 1 s and 2 s; here
0.1 s and 0.5 s, so it runs fast).

1. Predict: write in PREDICTED the lines `python t04_daemon_threads.py` prints, in order.
2. Observe: `run_program(foo_seconds, bar_seconds)` runs this file as its own program,
   `python t04_daemon_threads.py FOO BAR`, and returns the lines it printed.

Run it:  python t04_daemon_threads.py [FOO BAR]      Test it:  pytest  (in this folder)
"""
import sys
import time
from threading import Thread

FOO_SECONDS = 0.1      # the notes: 1 s
BAR_SECONDS = 0.5      # the notes: 2 s


def foo(seconds):
    print(123)
    time.sleep(seconds)
    print("end123")


def bar(seconds):
    print(456)
    time.sleep(seconds)
    print("end456")


def main(foo_seconds=FOO_SECONDS, bar_seconds=BAR_SECONDS):
    t1 = Thread(target=foo, args=(foo_seconds,))
    t2 = Thread(target=bar, args=(bar_seconds,))
    t1.daemon = True
    t1.start()
    t2.start()
    print("main-------")


# TODO: the lines the program prints, in order, as strings: ["123", ...]
PREDICTED = ["TODO"]


def run_program(foo_seconds=FOO_SECONDS, bar_seconds=BAR_SECONDS):
    # TODO: run this file (__file__) as its own program with the two durations as arguments,
    # wait for it to end, and return its output as a list of lines.
    raise NotImplementedError("run_program is still a TODO")


if __name__ == "__main__":
    main(*(float(arg) for arg in sys.argv[1:3]))
