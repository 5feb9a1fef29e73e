"""t02 · threads share memory, processes do not.

Course notes thread §2.3. `collect_with_threads(work, items)` must run `work(item)` for every
item, each in its own thread, append every result to ONE list, and return that list once all
are done. Threads of a process share its memory, so appending to `results` from any thread
fills the very list the caller returns.

`collect_with_processes(work, items)` is the contrast, the same code with processes: each
child appends to its own copy of `results`, so the parent's list stays empty. Keep it as it
is; it is here to show the difference.

Run it:  python t02_shared.py      Test it:  pytest  (in this folder)
"""
from multiprocessing import Process
from threading import Thread  # noqa: F401 - you will need it


def square(x):
    return x * x


def collect(work, item, results):
    results.append(work(item))


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
    # BUG: these are processes, not threads: each one appends to a copy of `results` in its
    # own memory, and the list returned here stays empty.
    workers = [Process(target=collect, args=(work, item, results)) for item in items]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


if __name__ == "__main__":
    print(f"===Main thread, threads:   {sorted(collect_with_threads(square, [1, 2, 3]))}")
    print(f"===Main process, processes: {collect_with_processes(square, [1, 2, 3])}")
