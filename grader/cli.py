"""The `grader` command: a thin layer over the Python API. `main(argv) -> int`."""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from . import __version__, feedback, gradebook, grading, intake, lms_commands, manifest, results
from .errors import GraderError, ManifestError
from .sandbox import Sandbox


def _course(path: str) -> manifest.Course:
    return manifest.load(path)


def cmd_validate(args: argparse.Namespace) -> int:
    course = _course(args.course)
    problems = manifest.check_files(course)
    if problems:
        raise ManifestError([f"{course.root / 'course.yaml'}: {p}" for p in problems])
    checks = sum(len(e.checks) for e in course.exercises)
    print(f"{course.root / 'course.yaml'}: OK — {len(course.exercises)} exercises, "
          f"{checks} checks, {course.max_points:g} points")
    return 0


def safe_id(student: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]", "_", student).strip(".") or "unnamed"
    return cleaned


def grade_one(course: manifest.Course, sandbox: Sandbox, student: str, source: Path,
              out_dir: Path, **options: object) -> results.SubmissionResult:
    with tempfile.TemporaryDirectory(prefix="kit-ws-") as tmp:
        ws = intake.take_in(student, source, course, Path(tmp) / "ws")
        result = grading.grade_workspace(course, ws, sandbox, **options)  # type: ignore[arg-type]
    folder = out_dir / safe_id(student)
    results.save(result, folder / "results.json")
    results.write_atomic(folder / "feedback.md", feedback.render_markdown(result, course))
    return result


def cmd_grade(args: argparse.Namespace) -> int:
    course = _course(args.course)
    subs = intake.discover([Path(p) for p in args.submissions], course)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox(course.limits, course.root)
    print(f"grading {len(subs)} submission(s) of {course.title} "
          f"(sandbox: {sandbox.isolation.level})", file=sys.stderr)
    t0 = time.monotonic()
    for n, (student, source) in enumerate(subs, 1):
        result = grade_one(course, sandbox, student, source, out_dir,
                           exercises=args.exercise or None)
        flag = f"  ⚠ {len(result.grader_errors)} grader error(s)" if result.grader_errors else ""
        print(f"[{n}/{len(subs)}] {student}: {result.score:g} / {result.max_score:g}"
              f" ({result.execution_time:.1f} s){flag}", file=sys.stderr)
    path = gradebook.write(course, out_dir)
    print(f"graded {len(subs)} in {time.monotonic() - t0:.1f} s → {path}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    course = _course(args.course)
    path = Path(args.path) if args.path else (
        course.root / "exercises" if Path.cwd().resolve() == course.root else Path.cwd())
    sandbox = Sandbox(course.limits, course.root)
    with tempfile.TemporaryDirectory(prefix="kit-ws-") as tmp:
        ws = intake.take_in("self-check", path, course, Path(tmp) / "ws")
        chosen = args.exercise or [e.id for e in course.exercises
                                   if e.id not in ws.missing or args.exercise]
        result = grading.grade_workspace(course, ws, sandbox, exercises=chosen,
                                         visible_only=True)
    print(render_table(result))
    return 0 if all(c.status in ("passed", "skipped") for c in result.checks) else 1


def render_table(result: results.SubmissionResult) -> str:
    rows = [("exercise", "check", "kind", "points", "")]
    for c in result.checks:
        rows.append((c.exercise, c.check, c.kind, f"{c.score:g}/{c.max_score:g}",
                     feedback.MARK[c.status]))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    lines.append("")
    for ex, (got, top) in result.exercise_scores().items():
        lines.append(f"{ex}: {got:g} / {top:g}")
    lines.append(f"total: {result.score:g} / {result.max_score:g}")
    for c in result.checks:
        if c.status not in ("passed", "skipped") and c.message:
            lines += ["", f"✗ {c.exercise} · {c.check}: {c.description}",
                      *("    " + m for m in c.message.splitlines())]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--course", default="course.yaml",
                        help="the course manifest (default: ./course.yaml)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check course.yaml and everything it names")
    p.add_argument("manifest", nargs="?", help="path to course.yaml")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("check", help="self-check: the visible checks on your working copy")
    p.add_argument("path", nargs="?", help="a folder laid out like exercises/ (default: here)")
    p.add_argument("-e", "--exercise", action="append", help="only this exercise (repeatable)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("grade", help="run the hidden checks on submissions")
    p.add_argument("submissions", nargs="+", help="folders, zips, or folders of them")
    p.add_argument("--out", required=True, help="where results go")
    p.add_argument("-e", "--exercise", action="append", help="only this exercise (repeatable)")
    p.set_defaults(func=cmd_grade)

    lms_commands.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "manifest", None):
        args.course = args.manifest
    try:
        return int(args.func(args))
    except GraderError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("grader: interrupted; results written so far are complete and kept",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
