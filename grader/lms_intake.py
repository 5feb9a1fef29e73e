"""Bulk downloads from an LMS → one submission per student, plus what the LMS said about it.

**Canvas** "Download Submissions" (one zip, no folders). canvas-lms `lib/content_zipper.rb`
names each entry, since 2018, `[<name>_][LATE_]<user id>` then `_<attachment id>_<file name>`
for an upload, `_text.html` for a text entry, `_link.html` for a URL, the whole name passed
through `gsub(/[^[[:word:]]]/, '').downcase` (so `late`, and a name may hold `_` and letters
of any script, but never `_<digits>_`: Canvas removes those so that the ids can be found);
before 2018 it was `<name>[-late]_<user id>…` with `-` for spaces and punctuation. When
anonymous grading hides the names the name part is absent and the id is the one Canvas shows
(an anonymous id). So an entry is read from the FIRST `_<digits>_` on: the user id, then the
attachment id and the original file name (which may hold anything). A student who submitted a
text entry or a URL instead of files gets a note, never someone else's files.

**Moodle** "Download all submissions": `<Full Name>_<participant id>_assignsubmission_file_/…`
(folders, Moodle < 4.1), `…_assignsubmission_file/…` (folders, Moodle ≥ 4.1), or, with
"Download submissions in folders" off, flat files `…_assignsubmission_file_<file name>`. The
name part never holds `_` (Moodle replaces it with a space). Other submission plugins (online
text) are noted, not graded. The student id is the participant id.

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

# Canvas, read from the first "_<digits>_": name (optional), late marker, id, the rest.
CANVAS_NAMED = re.compile(
    r"^(?!late_\d)(?P<name>.*?[^\W\d_][\w-]*?)(?:[-_](?P<late>late))?_(?P<user>\d+)"
    r"_(?:(?P<attachment>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)$",
    re.IGNORECASE | re.DOTALL)
CANVAS_ANONYMOUS = re.compile(
    r"^(?:(?P<late>late)_)?(?P<user>[0-9a-z]+)"
    r"_(?:(?P<attachment>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)$",
    re.IGNORECASE | re.DOTALL)
MOODLE_FOLDER = re.compile(
    r"^(?P<name>.+?)_(?P<participant>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_?$")
MOODLE_FLAT = re.compile(
    r"^(?P<name>[^_]+?)_(?P<participant>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)"
    r"_(?P<file>.+)$", re.DOTALL)
RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)(?P<ext>\.[^.]+)$")
OTHER_FORM = {"text": "a text entry", "link": "a URL", "onlinetext": "online text"}


@dataclass
class LmsSubmission:
    student: str
    name: str
    source: Path
    late: dict = field(default_factory=dict)     # {"marked_late": True} or {}
    notes: tuple[str, ...] = ()                  # e.g. submitted a text entry, not files


@dataclass(frozen=True)
class CanvasEntry:
    student: str
    name: str
    late: bool
    file: str            # the original file name; "" for a text entry or URL
    other: str           # "text" | "link" | ""
    anonymous: bool


def canvas_entry(filename: str) -> CanvasEntry | None:
    """One entry of a Canvas download, or None when it is not named as Canvas names them."""
    m = CANVAS_NAMED.match(filename)
    anonymous = False
    if m is None:
        m = CANVAS_ANONYMOUS.match(filename)
        anonymous = True
    if m is None:
        return None
    return CanvasEntry(student=m["user"], name="" if anonymous else m["name"],
                       late=bool(m["late"]), file=m["file"] or "", other=(m["kind"] or "").lower(),
                       anonymous=anonymous)


def moodle_entry(path: str) -> tuple[str, str, str, str] | None:
    """(participant id, name, plugin, file name) of a Moodle download entry, or None."""
    parts = PurePosixPath(path).parts
    if len(parts) > 1:
        m = MOODLE_FOLDER.match(parts[0])
        if m:
            return m["participant"], m["name"], m["plugin"], parts[-1]
        return None
    m = MOODLE_FLAT.match(parts[0]) if parts else None
    if m:
        return m["participant"], m["name"], m["plugin"], m["file"]
    return None


def kind_of(path: Path) -> str | None:
    """"canvas", "moodle", or None for anything else (a plain submission or class folder)."""
    if path.is_dir():
        entries = [p for p in path.iterdir() if not p.name.startswith(".")]
        if entries and all((p.is_dir() and MOODLE_FOLDER.match(p.name))
                           or (p.is_file() and MOODLE_FLAT.match(p.name)) for p in entries):
            return "moodle"
        return None
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
    if not names:
        return None
    if all(moodle_entry(n) for n in names):
        return "moodle"
    if all("/" not in n and canvas_entry(n) for n in names):
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


def _other_form_note(lms: str, forms: set[str], has_files: bool) -> tuple[str, ...]:
    if not forms:
        return ()
    what = " and ".join(sorted(OTHER_FORM.get(f, f) for f in forms))
    if has_files:
        return (f"also submitted {what} in {lms}; only the uploaded files are graded",)
    return (f"submitted {what} in {lms}, not files: there is nothing to grade; ask for the "
            f"files as an upload",)


def _canvas(path: Path, course: Course, staging: Path) -> list[LmsSubmission]:
    students: dict[str, dict] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            e = canvas_entry(info.filename)
            if e is None or info.is_dir():
                continue
            s = students.setdefault(e.student, {"name": e.name, "files": {}, "late": False,
                                                "other": set(), "anonymous": e.anonymous})
            s["late"] |= e.late
            if e.other:
                s["other"].add(e.other)
                continue
            data = _read(zf, info)
            if data is not None:
                s["files"][e.file] = data
    return [LmsSubmission(student=user, name=s["name"],
                          source=_place(s["files"], course, staging / "canvas" / user),
                          late={"marked_late": True} if s["late"] else {},
                          notes=_other_form_note("Canvas", s["other"], bool(s["files"])))
            for user, s in sorted(students.items())]


def _moodle(path: Path, course: Course, staging: Path) -> list[LmsSubmission]:
    students: dict[str, dict] = {}

    def add(entry: str, data: bytes | None) -> None:
        found = moodle_entry(entry)
        if not found:
            return
        participant, name, plugin, filename = found
        s = students.setdefault(participant, {"name": name, "files": {}, "other": set()})
        if plugin != "file":
            s["other"].add(plugin)
        elif data is not None:
            s["files"][PurePosixPath(filename).name] = data

    if path.is_dir():
        for f in sorted(path.rglob("*")):
            if f.is_file() and not f.is_symlink() and f.stat().st_size <= 16 * MAX_FILE_BYTES:
                add(f.relative_to(path).as_posix(), f.read_bytes())
    else:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    add(info.filename, _read(zf, info))
    return [LmsSubmission(student=pid, name=s["name"],
                          source=_place(s["files"], course, staging / "moodle" / pid),
                          notes=_other_form_note("Moodle", s["other"], bool(s["files"])))
            for pid, s in sorted(students.items())]
