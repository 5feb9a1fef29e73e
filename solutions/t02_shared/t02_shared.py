"""t02 · threads share memory, processes do not.

Course notes thread §2.3. `collect_with_threads(work, items)` runs `work(item)` for every item
in its own thread; every thread appends to the one list the caller returns.
`collect_with_processes` is the contrast: the same code with processes leaves the list empty.
"""
from multiprocessing import Process
from threading import Thread


def square(x):
    return x * x


def collect(work, item, results):
    results.append(work(item))      # list.append is atomic: no lock needed for this


def collect_with_processes(work, items):
    results = []
    workers = [Process(target=collect, args=(work, item, results)) for item in items]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results          # [] : each child appended to its own copy of the list


def collect_with_threads(work, items):
    results = []
    workers = [Thread(target=collect, args=(work, item, results)) for item in items]
    for w in workers:
        w.start()
    for w in workers:       # wait for every thread before reading the list
        w.join()
    return results          # the threads appended to this very list


if __name__ == "__main__":
    print(f"===Main thread, threads:   {sorted(collect_with_threads(square, [1, 2, 3]))}")
    print(f"===Main process, processes: {collect_with_processes(square, [1, 2, 3])}")
