"""Student ids and the folders of results they get: one place for both rules.

* `clean(name)` turns a submission's name (folder, zip stem, LMS user) into the student id: any
  printable text, never a path. The id is what the gradebook, the roster and the LMS files show.
* `folder_name(student)` is the id made safe as one folder name on every filesystem (letters,
  digits and `._@+-`; anything else becomes `_`).
* `assign_folders(students)` gives every student of a class a distinct folder. Two ids that make
  the same folder name (`ann smith` and `ann_smith`) are a collision: an id already safe keeps the
  plain name, every other one gets a suffix from a hash of its own id (`ann_smith-3f9a1c`), so the
  folder of a student never depends on who else is in the class, and the collision is reported
  naming both ids.

It imports only `errors` from the grader: every stage may use it.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import SubmissionError

UNNAMED = "unnamed"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")
SUFFIX_CHARS = 6


def clean(name: str) -> str:
    """The student id a submission's name gives: printable, never a path."""
    # undecodable bytes in the name (surrogate escapes) become U+FFFD: ids go into JSON/CSV
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in name).strip()
    if name in ("", ".", ".."):
        return UNNAMED
    return name


def folder_name(student: str) -> str:
    """`student` as one safe folder name; distinct ids may give the same name (see
    `assign_folders`)."""
    return _UNSAFE.sub("_", student).strip(".") or UNNAMED


def suffixed(student: str) -> str:
    """The folder of a student whose folder name another student's id also makes."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{folder_name(student)}-{digest[:SUFFIX_CHARS]}"


@dataclass(frozen=True)
class Collision:
    folder: str                     # the folder name the ids share
    students: tuple[str, ...]       # sorted
    folders: tuple[str, ...]        # the folder each of `students` got, in the same order

    @property
    def message(self) -> str:
        given = ", ".join(f"{s!r} → {f}/" for s, f in zip(self.students, self.folders, strict=True))
        return (f"students {' and '.join(repr(s) for s in self.students)} would share the "
                f"results folder {self.folder}/; each gets its own: {given}")


@dataclass(frozen=True)
class Folders:
    by_student: dict[str, str]
    collisions: tuple[Collision, ...] = ()

    def __getitem__(self, student: str) -> str:
        return self.by_student[student]


def assign_folders(students: Iterable[str]) -> Folders:
    """A distinct results folder for every student id in `students` (duplicates ignored)."""
    groups: dict[str, list[str]] = {}
    for student in dict.fromkeys(students):
        groups.setdefault(folder_name(student), []).append(student)
    by_student: dict[str, str] = {}
    collisions: list[Collision] = []
    for name, members in groups.items():
        if len(members) == 1:
            by_student[members[0]] = name
            continue
        members.sort()
        got = [name if s == name else suffixed(s) for s in members]
        by_student.update(zip(members, got, strict=True))
        collisions.append(Collision(name, tuple(members), tuple(got)))
    taken: dict[str, str] = {}
    for student, folder in by_student.items():
        if folder in taken:         # `ann_smith-3f9a1c` submitted as an id of its own
            raise SubmissionError(f"students {taken[folder]!r} and {student!r} both need the "
                             f"results folder {folder}/; rename one of the submissions")
        taken[folder] = student
    return Folders(by_student, tuple(collisions))
