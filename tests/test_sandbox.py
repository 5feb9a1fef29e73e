"""The sandbox's guarantees, one at a time, at every level this machine has (the hostile
corpus in test_hostile.py attacks them through whole gradings)."""
from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest

from _kit import procfs
from _kit.contract import RunOptions
from _kit.launch import Opaque, worker
from grader import sandbox as sandbox_mod
from grader.grading import grade_workspace
from grader.intake import take_in
from grader.sandbox import Sandbox

from .conftest import ROOT
from .test_hostile import isolation, write_course

LEVELS = ["namespaces", "userns", "session"]


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("small-course"))


def _module(tmp: Path, source: str, name: str = "mod") -> Path:
    folder = tmp / "mod"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def _box(course, level: str) -> Sandbox:
    return Sandbox(course.limits, ROOT, isolation=isolation(level))


@pytest.mark.parametrize("level", LEVELS)
def test_the_environment_carries_nothing_that_signs(small_course, tmp_path, level):
    """Events signed with anything the student's code finds in its environment are rejected."""
    folder = _module(tmp_path, """
        import hashlib, hmac, json, os
        def f(task):
            task("real")
            env = dict(os.environ)
            for value in env.values():
                line = json.dumps({"ev": "start", "t": 0.0, "pid": 1, "arg": "forged"})
                sig = hmac.new(value.encode(), line.encode(), hashlib.sha256).hexdigest()[:32]
                with open(task.recorder.path, "a") as out:
                    out.write(f"{sig} {line}\\n")
            return sorted(env)
    """)
    run = _box(small_course, level).run(folder, "mod", "f", [worker("SleepTask", seconds=0.01)],
                                        options=RunOptions(timeout=10))
    assert run.returned, run.explain()
    assert [e["arg"] for e in run.events if e["ev"] == "start"] == ["real"]
    assert run.rejected_events == len(run.value)
    # (bubblewrap adds PWD: the run's own scratch folder)
    assert set(run.value) <= {"PATH", "LANG", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED",
                              "MALLOC_ARENA_MAX", "KIT_RUN", "KIT_TEST_SESSION", "PWD"}


def test_values_that_are_not_data_equal_nothing(small_course, tmp_path):
    folder = _module(tmp_path, """
        import threading
        class Anything:
            def __eq__(self, other): return True
            __hash__ = object.__hash__
        class Str(str):
            def __eq__(self, other): return True
            __hash__ = str.__hash__
        def f():
            return [Anything(), Str("x"), lambda: 1, threading.Lock(), {"k": Anything()}]
    """)
    run = _box(small_course, "namespaces" if sandbox_mod.detect().pid_namespace else
               "session").run(folder, "mod", "f", options=RunOptions(timeout=10))
    assert run.returned, run.explain()
    values = run.value
    assert all(isinstance(v, Opaque) for v in values[:4])
    assert values[0] != 1 and not (values[1] == "x") and values[4] != {"k": 1}


@pytest.mark.parametrize("level", LEVELS)
def test_a_double_forked_daemon_is_killed(small_course, tmp_path, level):
    folder = _module(tmp_path, """
        import os, time
        def f():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv("/bin/sleep", ["sleep", "300"])   # a new program, empty-handed
                os._exit(0)
            time.sleep(0.3)
            return os.getpid()
    """)
    run = _box(small_course, level).run(folder, "mod", "f", options=RunOptions(timeout=10))
    assert run.returned, run.explain()
    # the orphan is seen below the probe (a subreaper), next to the zombie of its parent
    assert [p.comm for p in run.children_after if p.state != "Z"] == ["sleep"]
    assert run.survivors == 0


@pytest.mark.parametrize("level", LEVELS)
def test_threads_still_start_under_the_memory_limit(small_course, tmp_path, level):
    """RLIMIT_DATA (with MALLOC_ARENA_MAX), not RLIMIT_AS: 24 threads start under 256 MB."""
    folder = _module(tmp_path, """
        import threading, time
        def f():
            ts = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(24)]
            for t in ts: t.start()
            for t in ts: t.join()
            return len(ts)
    """)
    run = _box(small_course, level).run(folder, "mod", "f", options=RunOptions(timeout=10))
    assert run.returned and run.value == 24, run.explain()


