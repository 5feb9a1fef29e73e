"""p04 · isolation: a child gets a copy of the parent's memory, not the memory itself.

Course notes §3. `child_total(items)` must compute `sum(items)` in a child process and return
it to the caller. Whatever the child changes (a global, a list) changes only the child's copy:
the result has to be *sent* to the parent, through a `multiprocessing.Queue` or a `Pipe`.

Run it:  python p04_isolation.py      Test it:  pytest  (in this folder)
"""
from multiprocessing import Process, Queue  # noqa: F401 - you will need Queue

totals = []   # module-level: every process has its own copy of this list


def add_up(items):
    totals.append(sum(items))
    print(f"The child's totals: {totals}")


def child_total(items):
    p = Process(target=add_up, args=(items,))
    p.start()
    p.join()
    # BUG: the child appended to ITS copy of `totals`; this process's copy is still empty.
    # TODO: send the sum back through a Queue (q.put in the child, q.get here) and return it.
    return sum(totals)


if __name__ == "__main__":
    print(f"The parent's total: {child_total([1, 2, 3, 4])}")
    print(f"The parent's totals: {totals}")
