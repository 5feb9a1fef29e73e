"""The hostile corpus (tests/hostile/, expectations in tests/hostile/expected.yaml): every
attack or fault, graded like a real submission of p05_join, at every sandbox level this
machine has. For each: grading ends within the fixture's bound, exactly the expected checks
fail with a reason that says what happened, no process of the submission is alive afterwards,
and the grader's files and another student's results are untouched.

The course is a variant of course.yaml with small limits (see HOSTILE_LIMITS) so that bombs
and hogs end fast on a loaded 2-core machine.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path

import pytest
import yaml

from _kit import procfs
from grader import manifest
from grader import sandbox as sandbox_mod
from grader.grading import grade_workspace
from grader.intake import take_in
from grader.sandbox import Sandbox

from .conftest import ROOT

CORPUS = ROOT / "tests" / "hostile"
EXPECT: dict = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
CHECKS = ["all_tasks_done", "overlap", "wall_time", "own_processes", "reaped"]
HOSTILE_LIMITS = {"memory_mb": 256, "run_memory_mb": 512, "processes": 32, "cpu_seconds": 10,
                  "output_kb": 256, "file_mb": 8, "open_files": 64}
CHECK_TIMEOUT = 6
# The levels that hide the course and the network: root's and the ordinary user's.
STRONG = ["namespaces", "userns"]
# Files a submission must never change: the grader's hidden checks and the solutions.
GUARDED = [ROOT / "grader/checks/p05_join.py", ROOT / "solutions/p05_join/p05_join.py"]


def write_course(folder: Path) -> manifest.Course:
    """course.yaml with only p05_join, small limits and short check timeouts."""
    real = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    real["defaults"]["limits"] = dict(HOSTILE_LIMITS)
    real["defaults"]["timeout"] = CHECK_TIMEOUT
    real["exercises"] = [e for e in real["exercises"] if e["id"] == "p05_join"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(yaml.safe_dump(real), encoding="utf-8")
    return manifest.load(folder / "course.yaml")


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory: pytest.TempPathFactory) -> manifest.Course:
    return write_course(tmp_path_factory.mktemp("hostile-course"))


def isolation(level: str) -> sandbox_mod.Isolation:
    """The sandbox at `level`: "namespaces" (root), "userns" (bubblewrap, what an ordinary
    user gets; forced with KIT_SANDBOX_LEVEL when the tests run as root) or "session"."""
    if level == "namespaces":
        iso = sandbox_mod.detect()
        if iso.level != "namespaces":
            pytest.skip(f"namespaces are not available here: {'; '.join(iso.lacking)}")
        return iso
    old = os.environ.get("KIT_SANDBOX_LEVEL")
    os.environ["KIT_SANDBOX_LEVEL"] = level
    try:
        iso = sandbox_mod.detect.__wrapped__()
        if iso.level != level:
            pytest.skip(f"the {level} level is not available here: {'; '.join(iso.lacking)}")
        return iso
    finally:
        if old is None:
            del os.environ["KIT_SANDBOX_LEVEL"]
        else:
            os.environ["KIT_SANDBOX_LEVEL"] = old


def cases() -> list:
    """Attacks on the sandbox itself (`levels: both`) run at both levels; attacks on the probe
    (identical at every level) run once, at the best level this machine has ("best")."""
    out = []
    for name, spec in EXPECT.items():
        levels = STRONG if spec.get("needs") == "namespaces" else \
            [*STRONG, "uid", "session"] if spec.get("levels") == "both" else ["best"]
        out.extend(pytest.param(name, level, id=f"{name}-{level}") for level in levels)
    return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def survivors(token: str) -> list[int]:
    """Processes that took the fixture's name (its children inherit it)."""
    found = []
    for pid, p in procfs.snapshot().items():
        if p.comm == token and p.state != "Z":
            found.append(pid)
    return found


def expected_fails(spec: dict, level: str) -> set[str]:
    fails = spec.get(f"fails_{level}", spec.get("fails", []))
    return set(CHECKS) if fails == "all" else set(fails)


def grade_fixture(name: str, course: manifest.Course, box: Sandbox, tmp: Path,
                  token: str, out: Path):
    spec = EXPECT[name]
    text = (CORPUS / f"{name}.py").read_text(encoding="utf-8")
    text = (text.replace("__TOKEN__", token).replace("__COURSE_ROOT__", str(ROOT))
            .replace("__OUT_DIR__", str(out)))
    sub = tmp / "submission"
    (sub / "p05_join").mkdir(parents=True)
    (sub / "p05_join" / "p05_join.py").write_text(text, encoding="utf-8")
    for rel, content in (spec.get("extra") or {}).items():
        (sub / rel).parent.mkdir(parents=True, exist_ok=True)
        (sub / rel).write_text(content, encoding="utf-8")
    ws = take_in("hostile", sub, course, tmp / "ws")
    assert sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*") if p.is_file()) \
        == ["p05_join/p05_join.py"], "intake took undeclared files"
    return grade_workspace(course, ws, box)


@pytest.mark.parametrize("name,level", cases())
def test_hostile(name: str, level: str, hostile_course: manifest.Course, tmp_path: Path) -> None:
    spec = EXPECT[name]
    iso = sandbox_mod.detect() if level == "best" else isolation(level)
    level = iso.level
    if spec.get("needs") == "pids_cgroup" and not iso.pids_cgroup and os.geteuid() == 0:
        pytest.skip("as root without a pids cgroup, nothing bounds the number of processes")
    if spec.get("needs") == "memory_cgroup" and not iso.memory_cgroup:
        pytest.skip("without a memory cgroup, memory is bounded per process only")
    box = Sandbox(hostile_course.limits, ROOT, isolation=iso)
    token = "hx" + secrets.token_hex(6)
    out = tmp_path / "out"
    (out / "other-student").mkdir(parents=True)
    other = out / "other-student" / "results.json"
    other.write_text('{"score": 3.0}', encoding="utf-8")
    before = {p: _digest(p) for p in [*GUARDED, other]}

    t0 = time.monotonic()
    result = grade_fixture(name, hostile_course, box, tmp_path, token, out)
    elapsed = time.monotonic() - t0

    verdict = "\n".join(f"  {c.check}: {c.status} — {c.message}" for c in result.checks)
    assert not result.grader_errors, f"grader errors:\n{verdict}"
    failed = {c.check for c in result.checks if c.status != "passed"}
    assert failed == expected_fails(spec, level), f"{name} at {level}:\n{verdict}"
    assert all(c.score == 0 for c in result.checks if c.check in failed)
    says = spec.get(f"says_{level}", spec.get("says", {})) or {}
    for check, words in says.items():
        msg = next(c.message for c in result.checks if c.check == check)
        for word in [words] if isinstance(words, str) else words:
            assert word.lower() in msg.lower(), f"{check}: {word!r} not in {msg!r}"
    assert elapsed < spec["bound"], f"{name} took {elapsed:.1f} s (bound {spec['bound']} s)"
    assert result.isolation["level"] == level

    deadline = time.monotonic() + 2
    while survivors(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not survivors(token), f"processes of {name} still alive: {survivors(token)}"
    assert {p: _digest(p) for p in before} == before, "a guarded file changed"
    assert not (out / token).exists() and not Path("/tmp", token).exists(), \
        "the submission wrote outside its workspace"
