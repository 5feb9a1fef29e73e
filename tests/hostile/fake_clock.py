"""The serial stub, with every clock it can reach slowed tenfold: time.monotonic,
time.perf_counter, time.time, the kit's event clock and the probe's own clock."""
import sys
import time
from multiprocessing import Process

_real = time.monotonic
_t0 = _real()


def _slow():
    return _t0 + (_real() - _t0) / 10


time.monotonic = time.perf_counter = time.time = _slow
try:
    import _kit.events
    _kit.events.clock = _slow
    sys.modules["__main__"].clock = _slow
except ImportError:
    pass


def run_and_wait(task, durations):
    for d in durations:
        p = Process(target=task, args=(d,))
        p.start()
        p.join()
