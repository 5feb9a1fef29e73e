"""Student-facing text on Gradescope: short, readable, and never the course's hidden files.

Every `output` of the Gradescope results.json goes through `StudentText.clean`:

* text of the hidden files (grader/checks/*.py, course.yaml) is removed line by line: a line
  of output that contains a line of theirs (code, comment or docstring; whitespace squashed;
  at least MIN_LINE characters with a few letters) is replaced by a note. Lines that are also in the kit's public files or the student's own
  upload are not secret. The sandbox is what keeps the student's code from reading the course
  at all; this is the second layer, for the levels where it cannot (a container without user
  namespaces). Text the student's code transforms (encodes, reverses) is not recognised;
* Python reprs are shortened (`<concurrent.futures._base.Future object at 0x7f…>` becomes
  `<Future>`), and a repr a check cut off in the middle ends with `…` instead of half a word;
* the message of an exception the student's code raised is cut to EXCEPTION_CHARS, lines
  longer than LINE_CHARS and outputs longer than OUTPUT_CHARS are cut, all at a word
  boundary; control characters (terminal escapes) are dropped.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MIN_LINE = 16               # shorter lines of hidden code are too common to recognise
LINE_CHARS = 800
OUTPUT_CHARS = 3000
EXCEPTION_CHARS = 300       # of an exception message the student's code wrote
REMOVED = "[{n} line{s} holding text of the course's hidden files removed]"

_WS = re.compile(r"\s+")
_RAISED = re.compile(r"(?:your code raised|importing your module failed with) [\w.]+: ")
_TRACEBACK_LINE = re.compile(r"\n[^\n]*\.py:\d+ in [^\n]*")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# <pkg.mod.Name object: <pkg.mod.Name object at 0x…>> (the kit's Opaque around a repr)
_NESTED = re.compile(r"<(?:[\w.]+\.)?(\w+) object: <(?:[\w.]+\.)?\w+ object at 0x[0-9a-fA-F]+>>")
_PLAIN = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")
_OPAQUE = re.compile(r"<(?:[\w.]+\.)?(\w+) object: [^<>]{0,80}>")
# the same, cut before its closing '>' (a check shortened the list's repr to N characters)
_CUT = re.compile(r"<(?:(?:\w+\.)+\w*|\w+ obj\w*)(?: \w*)?(?:: <?[\w.]*(?: \w*)?)?"
                  r"(?: at 0x[0-9a-fA-F]*)?(?![\w>])")


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _significant(line: str) -> bool:
    return len(line) >= MIN_LINE and sum(ch.isalpha() for ch in line) >= 6


def _secret_lines(text: str) -> set[str]:
    """The lines of a hidden file worth recognising: each physical line, whitespace squashed,
    its text without a comment's '#' or a docstring's quotes, its code apart from a trailing
    comment, when long enough (MIN_LINE characters, a few letters) to be recognised safely."""
    out: set[str] = set()
    for raw in text.splitlines():
        line = _squash(raw)
        bare = line.lstrip("#").strip()
        for quotes in ('"""', "'''"):        # a docstring's first or last line
            bare = bare.removeprefix(quotes).removesuffix(quotes)
        parts = {line, _squash(bare), _squash(raw.split("  #")[0])}
        out |= {part for part in parts if _significant(part)}
    return out


@dataclass(frozen=True)
class StudentText:
    hidden: frozenset[str]                      # lines of hidden code (squashed)
    renames: tuple[tuple[str, str], ...] = ()   # (path in course.yaml, path the student uploaded)

    @classmethod
    def build(cls, hidden_files: Iterable[Path], public_files: Iterable[Path] = (),
              renames: dict[str, str] | None = None) -> StudentText:
        secret: set[str] = set()
        public: set[str] = set()
        for path in hidden_files:
            try:
                secret |= _secret_lines(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
        for path in public_files:
            try:
                public |= {_squash(x) for x in
                           path.read_text(encoding="utf-8", errors="replace").splitlines()}
            except OSError:
                continue
        return cls(frozenset(secret - public), tuple(sorted((renames or {}).items())))

    @functools.cached_property
    def _index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for line in self.hidden:
            index.setdefault(line[:MIN_LINE], []).append(line)
        return index

    def leaks(self, line: str) -> bool:
        text = _squash(line)
        index = self._index
        for i in range(len(text) - MIN_LINE + 1):
            for candidate in index.get(text[i:i + MIN_LINE], ()):
                # the whole line, or its beginning where the output was cut short
                if text.startswith(candidate, i) or candidate.startswith(text[i:]):
                    return True
        return False

    def clean(self, text: str, trusted: bool = False) -> str:
        """`text` for the student. `trusted`: written by the kit itself from what it knows
        (not from a run of the student's code), so it is only tidied, never masked."""
        text = _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n")))
        for declared, uploaded in self.renames:
            text = text.replace(declared, uploaded)
        if not trusted:
            text = short_exceptions(text)
        lines: list[str | None] = []        # None: a line that was removed
        for line in text.split("\n"):
            if not trusted and self.leaks(line):
                lines.append(None)
            else:
                lines.append(line if trusted else shorten(tidy_reprs(line), LINE_CHARS))
        return shorten("\n".join(_merge_removed(lines)), OUTPUT_CHARS * (4 if trusted else 1))


def _merge_removed(lines: list[str | None]) -> list[str]:
    """Each run of removed lines (with the short lines between them) becomes one note."""
    out: list[str] = []
    run: list[str | None] = []

    def flush() -> None:
        removed = sum(x is None for x in run)
        if removed:
            out.append(REMOVED.format(n=removed, s="" if removed == 1 else "s"))
        else:
            out.extend(x for x in run if x is not None)
        run.clear()
    for line in lines:
        if line is None or (run and not _significant(_squash(line))):
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return out


def short_exceptions(text: str) -> str:
    """The message of an exception the student's code raised, at most EXCEPTION_CHARS: up to
    the traceback that follows it, or its first line when none does."""
    out, pos = [], 0
    for m in _RAISED.finditer(text):
        if m.start() < pos:
            continue
        tb = _TRACEBACK_LINE.search(text, m.end())
        end = tb.start() if tb else (text.find("\n", m.end()) % (len(text) + 1))
        out += [text[pos:m.end()], shorten(text[m.end():end], EXCEPTION_CHARS)]
        pos = end
    return "".join(out) + text[pos:]


def tidy_reprs(text: str) -> str:
    text = _NESTED.sub(lambda m: f"<{m.group(1)}>", text)
    text = _PLAIN.sub(lambda m: f"<{m.group(1)}>", text)
    text = _OPAQUE.sub(lambda m: f"<{m.group(1)}>", text)
    def cut(m: re.Match) -> str:
        before = text[:m.start()]
        return "…]" if before.count("[") > before.count("]") else "…"
    text = _CUT.sub(cut, text)
    return text


def shorten(text: str, limit: int) -> str:
    """`text`, cut at a word boundary to at most `limit` characters (with ' …')."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 2]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + " …"
