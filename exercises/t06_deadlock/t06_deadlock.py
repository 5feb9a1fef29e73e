"""t06 · deadlock: two locks taken in opposite orders, and the recursive lock that fixes it.

Course notes §2.7. `run_workers(n, rounds, step)` starts `n` worker threads at once; each one,
`rounds` times, runs f1 (takes lock A, then lock B) and f2 (takes B, then A). Right after
taking a lock a worker logs "<its name> got A" (or B) and calls `step()`, still inside.
It returns the log once every worker has finished.

As written it deadlocks: run it and watch it stop.

Run it:  python t06_deadlock.py      Test it:  pytest  (in this folder)
"""
import time
from threading import Lock, RLock, Thread

# BUG: two separate locks. A worker in f1 holds A and waits for B while another, in f2,
# holds B and waits for A: each waits for the other forever. The notes' fix (§2.7) is one
# recursive lock under both names.
lock_A = Lock()
lock_B = Lock()


class MyThread(Thread):
    def __init__(self, rounds, step, log):
        super().__init__(daemon=True)   # daemon: Ctrl-C can end a deadlocked run
        self.rounds, self.step, self.log = rounds, step, log

    def run(self):
        for _ in range(self.rounds):
            self.f1()
            self.f2()

    def got(self, lock_name):
        line = f"{self.name} got {lock_name}"
        print(line)
        self.log.append(line)
        self.step()

    def f1(self):
        with lock_A:
            self.got("A")
            with lock_B:
                self.got("B")

    def f2(self):
        with lock_B:
            self.got("B")
            with lock_A:
                self.got("A")


def run_workers(n, rounds, step):
    log = []
    workers = [MyThread(rounds, step, log) for _ in range(n)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return log


def pause():
    time.sleep(0.1)


if __name__ == "__main__":
    print("(if the output stops, the threads are deadlocked: press Ctrl-C)")
    run_workers(3, 1, pause)
    print("all workers finished")
