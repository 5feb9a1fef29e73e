"""Commands that produce files for the places instructors already work (LMS gradebooks,
Gradescope, nbgrader, the student bundle). `add_commands` registers them on the CLI."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import GraderError


def _course(args: argparse.Namespace):
    from . import manifest
    return manifest.load(args.course)


def _lms_ids(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise GraderError(f"--lms-id must look like EXERCISE=ID or total=ID, given: {pair!r}")
        out[key.strip()] = value.strip()
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from . import exporters
    from .roster import load_roster
    if not args.output and not args.plan:
        raise GraderError("grader export needs -o FILE (or --plan to only print the changes)")
    course = _course(args)
    roster = load_roster(args.roster) if args.roster else None
    options = exporters.ExportOptions(columns=args.columns, lms_ids=_lms_ids(args.lms_id),
                                      base=Path(args.base) if args.base else None,
                                      allow_lower=args.allow_lower,
                                      drop_unmatched=args.drop_unmatched)
    report = exporters.export(args.format, Path(args.from_dir), course, Path(args.output or "-"),
                              roster, options, dry_run=args.plan)
    if report.plan is not None:
        lines = report.plan.lines()
        what = "would change" if args.plan else "changes"
        print(f"{report.format}: {what} {sum(c.action == 'write' for c in report.plan.changes)} "
              f"grade(s) of {report.rows} student(s)", file=sys.stderr)
        for line in lines:
            print(line, file=sys.stderr)
    if report.written:
        print(f"{report.format}: {report.rows} row(s) → {report.out}", file=sys.stderr)
    else:
        print(f"{report.format}: --plan: nothing written", file=sys.stderr)
    for message in report.messages():
        print(f"grader: warning: {message}", file=sys.stderr)
    if args.strict and (report.not_in_roster or report.no_submission or report.omitted):
        return 1
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    from . import gradescope
    path = gradescope.build_bundle(_course(args), Path(args.out))
    print(f"Gradescope autograder bundle → {path}", file=sys.stderr)
    return 0


def cmd_gradescope_run(args: argparse.Namespace) -> int:
    from . import gradescope
    return gradescope.run(Path(args.course), Path(args.submission), Path(args.results))


def cmd_notebooks(args: argparse.Namespace) -> int:
    from . import notebooks
    paths = notebooks.write_notebooks(_course(args), Path(args.out), args.exercise or None)
    print(f"{len(paths)} nbgrader source notebook(s) → {Path(args.out) / 'source'}",
          file=sys.stderr)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from . import release
    report = release.build(_course(args), Path(args.out))
    print(f"student bundle: {len(report.files)} file(s) → {args.out}", file=sys.stderr)
    for note in report.skipped:
        print(f"grader: note: not released: {note}", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register `export`, `gradescope`, `notebooks` and `release` (issue 7)."""
    from .exporters import EXPORTERS

    p = sub.add_parser("export", help="LMS files from graded results",
                       description="Write a file an LMS imports from DIR/<student>/results.json. "
                                   "LMS files never blank a grade (students without a result "
                                   "are left out) and refuse rows that could land on the wrong "
                                   "person; see docs/lms.md.")
    p.add_argument("--from", dest="from_dir", required=True, metavar="DIR",
                   help="the --out folder of `grader grade`")
    p.add_argument("--format", required=True, choices=sorted(EXPORTERS),
                   help="; ".join(f"{k}: {v.description}" for k, v in sorted(EXPORTERS.items())))
    p.add_argument("--roster", metavar="CSV", help="roster mapping student ids to LMS ids "
                                                   "(see docs/lms.md)")
    p.add_argument("-o", "--output", metavar="FILE", help="the file to write (not with --plan)")
    p.add_argument("--columns", choices=("exercises", "total"), default="exercises",
                   help="one column per exercise (default) or one total")
    p.add_argument("--lms-id", action="append", metavar="EXERCISE=ID",
                   help="the LMS's id for an exercise's column (or total=ID): Canvas "
                        "assignment id, Blackboard column id (repeatable)")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 if any student is unmatched or left out (file still written)")
    p.add_argument("--base", metavar="CSV",
                   help="the LMS's own gradebook export (downloaded now): write only the grades "
                        "that differ from it, never lower one (see --allow-lower)")
    p.add_argument("--allow-lower", action="store_true",
                   help="with --base: write a kit grade lower than the LMS's (by default the "
                        "LMS's higher grade, e.g. one entered by hand, is kept and listed)")
    p.add_argument("--plan", action="store_true",
                   help="print every change (student, column: old → new) and write nothing")
    p.add_argument("--drop-unmatched", action="store_true",
                   help="leave out, and list, rows the LMS could give to the wrong person "
                        "(not on the roster, no or shared id, not in --base); without it such "
                        "rows stop the export")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("gradescope", help="build the Gradescope autograder bundle (zip)")
    p.add_argument("--out", default="autograder.zip", help="the zip to write")
    p.set_defaults(func=cmd_gradescope)

    # What the bundle's run_autograder calls on Gradescope (not listed in --help).
    p = sub.add_parser("gradescope-run")
    p.add_argument("--submission", required=True)
    p.add_argument("--results", required=True)
    p.set_defaults(func=cmd_gradescope_run)

    p = sub.add_parser("notebooks", help="one nbgrader source notebook per exercise")
    p.add_argument("--out", required=True, help="an nbgrader course folder (source/ goes in it)")
    p.add_argument("-e", "--exercise", action="append", help="only this exercise (repeatable)")
    p.set_defaults(func=cmd_notebooks)

    p = sub.add_parser("release", help="write the student bundle")
    p.add_argument("--out", required=True, help="where the bundle goes (must not exist or be empty)")
    p.set_defaults(func=cmd_release)
