"""t07 · semaphore: at most `capacity` threads in the room at once.

Course notes §2.8. `visit_room(visit, visitors, capacity)` starts one thread per visitor, all
at once; visitor i calls `visit(i)` while holding a Semaphore(capacity), so at most `capacity`
are in the room together and the others wait at the door. It returns when every visitor has
been in and out.
"""
import random
import time
from threading import Semaphore, Thread, current_thread


def visit(i):
    print(f"{current_thread().name} Room (visitor {i})")
    time.sleep(random.uniform(0.2, 0.6))


def visit_room(visit, visitors, capacity):
    sem = Semaphore(capacity)          # one door, shared by every visitor: `capacity` permits

    def visitor(i):
        with sem:                      # take a permit (wait if none is left) ... give it back
            visit(i)

    threads = [Thread(target=visitor, args=(i,)) for i in range(visitors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    visit_room(visit, 30, 5)
