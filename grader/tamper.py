"""Tamper evidence: the files that decide a grade must be the same at the end of a batch as at
its start.

A batch grades with course.yaml, the hidden checks, the solutions, the grader's own modules and
the probe (`_kit`). At a strong sandbox level the student's code cannot reach any of them; at
the weak "session" level (an explicit opt-in) it could rewrite them, and the students graded
after it would be graded by the rewritten files. So the batch takes a `Guard` (a digest of
every such file) before it starts; each worker checks it before it grades and again before it
writes a result, and the batch checks it before it writes the gradebook. A difference is never
graded through: the error names the files that changed.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import _kit

from .errors import TamperError
from .manifest import Course

GRADER_DIR = Path(__file__).resolve().parent
KIT_DIR = Path(_kit.__file__).resolve().parent


def guarded_files(course: Course) -> list[Path]:
    """course.yaml, the grader's package (hidden checks included), the probe, the solutions."""
    files = [course.root / "course.yaml"]
    for folder in (GRADER_DIR, KIT_DIR, course.root / "solutions"):
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*")
                         if p.is_file() and "__pycache__" not in p.parts)
    return sorted(set(files))


@dataclass(frozen=True)
class Guard:
    digests: tuple[tuple[str, str], ...]     # (path, sha256), sorted by path

    @classmethod
    def take(cls, course: Course) -> Guard:
        return cls(tuple((str(p), _sha256(p)) for p in guarded_files(course)))

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for path, digest in self.digests:
            h.update(f"{path}\0{digest}\n".encode())
        return h.hexdigest()

    def changed(self, course: Course) -> list[str]:
        """The guarded files that differ now (changed, added or removed)."""
        now = dict(Guard.take(course).digests)
        before = dict(self.digests)
        return sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))

    def verify(self, course: Course, before: str) -> None:
        """Raise TamperError naming what changed since the guard was taken, `before` what."""
        changed = self.changed(course)
        if changed:
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more"
                                              if len(changed) > 5 else "")
            raise TamperError(
                f"files that decide grades changed during the batch ({shown}); refusing "
                f"{before}. Restore them (git checkout / reinstall the kit), then grade again; "
                f"a strong sandbox level (bubblewrap) stops submissions from doing this")


def verify_digest(course: Course, expected: str, before: str) -> None:
    """For a worker given only the batch's digest: raise TamperError if the files differ."""
    if Guard.take(course).digest != expected:
        raise TamperError(
            f"files that decide grades (course.yaml, the grader, its hidden checks, the "
            f"solutions) changed since the batch started; refusing {before}. Restore them, "
            f"then grade again")


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
