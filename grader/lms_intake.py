"""Bulk downloads from an LMS → one submission per student, plus what the LMS said about it.

**Canvas** "Download Submissions" (one zip, no folders), three forms, all from canvas-lms
`lib/content_zipper.rb` (`add_submission`, `get_filename`, `add_upload_submission`,
`add_text_or_url`): each student's prefix, then `_<attachment id>_<file name>` for each uploaded
file, `_text.html` for a text entry, `_link.html` for a URL.

* current: `[<name>_][LATE_]<user id>`, the name being the sortable name downcased with
  `_<digits>_` made `<digits>` (`sanitize_user_name`) and the whole prefix stripped of non-word
  characters (`sanitize_file_name`); with anonymous grading (`anonymize_students?`) there is no
  name and the id is `anon_<anonymous id>` (5 base58 characters, `lib/anonymity.rb`):
  `[LATE_]anon_<anonymous id>`;
* 2018 (`anonymous_grading` as a course feature): the same but the whole prefix downcased
  (`late_`), and an anonymous download has no name but the real user id;
* older: `<name>[-late]_<user id>`, spaces and punctuation made `-`.

Read as Canvas reads its own names back (`infer_comment_context_from_filename` in
`app/models/assignment.rb`, now `abstract_assignment.rb`): split on `_`; a download whose
entries all start `[LATE_]anon_` is anonymous (id, then attachment id); otherwise the first
token made only of digits is the user id (the name before it, a late mark beside it), then the
attachment id and the original file name, which may hold anything. A student who submitted a
text entry or a URL instead of files gets a note (for the instructor) and a message in their
own feedback, never someone else's files.

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
from .intake import MAX_FILE_BYTES, declared, write_lms_note
from .manifest import Course

# Canvas with anonymous grading: [LATE_]anon_<5 base58 characters>, then the entry's tail.
CANVAS_ANONYMOUS = re.compile(
    r"^(?:(?P<late>LATE|late)_)?anon_(?P<anon>[1-9A-HJ-NP-Za-km-z]{5})"
    r"_(?:(?P<attachment>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)$", re.DOTALL)
DIGITS = re.compile(r"^[0-9]+$")                  # Ruby's /^\d+$/: ASCII digits
OLD_LATE = re.compile(r"^(?P<name>.*)-late$", re.IGNORECASE)
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
    student: str         # the Canvas user id, or anon_<anonymous id>
    name: str            # as the download spells it; "" when anonymous
    late: bool
    file: str            # the original file name; "" for a text entry or URL
    other: str           # "text" | "link" | ""
    anonymous: bool


def canvas_entry(filename: str, anonymous: bool | None = None) -> CanvasEntry | None:
    """One entry of a Canvas download, or None when it is not named as Canvas names them.
    `anonymous`: the download is anonymous (True), is not (False), or unknown (None: an entry
    shaped like an anonymous one is taken as one)."""
    if anonymous is not False:
        m = CANVAS_ANONYMOUS.match(filename)
        if m is not None:
            return CanvasEntry(student=f"anon_{m['anon']}", name="", late=bool(m["late"]),
                               file=m["file"] or "", other=m["kind"] or "", anonymous=True)
        if anonymous:
            return None
    tokens = filename.split("_")
    at = next((i for i, t in enumerate(tokens) if DIGITS.match(t)), None)
    if at is None or at + 1 >= len(tokens):
        return None
    rest = tokens[at + 1:]
    if rest in (["text.html"], ["link.html"]):
        other, file = rest[0][:4], ""
    elif len(rest) >= 2 and DIGITS.match(rest[0]) and "_".join(rest[1:]):
        other, file = "", "_".join(rest[1:])
    else:
        return None
    head = tokens[:at]
    late = bool(head) and head[-1].lower() == "late"       # current LATE_, 2018 late_
    if late:
        head = head[:-1]
    name = "_".join(head)
    old = OLD_LATE.match(name) if not late else None         # older "<name>-late"
    if old:
        late, name = True, old["name"]
    return CanvasEntry(student=tokens[at], name=name, late=late, file=file, other=other,
                       anonymous=False)


def canvas_anonymous(names: list[str]) -> bool:
    """A download is anonymous when every entry is named [LATE_]anon_<anonymous id>_…"""
    return bool(names) and all(CANVAS_ANONYMOUS.match(n) for n in names)


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
    anonymous = canvas_anonymous(names)
    if all("/" not in n and canvas_entry(n, anonymous) for n in names):
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
    """For the instructor's terminal."""
    if not forms:
        return ()
    what = " and ".join(sorted(OTHER_FORM.get(f, f) for f in forms))
    if has_files:
        return (f"also submitted {what} in {lms}; only the uploaded files are graded",)
    return (f"submitted {what} in {lms}, not files: there is nothing to grade; ask for the "
            f"files as an upload",)


def student_message(lms: str, forms: set[str], has_files: bool, course: Course) -> str:
    """What the student reads at the top of their feedback (and in results.json's
    `problems`) when they submitted a text entry, a URL or online text instead of files."""
    if not forms:
        return ""
    what = " and ".join(sorted(OTHER_FORM.get(f, f) for f in forms))
    if has_files:
        return (f"You also submitted {what} in {lms}. It was not graded: only your uploaded "
                f"files were. Anything you want graded must be in the exercise files.")
    example = next(iter(declared(course)), "")
    return (f"Your {lms} submission was {what}, not files, so it was not graded: the grader "
            f"reads only the exercise files (for example {example}). Submit your work again "
            f"in {lms} as a file upload (the .py files, or a zip of your exercises folder), "
            f"or ask your instructor.")


def _staged(files: dict[str, bytes], course: Course, target: Path, lms: str,
            forms: set[str]) -> Path:
    """The student's files laid out, with what they must be told beside them."""
    source = _place(files, course, target)
    message = student_message(lms, forms, bool(files), course)
    write_lms_note(source, [message] if message else [])
    return source


def _canvas(path: Path, course: Course, staging: Path) -> list[LmsSubmission]:
    students: dict[str, dict] = {}
    with zipfile.ZipFile(path) as zf:
        anonymous = canvas_anonymous([i.filename for i in zf.infolist() if not i.is_dir()])
        for info in zf.infolist():
            e = canvas_entry(info.filename, anonymous)
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
                          source=_staged(s["files"], course, staging / "canvas" / user,
                                         "Canvas", s["other"]),
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
                          source=_staged(s["files"], course, staging / "moodle" / pid,
                                         "Moodle", s["other"]),
                          notes=_other_form_note("Moodle", s["other"], bool(s["files"])))
            for pid, s in sorted(students.items())]
