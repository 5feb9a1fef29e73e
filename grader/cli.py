"""The `grader` command: a thin layer over the Python API. `main(argv) -> int`."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from . import (
    __version__,
    batch,
    feedback,
    gradebook,
    intake,
    lms_commands,
    manifest,
    pipeline,
    report,
    results,
    shards,
    slurm,
    student_id,
    submissions,
)
from .cpuload import Admission
from .errors import GraderError, ManifestError
from .progress import progress_bar
from .sandbox import Sandbox, protect_grader, require_strong
from .tamper import Guard


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


def cmd_grade(args: argparse.Namespace) -> int:
    course = _course(args.course)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    shard: tuple[int, int] | shards.PlanPart | None = (
        batch.parse_shard(args.shard) if args.shard else None)
    sandbox = Sandbox(course.limits, course.root)
    require_strong(sandbox.isolation, allow_weak=args.unsafe_sandbox)
    guard = Guard.take(course)
    with tempfile.TemporaryDirectory(prefix="kit-batch-") as tmp:
        staging = Path(tmp)
        subs, late = submissions.gather(args.submissions, course, staging / "lms")
        shard = shards.resolve(shard, args.plan, (s for s, _ in subs))
        folders = student_id.assign_folders(s for s, _ in subs)
        for collision in folders.collisions:
            print(f"grader: warning: {collision.message}", file=sys.stderr)
        todo, fresh = batch.plan(course, subs, out_dir, staging / "ws",
                                 regrade=set(args.regrade or ()), shard=shard, late=late,
                                 folders=folders, exercises=args.exercise or None)
        if shard is not None:       # the part's contract, before grading: merge checks it
            shards.write_part(out_dir, shard, batch.course_fingerprint(course, args.exercise),
                              todo + fresh, args.exercise)
        unknown = set(args.regrade or ()) - {s for s, _ in subs}
        if unknown:
            raise GraderError(f"--regrade {', '.join(sorted(unknown))}: no such student among "
                              f"the submissions given")
        admission = Admission.fixed(args.jobs) if args.jobs else Admission.measured()
        calibration = batch.calibrate(sandbox) if todo else {}
        say = (lambda text: print(text, file=sys.stderr)) if not args.quiet else (lambda text: None)
        say(f"grading {len(todo)} of {len(todo) + len(fresh)} submission(s) of {course.title}"
            f" ({len(fresh)} up to date) · {_at_a_time(admission)} · sandbox: "
            f"{sandbox.isolation.level}"
            + (f" · start-up {calibration['startup']:.2f} s" if calibration else ""))
        t0 = time.monotonic()
        bar = progress_bar(len(todo), enabled=not args.lines and not args.quiet and sys.stderr.isatty())

        def done(outcome: batch.Outcome) -> None:
            r = outcome.result
            line = (f"{outcome.job.student}: {r.score:g} / {r.max_score:g} "
                    f"({r.execution_time:.1f} s)"
                    + (f"  ⚠ {len(r.grader_errors)} grader error(s)" if r.grader_errors else "")
                    if r is not None else f"{outcome.job.student}: ⚠ {outcome.error}")
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(line[:60])
            elif not args.quiet:
                say(line)

        try:
            outcomes = batch.run(course, todo, out_dir, staging / "ws", jobs=admission,
                                 calibration=calibration, on_done=done,
                                 exercises=args.exercise or None, guard=guard.digest)
        finally:
            if bar is not None:
                bar.close()
            guard.verify(course, "to write the gradebook and the report")
            path = gradebook.write(course, out_dir)
            report.write(course, out_dir)
    failed = [o for o in outcomes if o.result is None]
    say(f"graded {len(outcomes)} in {time.monotonic() - t0:.1f} s, up to {admission.allowed} at "
        f"a time → {path}"
        + (f"; {len(failed)} could not be graded (rerun to retry): "
           + ", ".join(o.job.student for o in failed) if failed else ""))
    return 0


def _at_a_time(admission: Admission) -> str:
    if not admission.adaptive:
        return f"{admission.floor} at a time"
    return (f"{admission.floor}–{admission.ceiling} at a time (more as the CPU has room; "
            f"--jobs N to fix it)")


def cmd_report(args: argparse.Namespace) -> int:
    course = _course(args.course)
    source = Path(args.source)
    if not source.is_dir():
        raise GraderError(f"--from {source}: not a folder of graded results")
    gradebook.write(course, source)
    print(report.write(course, source))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    course = _course(args.course)
    count = batch.merge(Path(args.out), [Path(p) for p in args.shards], course)
    report.write(course, Path(args.out))
    print(f"merged {count} result(s) into {args.out}; gradebook rebuilt", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    course = _course(args.course)
    path = Path(args.path) if args.path else (
        course.root / "exercises" if Path.cwd().resolve() == course.root else Path.cwd())
    if not path.exists():
        raise GraderError(f"{path}: no such folder")
    sandbox = Sandbox(course.limits, course.root)
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    while True:
        code = _self_check(course, path, sandbox, args.exercise, color)
        if not args.watch:
            return code
        print(f"\nwatching {path} for changes (Ctrl-C to stop) …", flush=True)
        before = _mtimes(path, course)
        while _mtimes(path, course) == before:
            time.sleep(1.0)


def _mtimes(path: Path, course: manifest.Course) -> dict[str, float]:
    found = {}
    for rel in intake.declared(course):
        try:
            found[rel] = (path / rel).stat().st_mtime
        except OSError:
            found[rel] = 0.0
    return found


def _self_check(course: manifest.Course, path: Path, sandbox: Sandbox,
                only: list[str] | None, color: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="kit-ws-") as tmp:
        ws = intake.take_in("self-check", path, course, Path(tmp) / "ws")
        chosen = only or [e.id for e in course.exercises if e.id not in ws.missing]
        total = sum(1 for e in course.exercises if e.id in chosen
                    for c in e.checks if c.visibility == "visible")
        bar = progress_bar(total, enabled=sys.stderr.isatty())

        def tick(check: results.CheckResult) -> None:
            if bar is not None:
                bar.update(1)

        result = pipeline.grade_submission(pipeline.GradeRequest(
            course, ws, sandbox, exercises=tuple(chosen), visible_only=True, on_check=tick))
        if bar is not None:
            bar.close()
    print(render_table(result, color))
    return 0 if all(c.status in ("passed", "skipped") for c in result.checks) else 1


COLORS = {"passed": "\033[32m", "failed": "\033[31m", "error": "\033[33m", "skipped": "\033[90m"}


def render_table(result: results.SubmissionResult, color: bool = False) -> str:
    def paint(text: str, status: str) -> str:
        return f"{COLORS[status]}{text}\033[0m" if color else text

    rows = [("exercise", "check", "kind", "points", "")]
    for c in result.checks:
        rows.append((c.exercise, c.check, c.kind, f"{c.score:g}/{c.max_score:g}",
                     paint(feedback.MARK[c.status], c.status)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    lines.append("")
    for ex, (got, top) in result.exercise_scores().items():
        lines.append(f"{ex}: {got:g} / {top:g}")
    lines.append(f"total: {result.score:g} / {result.max_score:g}")
    for c in result.checks:
        if c.status not in ("passed", "skipped") and c.message:
            lines += ["", paint(f"✗ {c.exercise} · {c.check}: {c.description}", c.status),
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
    p.add_argument("--watch", action="store_true", help="check again whenever a file changes")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("grade", help="run the hidden checks on submissions")
    p.add_argument("submissions", nargs="+",
                   help="folders, zips, folders of them, or a Canvas/Moodle bulk download")
    p.add_argument("--out", required=True, help="where results go")
    p.add_argument("-e", "--exercise", action="append", help="only this exercise (repeatable)")
    p.add_argument("-j", "--jobs", type=int, default=0,
                   help="submissions graded at once (default: one per core, and more, up "
                        "to 6 per core, while the CPU has room: see grader/cpuload.py)")
    p.add_argument("--regrade", action="append", metavar="STUDENT",
                   help="grade this student again even if up to date (repeatable)")
    p.add_argument("--shard", metavar="K/N", help="grade only the K-th of N deterministic parts")
    p.add_argument("--plan", metavar="PLAN", help="with --shard: the parts of a balanced plan "
                                                  "(plan.json of `grader slurm`), not a hash")
    p.add_argument("--lines", action="store_true", help="one line per student, no progress bar")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--unsafe-sandbox", action="store_true",
                   help="grade even where no strong sandbox exists (no bubblewrap or user "
                        "namespaces): the student's code can then reach your files and the "
                        "network; every result and the report say the level was weak")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("report", help="(re)build DIR/report.html and the gradebook from results")
    p.add_argument("--from", dest="source", required=True, help="a folder written by grade")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("merge", help="join the results of shards into one folder")
    p.add_argument("shards", nargs="+", help="results folders written by grade --shard")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_merge)

    lms_commands.add_commands(sub)
    slurm.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    protect_grader()
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
