"""Shared fixtures for the kit's own tests."""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import time
from pathlib import Path

import pytest

from grader import manifest
from grader.intake import take_in
from grader.sandbox import Sandbox

from .lanes import pytest_collection_modifyitems  # noqa: F401 - the fast lane's slow marks

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def course() -> manifest.Course:
    return manifest.load(ROOT / "course.yaml")


@pytest.fixture(scope="session")
def sandbox(course: manifest.Course) -> Sandbox:
    return Sandbox(course.limits, course.root)


def submission_with(tmp: Path, files: dict[str, str | Path]) -> Path:
    """A submission folder holding `files` (relative path -> text or a file to copy)."""
    root = tmp / "submission"
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content, encoding="utf-8")
    return root


def workspace(course: manifest.Course, source: Path, tmp: Path, student: str = "student"):
    return take_in(student, source, course, tmp / "ws")


# --- issue 5: after the whole suite, no process it started may still be alive ---------------
# Every sandboxed run carries KIT_TEST_SESSION=<token> in its environment (the launcher passes
# it through), so leftovers are found even when they left the process tree; the pytest
# process's own descendants are checked too.
_SESSION_TOKEN = f"kit-tests-{os.getpid()}-{secrets.token_hex(4)}"
os.environ.setdefault("KIT_TEST_SESSION", _SESSION_TOKEN)


def _leftovers() -> dict[int, str]:
    from _kit import procfs
    marker = f"KIT_TEST_SESSION={os.environ['KIT_TEST_SESSION']}".encode()
    me = os.getpid()
    found = {p.pid: p.cmdline or p.comm for p in procfs.descendants(me) if p.state != "Z"}
    for pid in procfs.with_marker(marker):
        p = procfs.read(pid)
        if p is not None and p.state != "Z" and pid != me:
            found[pid] = p.cmdline or p.comm
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Checked once, by the process that ran the session (the xdist controller, after its
    workers have gone): a worker must never judge, or kill, its sibling still running tests."""
    if hasattr(session.config, "workerinput"):
        return
    deadline = time.monotonic() + 10
    left = _leftovers()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = _leftovers()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if left:
        session.config.get_terminal_writer().line(
            f"processes started by the test suite were still alive (killed now): {left}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
