"""The class report renders in headless Chromium (installed by .ci/run in CI)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from grader import report, results

from .test_feedback import make_result

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium(*args: str, profile) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="Chromium is not installed (.ci/run installs it in CI)")
def test_the_class_report_renders_in_headless_chromium(course, tmp_path):
    assert CHROMIUM, "Chromium must be installed in CI (.ci/run installs it)"
    for student in ("ana", "ben", "cy"):
        results.save(make_result(student), tmp_path / "graded" / student / "results.json")
    page = report.write(course, tmp_path / "graded")
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "class report" in dom.stdout and dom.stdout.count("<svg") >= 2
    assert dom.stdout.count("feedback.html") == 3
    shot = tmp_path / "report.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1100,1400", page.as_uri(),
                    profile=tmp_path / "profile")
    assert done.returncode == 0 and shot.stat().st_size > 10_000, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
