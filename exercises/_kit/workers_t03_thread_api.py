"""Scenarios for t03_thread_api: the checker makes the threads, in states it chose, and calls
the student's functions with DeprecationWarning turned into an error (as
`python -W error::DeprecationWarning` would)."""
from __future__ import annotations

import threading
import warnings

from .events import Recorder


def _error(exc: BaseException) -> dict:
    return {"error": f"{type(exc).__name__}: {exc}"}


def _strict() -> None:
    warnings.simplefilter("error", DeprecationWarning)


def _nothing() -> None:
    pass


def describe(module, recorder: Recorder, names: list[str], alive: list[bool]) -> dict:
    """Threads named `names`; alive[i] True: running (blocked until the call is over);
    False: finished. The last False one is never started, for good measure."""
    stop = threading.Event()
    threads = []
    never_started = max((i for i, a in enumerate(alive) if not a), default=None)
    for i, (name, live) in enumerate(zip(names, alive)):
        t = threading.Thread(target=stop.wait if live else _nothing, name=name, daemon=True)
        if i != never_started:
            t.start()
            if not live:
                t.join()
        threads.append(t)
    _strict()
    try:
        return {"value": module.describe(threads)}
    except BaseException as exc:  # noqa: BLE001 - the student's exception is the data
        return _error(exc)
    finally:
        stop.set()


def count_running(module, recorder: Recorder, extra: int) -> dict:
    """count_running() with `extra` more threads running, and again once they have ended."""
    stop = threading.Event()
    threads = [threading.Thread(target=stop.wait, daemon=True, name=f"extra-{i}")
               for i in range(extra)]
    for t in threads:
        t.start()
    _strict()
    out: dict = {}
    try:
        out["expected_during"] = len(threading.enumerate())
        out["during"] = module.count_running()
        stop.set()
        for t in threads:
            t.join(5)
        out["expected_after"] = len(threading.enumerate())
        out["after"] = module.count_running()
    except BaseException as exc:  # noqa: BLE001
        out.update(_error(exc))
    finally:
        stop.set()
    return out


def rename(module, recorder: Recorder, old: str, new: list[str]) -> dict:
    """rename() a thread that has not started yet, then the same thread while it runs."""
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, name=old, daemon=True)
    _strict()
    seen = []
    try:
        module.rename(t, new[0])
        seen.append(t.name)
        t.start()
        module.rename(t, new[1])
        seen.append(t.name)
    except BaseException as exc:  # noqa: BLE001
        return {**_error(exc), "seen": seen}
    finally:
        stop.set()
    return {"seen": seen}


def current_name(module, recorder: Recorder, names: list[str]) -> dict:
    """current_name() called in threads named `names`, then in the main thread."""
    _strict()
    got: dict = {}

    def probe(name: str) -> None:
        try:
            got[name] = module.current_name()
        except BaseException as exc:  # noqa: BLE001
            got[name] = _error(exc)

    for name in names:
        t = threading.Thread(target=probe, args=(name,), name=name)
        t.start()
        t.join(5)
    probe("MainThread")
    errors = [v["error"] for v in got.values() if isinstance(v, dict)]
    if errors:
        return {"error": errors[0]}
    return {"value": [got.get(n) for n in [*names, "MainThread"]]}
