"""Programs that never finish because of how their processes use a queue: one function per
failure mode of course notes §8-§10, for tests/test_diagnosis.py (line numbers matter)."""
from multiprocessing import Process, Queue


def consumer(q):
    while True:
        item = q.get()
        print(item)


def get_join():
    q = Queue()
    p = Process(target=consumer, args=(q,))
    p.start()
    p.join()


def child(q):
    q.put("x" * 1_000_000)


def undrained():
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    return len(q.get())


def producer(q):
    for i in range(5):
        q.put(i)


def full_put():
    q = Queue(2)
    p = Process(target=producer, args=(q,))
    p.start()
    p.join()