def test_concurrent_runs_have_distinct_uids(small_course, tmp_path):
    iso = isolation("namespaces")
    assert iso.distinct_uids
    folder = _module(tmp_path, """
        import os, time
        def f():
            time.sleep(0.5)
            return os.getuid()
    """)
    box = Sandbox(small_course.limits, ROOT, isolation=iso)
    runs: list = []
    threads = [threading.Thread(target=lambda: runs.append(box.run(folder, "mod", "f", options=RunOptions(timeout=15))))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    uids = [r.value for r in runs]
    assert all(r.returned for r in runs), [r.explain() for r in runs]
    assert len(set(uids)) == 3 and os.getuid() not in uids and 0 not in uids


@pytest.mark.parametrize("level", ["namespaces", "userns"])
def test_the_course_and_the_hosts_tmp_are_hidden(small_course, tmp_path, level):
    isolation(level)
    folder = _module(tmp_path, f"""
        import os
        def f():
            return [os.path.exists({str(ROOT / 'solutions')!r}),
                    os.path.exists({str(tmp_path)!r}), os.listdir("/dev/shm"),
                    len(os.listdir("/tmp"))]
    """)
    run = _box(small_course, level).run(folder, "mod", "f", options=RunOptions(timeout=10))
    assert run.value[:3] == [False, False, []], run.explain()
    # /tmp holds the run's own folder and, at the namespaces level, the probe's copy of _kit
    assert run.value[3] == (2 if level == "namespaces" else 1), run.explain()


@pytest.mark.parametrize("level", LEVELS)
def test_results_record_the_level_and_what_it_lacked(small_course, tmp_path, level):
    iso = isolation(level)
    sub = tmp_path / "s" / "p05_join"
    sub.mkdir(parents=True)
    (sub / "p05_join.py").write_text("def run_and_wait(task, durations):\n    pass\n")
    ws = take_in("s", tmp_path / "s", small_course, tmp_path / "ws")
    result = grade_workspace(small_course, ws, Sandbox(small_course.limits, ROOT, isolation=iso),
                             exercises=["p05_join"])
    data = result.to_dict()
    recorded = data.get("extra_data", data).get("isolation") or result.isolation
    assert recorded["level"] == level
    if level == "session":
        assert any("KIT_SANDBOX_LEVEL=session" in x for x in recorded["lacking"])
        assert any("network" in x for x in recorded["lacking"])


def test_pids_cgroups_are_removed(small_course, tmp_path, monkeypatch):
    if not sandbox_mod.detect().pids_cgroup:
        pytest.skip("no writable pids cgroup here")
    made: list = []
    create = procfs.PidsCgroup.create.__func__

    def spy(cls, name, max_pids):
        group = create(cls, name, max_pids)
        made.append(group)
        return group

    monkeypatch.setattr(procfs.PidsCgroup, "create", classmethod(spy))
    folder = _module(tmp_path, "import os\ndef f():\n    os.fork()\n    return 1\n")
    run = _box(small_course, "namespaces" if sandbox_mod.detect().pid_namespace else
               "session").run(folder, "mod", "f", options=RunOptions(timeout=10))
    assert run.returned and run.survivors == 0
    assert made and all(g is not None and not os.path.exists(g.path) for g in made)


GRADER_THAT_DIES = """
import os, sys
from pathlib import Path
sys.path[:0] = [{root!r}, {kit!r}]
from _kit.contract import RunOptions
from grader import manifest, sandbox
from grader.sandbox import Sandbox
os.environ.pop("KIT_SANDBOX_LEVEL", None)
if {level!r} == "session":
    os.environ["KIT_SANDBOX_LEVEL"] = "session"
course = manifest.load({course!r})
Sandbox(course.limits, Path({root!r})).run(Path({folder!r}), "mod", "f", options=RunOptions(timeout=60))
"""


@pytest.mark.parametrize("level", LEVELS)
def test_a_grader_killed_mid_run_leaves_nothing_behind(small_course, tmp_path, level):
    """SIGKILL the grader while the student's code runs (with a setsid() double-forked
    daemon): the probe sees its lifeline cut and kills the whole run."""
    import secrets
    import subprocess
    import sys
    import time
    isolation(level)
    token = "hx" + secrets.token_hex(6)
    folder = _module(tmp_path, f"""
        import ctypes, os, time
        def f():
            ctypes.CDLL(None).prctl(15, b"{token}", 0, 0, 0)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    while True:
                        time.sleep(1)
                os._exit(0)
            time.sleep(600)
    """)
    script = GRADER_THAT_DIES.format(root=str(ROOT), kit=str(ROOT / "exercises"), level=level,
                                     course=str(small_course.root / "course.yaml"),
                                     folder=str(folder))
    grader = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        from .test_hostile import survivors
        while len(survivors(token)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(survivors(token)) >= 2, "the run did not start"
    finally:
        os.killpg(grader.pid, 9)
        grader.wait()
    deadline = time.monotonic() + 5
    while survivors(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not survivors(token)


@pytest.mark.parametrize("level", LEVELS)
def test_a_program_ends_when_its_threads_and_children_do(small_course, tmp_path, level):
    """mode "main" runs the module as a program: like the interpreter, the run ends only after
    the non-daemon threads and the multiprocessing children it started have finished."""
    folder = _module(tmp_path, """
        import threading, time
        from multiprocessing import Process

        def later(what):
            time.sleep(0.4)
            print(what, "done", flush=True)

        if __name__ == "__main__":
            threading.Thread(target=later, args=("thread",)).start()
            Process(target=later, args=("child",)).start()
            print("main module ends", flush=True)
        """, name="prog")
    run = _box(small_course, level).run(folder, "prog", options=RunOptions(mode="main", timeout=10))
    assert run.returned, run.explain()
    assert run.stdout.splitlines()[0] == "main module ends"
    assert {"thread done", "child done"} <= set(run.stdout.splitlines()), run.stdout
    assert run.call_time is not None and run.call_time >= 0.4


def test_a_report_that_disagrees_with_the_parents_clock_is_run_again(monkeypatch):
    """Starvation can delay a genuine report past the margin once; a forger forges every time.
    So a clock disagreement is run again (twice at most) and judged by the last attempt."""
    from _kit import launch
    starved = launch.Run(status="forged", clock_disagreed=True, message="the call reported")
    genuine = launch.Run(status="returned", value=1)
    attempts = iter([starved, genuine])
    monkeypatch.setattr(launch, "_attempt", lambda *a, **k: next(attempts))
    run = launch.run_probe("folder", "mod", "f")
    assert (run.status, run.value, run.attempts) == ("returned", 1, 2)

    forged = [launch.Run(status="forged", clock_disagreed=True) for _ in range(5)]
    calls = iter(forged)
    monkeypatch.setattr(launch, "_attempt", lambda *a, **k: next(calls))
    run = launch.run_probe("folder", "mod", "f")
    assert run.status == "forged" and run.attempts == 1 + launch.CLOCK_RETRIES
    assert next(calls) is forged[1 + launch.CLOCK_RETRIES]       # no more attempts than that
