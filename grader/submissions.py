"""Every submission named on the command line → (student id, source) pairs, with lateness.

A path is a plain submission, a folder or zip of them (grader.intake), or an LMS bulk download
(grader.lms_intake, which also says how late each student was). One student id given twice is
an error: submissions are never merged.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import intake, lms_intake
from .errors import GraderError
from .manifest import Course


def gather(paths: list[str], course: Course, staging: Path
           ) -> tuple[list[tuple[str, Path]], dict[str, dict]]:
    """Submissions from plain folders/zips and from LMS bulk downloads, with lateness."""
    subs: list[tuple[str, Path]] = []
    late: dict[str, dict] = {}
    plain: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.exists() and lms_intake.kind_of(path):
            for s in lms_intake.expand(path, course, staging):
                subs.append((s.student, s.source))
                late[s.student] = s.late
                for note in s.notes:            # e.g. a text entry instead of files
                    print(f"grader: note: {s.student} ({s.name}): {note}", file=sys.stderr)
        else:
            plain.append(path)
    if plain:
        subs.extend(intake.discover(plain, course))
    seen: set[str] = set()
    for student, source in subs:
        if student in seen:
            raise GraderError(f"two submissions for student {student!r} (one is {source}); "
                              f"they are never merged")
        seen.add(student)
    return subs, late
