"""Public tests for p03_pids. Run them with `pytest` in this folder."""
from functools import lru_cache

from _kit.testing import run_exercise


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def ids(start_method=None):
    r = run_exercise(__file__, "", timeout=10, start_method=start_method, mode="scenario",
                     scenario="workers_p03_pids.ids")
    assert r.returned, r.explain()
    value = r.value
    assert isinstance(value, (tuple, list)) and len(value) == 2 and all(
        type(v) is int for v in value), (
        f"child_ids() should return a tuple (pid, ppid) of two ints, not {value!r}: "
        f"a value the child computed only exists in the child until it is sent back")
    return r, value[0], value[1]


def test_ppid_is_the_caller():
    r, pid, ppid = ids()
    assert ppid == r.probe_pid, (
        f"ppid should be the pid of the process that called child_ids(), {r.probe_pid}; got "
        f"{ppid}. os.getppid() in the caller gives the caller's own parent: call it in the child")


def test_pid_is_a_child():
    r, pid, ppid = ids()
    assert pid != r.probe_pid, (
        "the pid you returned is the caller's own pid: os.getpid() ran in the parent, not in "
        "a child. Call it in the child and send the result back (a Queue or a Pipe)")
    children = {e["child"] for e in r.events if e["ev"] == "started"}
    assert pid in children, f"pid {pid} is not the pid of any child process your code started"


def test_works_with_spawn():
    r, pid, ppid = ids(start_method="spawn")
    assert pid != r.probe_pid and ppid == r.probe_pid, (
        "with the spawn start method (macOS, Windows) the ids were wrong: is the child's "
        "function defined at the top of the module (not inside child_ids)?")
