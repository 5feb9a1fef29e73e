"""The Gradescope bundle in a container with a memory cap, as Gradescope runs it: the whole
process tree of run_autograder in a memory cgroup of 1 GiB (cgroup v1 or v2: the bound the
kernel enforces on every process of the tree together, like a container's; RLIMIT_AS would
bound each process alone, and systemd-run needs a running systemd), pinned to one CPU, with
/sys/fs/cgroup showing only that cgroup, read-only (a container's view: the kit can make no
cgroup of its own), and the sandbox forced to the 'uid' level (root without namespaces).

The kit reads the container's bound and fits course.yaml's memory limits under it
(grader/gradescope_limits.py): the reference keeps full marks, a process that allocates
without bound gets a MemoryError that the kit explains, and a submission whose processes
together overrun the container loses only that exercise."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.gradescope_limits import container_memory_mb, fit_memory
from grader.manifest import Limits

from .test_gradescope import _env, _results, _schema_ok, _solution, _submit, _tests, _unpack
from .test_gradescope import bundle as bundle  # noqa: F401 - the module-scoped fixture

CAP_MB = 1024


# ---------------------------------------------------------------------------- reading the bound

def _files(tmp_path: Path, **contents: str) -> tuple[str, ...]:
    names = []
    for name, text in contents.items():
        (tmp_path / name).write_text(text)
        names.append(str(tmp_path / name))
    return tuple(names)


def test_container_bound_v1_v2_and_the_machines(tmp_path):
    meminfo = _files(tmp_path, meminfo="MemTotal:       24683520 kB\nMemFree: 1 kB\n")[0]
    v2 = _files(tmp_path, v2=str(1024 ** 3))
    assert container_memory_mb(v2, meminfo) == 1024
    v1_unbounded = _files(tmp_path, v1="9223372036854771712\n")
    assert container_memory_mb(v1_unbounded, meminfo) == 24105        # the machine's
    assert container_memory_mb(_files(tmp_path, v2max="max\n"), meminfo) == 24105
    assert container_memory_mb((str(tmp_path / "absent"),), str(tmp_path / "none")) is None


def test_fit_memory():
    course = Limits(memory_mb=2048, run_memory_mb=4096)
    fitted, note = fit_memory(course, 1024)
    assert (fitted.memory_mb, fitted.run_memory_mb) == (768, 768)
    assert note == ("this container has 1024 MB of memory: each process of a run may use 768 MB "
                    "(course.yaml: 2048 MB), all of a run's together 768 MB (course.yaml: "
                    "4096 MB)")
    assert fit_memory(course, 384)[0].memory_mb == 192            # half, for a small container
    assert fit_memory(course, 24105) == (course, "")              # a large machine: unchanged
    assert fit_memory(course, None) == (course, "")


# ---------------------------------------------------------------------------- the container

@pytest.fixture
def memory_cgroup():
    """A fresh memory cgroup of CAP_MB (the kit's own helper makes it: v1 or v2)."""
    from _kit import procfs
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and util-linux unshare to make a memory cgroup and a mount "
                    "namespace")
    group = procfs.MemoryCgroup.create(f"kit-gs-container-{secrets.token_hex(4)}",
                                       CAP_MB * 1024 * 1024)
    if group is None:
        pytest.skip("no writable memory cgroup here (cgroup v1 memory hierarchy or v2 with the "
                    "memory controller delegated)")
    yield group
    group.remove()


# Inside a private mount namespace: the cgroup shown at the place its hierarchy is mounted (as
# Docker shows a container its own cgroup), every cgroup mount read-only.
_CONTAINER_SH = r"""
set -e
group="$1"; hierarchy="$2"; shift 2
mount --bind "$group" "$hierarchy"
for m in $(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts); do
    mount -o remount,bind,ro "$m"
done
exec "$@"
"""


