"""t07 · semaphore: at most `capacity` threads in the room at once.

Course notes §2.8. `visit_room(visit, visitors, capacity)` starts one thread per visitor, all
at once; visitor i calls `visit(i)` (the time spent in the room). A Semaphore(capacity) at the
door lets `capacity` visitors in at a time; the others wait until someone leaves. It returns
when every visitor has been in and out.

Run it:  python t07_semaphore.py      Test it:  pytest  (in this folder)
"""
import random
import time
from threading import Semaphore, Thread, current_thread


def visit(i):
    print(f"{current_thread().name} Room (visitor {i})")
    time.sleep(random.uniform(0.2, 0.6))


def visit_room(visit, visitors, capacity):
    # TODO: the room holds only `capacity` visitors. Make one Semaphore(capacity) here and
    # have every visitor hold it while in the room (`with sem: visit(i)`). As written, all of
    # them walk in at once.
    threads = [Thread(target=visit, args=(i,)) for i in range(visitors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    visit_room(visit, 30, 5)
