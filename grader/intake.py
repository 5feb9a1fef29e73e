"""Submissions → Workspaces holding only the files course.yaml names.

A SUBMISSION is a folder laid out like `exercises/` (its name is the student id), a `.zip` of
one (its stem is the student id), or a folder of many of those. Nothing but the declared files
is ever copied: a `conftest.py`, a `time.py` or a `pytest.ini` in a submission never reaches
the grader or the sandbox. Problems with one submission (not a zip, a file missing, too large,
unsafe paths) are recorded on its Workspace and cost only what they must.
"""
from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import student_id
from .errors import SubmissionError
from .manifest import Course

MAX_FILE_BYTES = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000          # more entries than this: a zip bomb or not a submission
LMS_NOTE_SUFFIX = ".lms-note.txt"


@dataclass(frozen=True)
class Workspace:
    student: str
    root: Path                                   # a private folder with only declared files
    source: str
    missing: dict[str, str] = field(default_factory=dict)   # exercise id -> why it has no code
    problems: tuple[str, ...] = ()


def declared(course: Course) -> dict[str, str]:
    """Every declared file → its exercise id."""
    return {f: ex.id for ex in course.exercises for f in ex.files}


def looks_like_submission(path: Path, course: Course) -> bool:
    return any((path / ex.id).is_dir() for ex in course.exercises) or any(
        (path / f).is_file() for f in declared(course))


def discover(paths: list[Path], course: Course) -> list[tuple[str, Path]]:
    """(student id, source) for every submission under `paths`, refusing duplicate ids."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if not path.exists():
            raise SubmissionError(f"{path}: no such file or folder")
        if path.is_file():
            found.append((_student_id(path), path))
        elif looks_like_submission(path, course):
            found.append((student_id.clean(path.resolve().name), path))
        else:
            inner = sorted(p for p in path.iterdir()
                           if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".zip"))
            if not inner:
                raise SubmissionError(
                    f"{path}: neither a submission (no exercise folder such as "
                    f"{course.exercises[0].id}/ in it) nor a folder of submissions")
            found.extend((_student_id(p), p) for p in inner)
    seen: dict[str, Path] = {}
    for student, source in found:
        if student in seen:
            raise SubmissionError(
                f"two submissions for student {student!r}: {seen[student]} and {source} — "
                f"rename one or grade them separately; they are never merged")
        seen[student] = source
    return found


def _student_id(path: Path) -> str:
    """The student id a submission's name gives: printable, never a path (it names the
    student's folder of results)."""
    return student_id.clean(path.stem if path.suffix == ".zip" else path.name)


def lms_note_path(source: Path) -> Path:
    """Where grader.lms_intake leaves, one per line, what the student must be told about a
    submission it split out of an LMS download (a text entry or a URL instead of files): beside
    the staged submission, never inside it, so that nothing a student uploads can write it."""
    return source.with_name(source.name + LMS_NOTE_SUFFIX)


def write_lms_note(source: Path, messages: list[str]) -> None:
    path = lms_note_path(source)
    if messages:
        path.write_text("".join(m.replace("\n", " ") + "\n" for m in messages), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def _lms_notes(source: Path) -> list[str]:
    path = lms_note_path(source)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if line.strip()]


def take_in(student: str, source: Path, course: Course, dest: Path) -> Workspace:
    """Copy the declared files of `source` into `dest` (a fresh folder). What the LMS intake
    noted for the student (`lms_note_path`) comes first among the Workspace's problems."""
    dest.mkdir(parents=True, exist_ok=False)
    files = declared(course)
    problems: list[str] = _lms_notes(source)
    got: dict[str, bytes] = {}
    if source.is_dir():
        base = source.resolve()
        for rel in files:
            path = source / rel
            try:
                inside = path.resolve().is_relative_to(base)
            except (OSError, RuntimeError):          # a symlink loop
                inside = False
            if not inside:
                problems.append(f"{rel}: a symbolic link out of the submission; ignored")
                continue
            if path.is_file():
                data = _read_capped(path)
                if data is None:
                    problems.append(f"{rel}: larger than {MAX_FILE_BYTES // 1024} KiB; ignored")
                else:
                    got[rel] = data
    elif zipfile.is_zipfile(source):
        got, zip_problems = _from_zip(source, files)
        problems.extend(zip_problems)
    else:
        problems.append(f"{source.name} is not a folder or a zip file; nothing could be graded")
    for rel, data in got.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    missing: dict[str, str] = {}
    for ex in course.exercises:
        absent = [f for f in ex.files if f not in got]
        if absent:
            missing[ex.id] = "file missing: " + ", ".join(absent)
    return Workspace(student=student, root=dest, source=str(source), missing=missing,
                     problems=tuple(problems))


def _read_capped(path: Path) -> bytes | None:
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    return None if len(data) > MAX_FILE_BYTES else data


def _from_zip(source: Path, files: dict[str, str]) -> tuple[dict[str, bytes], list[str]]:
    """Declared files from a zip, found at its root or under one top folder. Entries are never
    extracted by name, so `../` paths, absolute paths and links cannot escape."""
    got: dict[str, bytes] = {}
    problems: list[str] = []
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return got, [f"{source.name}: {len(infos)} entries in the zip (at most "
                             f"{MAX_ZIP_ENTRIES}); nothing was taken from it"]
            for info in infos:
                name = PurePosixPath(info.filename.replace("\\", "/"))
                if info.is_dir():
                    continue
                parts = name.parts
                unsafe = (name.is_absolute() or ".." in parts or
                          (parts and len(parts[0]) == 2 and parts[0][1] == ":"))
                if unsafe:
                    problems.append(f"{info.filename!r}: a path outside the submission "
                                    f"(absolute or with ..); ignored")
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    problems.append(f"{info.filename!r}: a symbolic link; ignored")
                    continue
                rel = None
                for start in (0, 1):
                    candidate = "/".join(parts[start:])
                    if candidate in files:
                        rel = candidate
                        break
                if rel is None or rel in got:
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    problems.append(f"{rel}: larger than {MAX_FILE_BYTES // 1024} KiB; ignored")
                    continue
                try:
                    with zf.open(info) as f:
                        # never more than the cap is inflated, whatever the header claims
                        data = f.read(MAX_FILE_BYTES + 1)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError,
                        EOFError, zlib.error, ValueError) as exc:
                    problems.append(f"{rel}: cannot be read from the zip ({exc}); ignored")
                    continue
                if len(data) > MAX_FILE_BYTES:
                    problems.append(f"{rel}: larger than {MAX_FILE_BYTES // 1024} KiB; ignored")
                    continue
                got[rel] = data
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError,
            zlib.error, ValueError) as exc:
        problems.append(f"{source.name}: the zip file cannot be read ({exc})")
    return got, problems
