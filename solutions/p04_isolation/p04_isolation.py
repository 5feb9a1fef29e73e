"""p04 · isolation: a child gets a copy of the parent's memory, not the memory itself.

Course notes §3. `child_total(items)` computes `sum(items)` in a child process and sends it
back to the parent through a Queue.
"""
from multiprocessing import Process, Queue


def add_up(items, q):
    total = sum(items)
    print(f"The child's total: {total}")
    q.put(total)        # the only way out of the child: send it


def child_total(items):
    q = Queue()
    p = Process(target=add_up, args=(items, q))
    p.start()
    total = q.get()     # get before join: a child whose queue data is unread may not exit
    p.join()
    return total


if __name__ == "__main__":
    print(f"The parent's total: {child_total([1, 2, 3, 4])}")
