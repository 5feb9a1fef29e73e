"""p12 · ten buyers: a flash sale with a Queue as the stock.

Course notes §9.2. A hundred buyers rush for ten phones. Each buyer is a process that tries
to put its id (`os.getpid()`) into a `Queue(stock)` without waiting: if there is a place, it
has a phone; if the queue is full, the phones are gone and it goes home. `flash_sale`
returns the ranking: the winners' ids in queue order.
"""
import os
import queue
from multiprocessing import Process, Queue


def buyer(q):
    try:
        q.put(os.getpid(), block=False)   # a place if one is left, at once: never wait
    except queue.Full:
        pass                              # sold out: this buyer goes home


def flash_sale(buyers=100, stock=10):
    q = Queue(stock)                      # one place in the queue per phone
    crowd = [Process(target=buyer, args=(q,)) for _ in range(buyers)]
    for p in crowd:
        p.start()
    # Every buyer tries before anyone is served: a place freed by get() while the sale is
    # still on would go to a latecomer, and more than `stock` buyers would think they won.
    for p in crowd:
        p.join()
    # Now the queue holds exactly the winners: `stock` of them, or every buyer if there were
    # fewer buyers than phones. (A get() for one more would wait forever.)
    return [q.get() for _ in range(min(buyers, stock))]


if __name__ == "__main__":
    for rank, pid in enumerate(flash_sale(), 1):
        print(f"No. {rank} user is {pid}")
