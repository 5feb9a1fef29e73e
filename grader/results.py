"""The results model: plain frozen data, serialised explicitly (never pickled).

`SubmissionResult.to_dict()` is a superset of Gradescope's results.json: `score`,
`execution_time`, `output`, `tests[]` (name, number, score, max_score, status, output,
visibility, tags), with the kit's own detail under `extra_data`.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["passed", "failed", "error", "skipped"]
SCHEMA = 1


@dataclass(frozen=True)
class CheckResult:
    exercise: str
    check: str
    kind: str
    status: Status              # failed: the student's code; error: the grader could not grade
    score: float
    max_score: float
    description: str
    visibility: str
    message: str = ""           # why it failed, in the student's terms
    duration: float = 0.0
    evidence: dict = field(default_factory=dict)

    @property
    def counts(self) -> bool:
        """Skipped checks (e.g. no /proc on this platform) stay out of the total."""
        return self.status != "skipped"

    def to_dict(self, number: str = "") -> dict:
        return {
            "name": f"{self.exercise} · {self.description}",
            "number": number,
            "score": self.score,
            "max_score": self.max_score if self.counts else 0.0,
            "status": "passed" if self.status == "passed" else "failed",
            "output": self.message,
            "visibility": self.visibility,
            "tags": [self.exercise, self.kind],
            "extra_data": {"exercise": self.exercise, "check": self.check, "kind": self.kind,
                           "outcome": self.status, "duration": round(self.duration, 3),
                           "description": self.description, "points": self.max_score,
                           "evidence": self.evidence},
        }

    @classmethod
    def from_dict(cls, d: dict) -> CheckResult:
        x = d["extra_data"]
        return cls(exercise=x["exercise"], check=x["check"], kind=x["kind"],
                   status=x["outcome"], score=float(d["score"]), max_score=float(x["points"]),
                   description=x["description"], visibility=d["visibility"],
                   message=d.get("output", ""), duration=float(x.get("duration", 0.0)),
                   evidence=x.get("evidence", {}))


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    course: str
    checks: tuple[CheckResult, ...]
    source: str = ""
    isolation: dict = field(default_factory=dict)
    started: str = ""
    execution_time: float = 0.0
    grader_version: str = ""
    late: dict = field(default_factory=dict)        # {"days_late": n, "penalty": f} if late
    problems: tuple[str, ...] = ()                  # intake notes: files missing, not a zip, …
    fingerprint: str = ""                           # what was graded: files, manifest, checks
    calibration: dict = field(default_factory=dict)

    @property
    def raw_score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def score(self) -> float:
        return round(self.raw_score * (1.0 - float(self.late.get("penalty", 0.0))), 4)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks if c.counts)

    @property
    def grader_errors(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == "error"]

    def exercise_scores(self) -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for c in self.checks:
            got, top = out.get(c.exercise, (0.0, 0.0))
            out[c.exercise] = (got + c.score, top + (c.max_score if c.counts else 0.0))
        return out

    def to_dict(self) -> dict:
        numbers: dict[str, int] = {}
        order = {ex: i + 1 for i, ex in enumerate(dict.fromkeys(c.exercise for c in self.checks))}
        tests = []
        for c in self.checks:
            numbers[c.exercise] = numbers.get(c.exercise, 0) + 1
            tests.append(c.to_dict(f"{order[c.exercise]}.{numbers[c.exercise]}"))
        summary = "\n".join(self.problems)
        return {
            "score": self.score,
            "execution_time": round(self.execution_time, 2),
            "output": summary or f"{self.score:g} / {self.max_score:g} points",
            "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": {"schema": SCHEMA, "student": self.student, "course": self.course,
                           "source": self.source, "max_score": self.max_score,
                           "raw_score": self.raw_score, "isolation": self.isolation,
                           "started": self.started, "grader_version": self.grader_version,
                           "late": self.late, "problems": list(self.problems),
                           "fingerprint": self.fingerprint, "calibration": self.calibration},
        }

    @classmethod
    def from_dict(cls, d: dict) -> SubmissionResult:
        x = d["extra_data"]
        return cls(student=x["student"], course=x["course"],
                   checks=tuple(CheckResult.from_dict(t) for t in d["tests"]),
                   source=x.get("source", ""), isolation=x.get("isolation", {}),
                   started=x.get("started", ""), execution_time=float(d.get("execution_time", 0)),
                   grader_version=x.get("grader_version", ""), late=x.get("late", {}),
                   problems=tuple(x.get("problems", ())), fingerprint=x.get("fingerprint", ""),
                   calibration=x.get("calibration", {}))


def write_atomic(path: Path, text: str) -> None:
    """Write `text` so that `path` is either the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save(result: SubmissionResult, path: Path) -> None:
    write_atomic(path, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")


def load(path: Path) -> SubmissionResult:
    return SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
