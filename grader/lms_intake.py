"""Bulk downloads from an LMS → one submission per student, plus what the LMS said about it.

* **Canvas** "Download Submissions": one zip; every file inside is named
  `<name>_[LATE_]<user id>_<attachment id>_<original file name>` (the `LATE` mark, in any
  case, on late submissions; a resubmitted file's original name gets `-1`, `-2`, … before its
  extension). The student id is the Canvas user id.
* **Moodle** "Download all submissions": one zip (or its extracted folder) with one folder per
  participant, `<Full Name>_<participant id>_assignsubmission_file_` (other submission
  plugins, e.g. `_assignsubmission_onlinetext_`, are ignored). The student id is the
  participant id.

A student's upload may be a zip of their exercises folder or loose `.py` files; loose files
are placed by their name (each declared file's name is unique in the course).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import SubmissionError
from .intake import MAX_FILE_BYTES, declared
from .manifest import Course

CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?P<late>late_)?(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$",
                    re.IGNORECASE)
MOODLE = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_$")
RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)(?P<ext>\.[^.]+)$")


@dataclass
class LmsSubmission:
    student: str
    name: str
    source: Path
    late: dict = field(default_factory=dict)     # {"marked_late": True} or {}


def kind_of(path: Path) -> str | None:
    """"canvas", "moodle", or None for anything else (a plain submission or class folder)."""
    if path.is_dir():
        subs = [p.name for p in path.iterdir() if p.is_dir()]
        return "moodle" if subs and all(MOODLE.match(s) for s in subs) else None
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
    if not names:
        return None
    if all(MOODLE.match(PurePosixPath(n).parts[0]) for n in names if len(PurePosixPath(n).parts) > 1) \
            and all(len(PurePosixPath(n).parts) > 1 for n in names):
        return "moodle"
    if all("/" not in n and CANVAS.match(n) for n in names):
        return "canvas"
    return None


def expand(path: Path, course: Course, staging: Path) -> list[LmsSubmission]:
    kind = kind_of(path)
    if kind == "canvas":
        return _canvas(path, course, staging)
    if kind == "moodle":
        return _moodle(path, course, staging)
    raise SubmissionError(f"{path}: not a Canvas or Moodle bulk download")


def _place(files: dict[str, bytes], course: Course, target: Path) -> Path:
    """Lay a student's uploads out like exercises/: a lone zip is the submission itself;
    loose files go where the declared file of the same name goes."""
    target.mkdir(parents=True, exist_ok=True)
    zips = [n for n in files if n.lower().endswith(".zip")]
    if len(zips) == 1 and len(files) == 1:
        out = target.with_suffix(".zip")
        out.write_bytes(files[zips[0]])
        return out
    by_name = {PurePosixPath(rel).name: rel for rel in declared(course)}
    best: dict[str, tuple[int, bytes]] = {}
    for name, data in files.items():
        base, version = name, 0
        m = RESUBMITTED.match(name)
        if m and m["stem"] + m["ext"] in by_name:
            base, version = m["stem"] + m["ext"], int(m["n"])
        if base in by_name and version >= best.get(base, (-1, b""))[0]:
            best[base] = (version, data)
    for base, (_, data) in best.items():
        dest = target / by_name[base]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return target


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    if info.file_size > 16 * MAX_FILE_BYTES:
        return None
    with zf.open(info) as f:
        data = f.read(16 * MAX_FILE_BYTES + 1)
    return None if len(data) > 16 * MAX_FILE_BYTES else data


def _canvas(path: Path, course: Course, staging: Path) -> list[LmsSubmission]:
    students: dict[str, dict] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            m = CANVAS.match(info.filename)
            if not m or info.is_dir():
                continue
            entry = students.setdefault(m["user"], {"name": m["name"], "files": {}, "late": False})
            entry["late"] |= bool(m["late"])
            data = _read(zf, info)
            if data is not None:
                entry["files"][m["file"]] = data
    return [LmsSubmission(student=user, name=e["name"],
                          source=_place(e["files"], course, staging / "canvas" / user),
                          late={"marked_late": True} if e["late"] else {})
            for user, e in sorted(students.items())]


def _moodle(path: Path, course: Course, staging: Path) -> list[LmsSubmission]:
    students: dict[str, dict] = {}

    def add(folder: str, name: str, data: bytes | None) -> None:
        m = MOODLE.match(folder)
        if not m or m["plugin"] != "file" or data is None:
            return
        entry = students.setdefault(m["participant"], {"name": m["name"], "files": {}})
        entry["files"][PurePosixPath(name).name] = data

    if path.is_dir():
        for folder in path.iterdir():
            for f in folder.rglob("*") if folder.is_dir() else ():
                if f.is_file() and not f.is_symlink() and f.stat().st_size <= 16 * MAX_FILE_BYTES:
                    add(folder.name, f.name, f.read_bytes())
    else:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                parts = PurePosixPath(info.filename).parts
                if len(parts) > 1 and not info.is_dir():
                    add(parts[0], parts[-1], _read(zf, info))
    return [LmsSubmission(student=pid, name=e["name"],
                          source=_place(e["files"], course, staging / "moodle" / pid))
            for pid, e in sorted(students.items())]
