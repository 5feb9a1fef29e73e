"""p13 · producer-consumer: a queue between the makers and the eaters.

Course notes §10 -- reference solution. Producers make items and put them into a queue; consumers take them out and
work on them. The queue is the buffer that lets both sides run at their own pace: a bounded
queue (`Queue(maxsize)`) makes producers wait when the consumers fall behind.

`pipeline(produce, consume, producers, consumers, maxsize)` starts `producers` producer
processes and `consumers` consumer processes around one `Queue(maxsize)`. Producer number `i`
puts every item of `produce(i)` into the queue, one at a time, as it gets them; a consumer
calls `consume(item)` for each item it takes. `pipeline` returns once every item has been
consumed and every process has finished.

Run it:  python p13_producer_consumer.py      Test it:  pytest  (in this folder)
"""
import random
import time
from multiprocessing import Process, Queue


def steamed_buns(name):
    """The notes' producer: five buns, made slowly."""
    for i in range(1, 6):
        time.sleep(random.uniform(0.1, 0.3))
        yield f"bun {i} of producer {name}"


def eat(item):
    """The notes' consumer: eating takes a while."""
    time.sleep(random.uniform(0.1, 0.3))
    print(f"ate {item}")


def producer(q, produce, name):
    for item in produce(name):
        q.put(item)
        print(f"producer {name} made {item}")


DONE = None                             # the sentinel: "no more items"


def consumer(q, consume):
    while (item := q.get()) is not DONE:    # wait as long as it takes: producers may be slow
        consume(item)


def pipeline(produce, consume, producers, consumers, maxsize):
    q = Queue(maxsize)
    makers = [Process(target=producer, args=(q, produce, i)) for i in range(producers)]
    eaters = [Process(target=consumer, args=(q, consume)) for _ in range(consumers)]
    for p in makers + eaters:
        p.start()
    for p in makers:                    # all items are in the queue once the makers end ...
        p.join()
    for _ in eaters:                    # ... so behind them, one sentinel per consumer
        q.put(DONE)
    for p in eaters:
        p.join()


if __name__ == "__main__":
    start = time.time()
    pipeline(steamed_buns, eat, producers=2, consumers=2, maxsize=3)
    print(f"all eaten in {time.time() - start:.2f} s")