def _in_container(root: Path, group, timeout: float = 600) -> subprocess.CompletedProcess:
    procs = group.procs_file

    def enter() -> None:            # before exec: this process and all it starts
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    argv = ["unshare", "--mount", "--propagation", "private", "bash", "-c", _CONTAINER_SH,
            "container", group.path, os.path.dirname(group.path), str(root / "run_autograder")]
    return subprocess.run(argv, cwd=root, env=_env(root, KIT_SANDBOX_LEVEL="uid"),
                          capture_output=True, text=True, timeout=timeout, preexec_fn=enter)


def _peak_mb(group) -> int:
    for name in ("memory.peak", "memory.max_usage_in_bytes"):
        try:
            return int(Path(group.path, name).read_text()) // (1024 * 1024)
        except (OSError, ValueError):
            continue
    return -1


@pytest.mark.slow
def test_reference_in_a_one_gib_container(bundle, tmp_path, course, memory_cgroup):
    root = _unpack(bundle, tmp_path / "autograder")
    _submit(root, {f"{ex.module}.py": _solution(ex.id) for ex in course.exercises})
    run = _in_container(root, memory_cgroup)
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    print(f"reference in {CAP_MB} MB: {data['score']} / {course.max_points}, "
          f"{data['execution_time']} s, peak {_peak_mb(memory_cgroup)} MB")
    assert data["extra_data"]["isolation"]["level"] == "uid"
    assert not data["extra_data"]["isolation"]["memory_cgroup"]      # as in a container
    assert data["extra_data"]["memory_fitted"].startswith(
        f"this container has {CAP_MB} MB of memory: each process of a run may use 768 MB")
    assert data["score"] == pytest.approx(course.max_points), data["output"]
    assert 0 < _peak_mb(memory_cgroup) <= CAP_MB


HOG = ("\nimport multiprocessing\n\n\ndef _eat():\n    chunks = []\n    while True:\n"
       "        chunks.append(b'x' * (16 << 20))\n")


@pytest.mark.slow
def test_memory_hogs_lose_only_their_exercise(bundle, tmp_path, course, memory_cgroup):
    """p05_join allocates without bound in its call (one process); p02_concurrent starts four
    processes that each do (together far over the container's memory). The rest is the
    reference."""
    root = _unpack(bundle, tmp_path / "autograder")
    files: dict[str, str | Path] = {f"{ex.module}.py": _solution(ex.id)
                                    for ex in course.exercises}
    files["p05_join.py"] = HOG + "\n\ndef task(seconds):\n    pass\n\n\n" \
                                 "def run_and_wait(task, durations):\n    _eat()\n"
    files["p02_concurrent.py"] = HOG + (
        "\n\ndef task(seconds):\n    pass\n\n\ndef run_all(task, durations):\n"
        "    ps = [multiprocessing.Process(target=_eat) for _ in range(4)]\n"
        "    for p in ps:\n        p.start()\n    for p in ps:\n        p.join()\n")
    _submit(root, files)
    run = _in_container(root, memory_cgroup)
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    tests = _tests(data)
    failcnt = Path(memory_cgroup.path, "memory.failcnt")
    print(f"hogs in {CAP_MB} MB: {data['score']} / {course.max_points}, "
          f"{data['execution_time']} s, peak {_peak_mb(memory_cgroup)} MB, oom kills "
          f"{memory_cgroup.oom_kills()}, failcnt "
          f"{failcnt.read_text().strip() if failcnt.exists() else '-'}")
    for ex in course.exercises:
        got = [tests[(ex.id, c.id)] for c in ex.checks]
        if ex.id in ("p05_join", "p02_concurrent"):
            assert all(t["output"] for t in got if t["score"] < t["max_score"])
            assert sum(t["score"] for t in got) < ex.max_points
        else:
            assert sum(t["score"] for t in got) == pytest.approx(ex.max_points), \
                [t["output"] for t in got]
    hit = [t["output"] for (ex, _), t in tests.items() if ex == "p05_join"
           and t["score"] < t["max_score"]]
    assert any("MemoryError" in o and "it hit the sandbox's memory limit (768 MB per process)"
               in o for o in hit), hit
    assert 0 < _peak_mb(memory_cgroup) <= CAP_MB
