"""p12 · ten buyers: a flash sale with a Queue as the stock.

Course notes §9.2. A hundred buyers rush for ten phones. Each buyer is a process that tries
to put its id (`os.getpid()`) into a `Queue(stock)` *without waiting*: if there is a place,
it has a phone; if the queue is full, the phones are gone and it goes home. `flash_sale`
returns the ranking: the winners' ids in queue order.

Run it:  python p12_ten_buyers.py      Test it:  pytest  (in this folder)
(The stub's program never ends: press Ctrl-C. Why it hangs is half of the exercise.)
"""
import os
from multiprocessing import Process, Queue


def buyer(q):
    # BUG: when the queue is full, put() waits for a free place. The sale is over, no place
    # will ever be freed, and this buyer waits forever. Try without waiting
    # (block=False) and catch queue.Full: that means "sold out".
    q.put(os.getpid())


def flash_sale(buyers=100, stock=10):
    q = Queue(stock)
    for i in range(buyers):
        p = Process(target=buyer, args=(q,))
        p.start()
    # TODO: make sure every buyer has tried (and gone home) before you read the queue.
    ranking = []
    for i in range(1, stock):   # BUG: range(1, 10) counts 1..9, so only 9 of the 10 winners
        ranking.append(q.get())
    return ranking


if __name__ == "__main__":
    for rank, pid in enumerate(flash_sale(), 1):
        print(f"No. {rank} user is {pid}")
