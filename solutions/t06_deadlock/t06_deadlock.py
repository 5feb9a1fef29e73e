"""t06 · deadlock: two locks taken in opposite orders, and the recursive lock that fixes it.

Course notes §2.7. `run_workers(n, rounds, step)` starts `n` worker threads at once; each one,
`rounds` times, runs f1 (takes lock A, then lock B) and f2 (takes B, then A). Right after
taking a lock a worker logs "<its name> got A" (or B) and calls `step()`, still inside.
It returns the log once every worker has finished.
"""
import time
from threading import RLock, Thread

# One recursive lock under both names (lock_A = lock_B = RLock(), as the notes write it).
# A thread that holds it may take it again (it counts: acquire +1, release -1) and no other
# thread gets it until the count is back to 0. There is no "other lock" left to wait for, so
# the A-then-B / B-then-A cycle cannot form.
lock_A = lock_B = RLock()


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
