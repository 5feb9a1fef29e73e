"""t04 · daemon threads: who waits for whom when the program ends.

Course notes thread §2.5 (the notes' program slept 1 s and 2 s; here 0.1 s and 0.5 s). The
main thread prints "main-------" and is done, but the program waits for bar (not a daemon);
foo, a daemon, finishes its shorter sleep meanwhile, so all five lines appear. Had foo slept
longer than bar, the program would end without its "end123".
"""
import subprocess
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


PREDICTED = ["123", "456", "main-------", "end123", "end456"]


def run_program(foo_seconds=FOO_SECONDS, bar_seconds=BAR_SECONDS):
    # Only a real program ends, so run this file as one and read what it printed.
    done = subprocess.run([sys.executable, __file__, str(foo_seconds), str(bar_seconds)],
                          capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.splitlines()


if __name__ == "__main__":
    main(*(float(arg) for arg in sys.argv[1:3]))
