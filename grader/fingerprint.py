"""What a grade depends on, as hashes: a results file is up to date while both are unchanged.

* `course_fingerprint`: the grader's version, course.yaml and the hidden checks of the
  exercises graded.
* `workspace_fingerprint`: that, plus exactly the files taken from the submission (intake), what
  intake found missing or wrong, and what the LMS said about lateness.

Used by the batch (resume, regrade) and by the shard contract (merge refuses stale parts).
"""
from __future__ import annotations

import hashlib
import json

from . import __version__
from .intake import Workspace
from .manifest import CHECKS_DIR, Course


def course_fingerprint(course: Course, exercises: list[str] | None = None) -> str:
    """What grading depends on besides the submission: the grader, course.yaml, and the
    hidden checks of the exercises graded."""
    chosen = [e.id for e in course.exercises if exercises is None or e.id in exercises]
    h = hashlib.sha256(__version__.encode())
    h.update((course.root / "course.yaml").read_bytes())
    h.update(repr(chosen).encode())
    for ex_id in chosen:
        path = CHECKS_DIR / f"{ex_id}.py"
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def workspace_fingerprint(ws: Workspace, course_hash: str, late: dict) -> str:
    h = hashlib.sha256(course_hash.encode())
    for path in sorted(p for p in ws.root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(ws.root)).encode() + b"\0" + path.read_bytes())
    h.update(json.dumps([ws.missing, ws.problems, late], sort_keys=True).encode())
    return h.hexdigest()
