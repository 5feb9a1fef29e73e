"""One grading worker: grades one prepared workspace and writes its results atomically.
Started by grader.batch, never by hand: `python -m grader.worker --workspace … --meta …`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import manifest, pipeline, tamper
from .errors import GraderError
from .intake import Workspace
from .sandbox import Sandbox, protect_grader


def die_with_parent() -> None:
    """A worker must not outlive its batch (kill -9 of the grader, a power cut simulated):
    on Linux the kernel kills it when its parent dies."""
    if sys.platform != "linux":
        return
    import ctypes
    import signal
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
    expected = os.environ.get("KIT_BATCH_PARENT")
    if expected and os.getppid() != int(expected):      # the parent died before prctl
        os._exit(1)


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    protect_grader()
    p = argparse.ArgumentParser(prog="grader.worker")
    p.add_argument("--course", required=True)
    p.add_argument("--workspace", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--calibration", default="{}")
    p.add_argument("-e", "--exercise", action="append")
    p.add_argument("--guard", default="", help="the batch's digest of the files that decide "
                                                "grades (grader.tamper)")
    args = p.parse_args(argv)
    course = manifest.load(args.course)
    try:
        if args.guard:
            tamper.verify_digest(course, args.guard, "to grade this student")
        return _grade(args, course)
    except GraderError as exc:
        print(f"grader.worker: error: {exc}", file=sys.stderr)
        return exc.exit_code


def _grade(args: argparse.Namespace, course: manifest.Course) -> int:
    meta = json.loads(Path(args.meta).read_text())
    ws = Workspace(student=meta["student"], root=Path(args.workspace), source=meta["source"],
                   missing=meta["missing"], problems=tuple(meta["problems"]))
    late = meta.get("late") or {}
    log: list[str] = []
    result = pipeline.grade_submission(pipeline.GradeRequest(
        course, ws, Sandbox(course.limits, course.root),
        exercises=tuple(args.exercise) if args.exercise else None,
        submitted_at=late.get("submitted_at"), marked_late=bool(late.get("marked_late")),
        fingerprint=meta["fingerprint"], calibration=json.loads(args.calibration),
        on_log=log.append))
    if args.guard:
        tamper.verify_digest(course, args.guard, "to write this student's results")
    pipeline.write_outputs(result, course, Path(args.out), "".join(log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
