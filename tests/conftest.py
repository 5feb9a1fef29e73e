"""Shared fixtures for the kit's own tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import manifest
from grader.intake import take_in
from grader.sandbox import Sandbox

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
