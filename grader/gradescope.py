"""Gradescope: the autograder bundle, and what its `run_autograder` does on Gradescope.

The bundle (`grader gradescope --out autograder.zip`) follows Gradescope's "Autograder
Specifications": `setup.sh` and `run_autograder` at the root of the zip; Gradescope unpacks the
zip into /autograder/source, runs setup.sh once when it builds the image, and runs
run_autograder (from /autograder, as root) for every submission, which must write
/autograder/results/results.json. The student's files are in /autograder/submission.

Inside the bundle: the grader package with its hidden checks, `exercises/_kit`, course.yaml
and a requirements.txt — never solutions/. `run_autograder` grades the submission with the
kit's own pipeline (only the files course.yaml names are taken, each in the sandbox) and
writes the kit's results.json, a superset of Gradescope's schema carrying each check's
visibility from the manifest. Students may upload the files flat (Gradescope's drag and drop)
or in their folders (a zip, a GitHub repository): each declared file is found by its path, or
else by its name when exactly one file has it.

For testing, every path can be moved with environment variables: KIT_AUTOGRADER_DIR (default
/autograder) and KIT_PYTHON (the interpreter; default the venv setup.sh made).
"""
from __future__ import annotations

import json
import shutil
import stat
import sys
import tempfile
import time
import tomllib
import traceback
import zipfile
from pathlib import Path

from .errors import GraderError
from .manifest import Course

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
SOURCE="${KIT_AUTOGRADER_DIR:-/autograder}/source"
PY=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
    PY=python3.11
fi
"$PY" -m venv "${KIT_AUTOGRADER_DIR:-/autograder}/venv"
"${KIT_AUTOGRADER_DIR:-/autograder}/venv/bin/pip" install -q -r "$SOURCE/requirements.txt"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission and write
# /autograder/results/results.json. KIT_AUTOGRADER_DIR and KIT_PYTHON move it for tests.
set -u
AUTOGRADER="${KIT_AUTOGRADER_DIR:-/autograder}"
SOURCE="$AUTOGRADER/source"
PY="${KIT_PYTHON:-$AUTOGRADER/venv/bin/python}"
[ -x "$PY" ] || PY=python3
mkdir -p "$AUTOGRADER/results"
export PYTHONPATH="$SOURCE:$SOURCE/exercises"
cd "$AUTOGRADER"
exec "$PY" -m grader --course "$SOURCE/course.yaml" gradescope-run \\
    --submission "$AUTOGRADER/submission" --results "$AUTOGRADER/results/results.json"
"""


def _requirements(root: Path) -> str:
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        deps = list(project.get("dependencies", []))
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        deps = ["pytest>=8", "pyyaml>=6"]
    return "\n".join(deps) + "\n"


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def bundle_members(course: Course) -> list[tuple[str, Path]]:
    """(name in the zip, file) for the kit's code; solutions are never among them."""
    root = course.root
    grader_dir = Path(__file__).resolve().parent
    kit_dir = root / "exercises" / "_kit"
    members: list[tuple[str, Path]] = [("course.yaml", root / "course.yaml")]
    for base, prefix in ((grader_dir, "grader"), (kit_dir, "exercises/_kit")):
        for path in sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                members.append((f"{prefix}/{path.relative_to(base).as_posix()}", path))
    return members


def build_bundle(course: Course, out: Path) -> Path:
    if out.suffix != ".zip":
        raise GraderError(f"--out must be a .zip file, given: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(tmp, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(zf, "requirements.txt", _requirements(course.root).encode())
        for arcname, path in bundle_members(course):
            _add(zf, arcname, path.read_bytes())
    tmp.replace(out)
    return out


def stage_submission(course: Course, submission: Path, dest: Path) -> list[str]:
    """Copy each declared file of `submission` to its declared path under `dest`.
    Returns notes on files found elsewhere or ambiguous."""
    notes: list[str] = []
    dest.mkdir(parents=True)
    candidates = [p for p in submission.rglob("*") if p.is_file()
                  and not any(part.startswith((".", "__MACOSX")) for part in
                              p.relative_to(submission).parts)] if submission.is_dir() else []
    for ex in course.exercises:
        for rel in ex.files:
            direct = submission / rel
            if direct.is_file():
                found = direct
            else:
                same = [p for p in candidates if p.name == Path(rel).name]
                if len(same) != 1:
                    if len(same) > 1:
                        notes.append(f"{rel}: {len(same)} files named {Path(rel).name}; "
                                     f"put it at {rel}")
                    continue
                found = same[0]
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found, target)
    return notes


def _student(submission: Path) -> str:
    meta = submission.parent / "submission_metadata.json"
    try:
        users = json.loads(meta.read_text(encoding="utf-8")).get("users") or []
        return str(users[0].get("email") or users[0].get("name") or "submission")
    except (OSError, ValueError, IndexError, AttributeError):
        return "submission"


def run(course_path: Path, submission: Path, results_path: Path) -> int:
    """Grade one Gradescope submission; always leave a results.json (fail closed)."""
    from . import grading, intake, manifest, results
    from .sandbox import Sandbox
    t0 = time.monotonic()
    try:
        course = manifest.load(course_path)
        with tempfile.TemporaryDirectory(prefix="kit-gs-") as tmp:
            staged = Path(tmp) / "submission"
            notes = stage_submission(course, submission, staged)
            ws = intake.take_in(_student(submission), staged, course, Path(tmp) / "ws")
            sandbox = Sandbox(course.limits, course.root)
            result = grading.grade_workspace(course, ws, sandbox)
        if notes:
            from dataclasses import replace
            result = replace(result, problems=(*result.problems, *notes))
        results.save(result, results_path)
        print(f"graded: {result.score:g} / {result.max_score:g} "
              f"(sandbox: {sandbox.isolation.level}, {time.monotonic() - t0:.1f} s)")
        return 0
    except Exception as exc:  # noqa: BLE001 - a results file must exist whatever happened
        traceback.print_exc(file=sys.stdout)
        reason = str(exc) if isinstance(exc, GraderError) else f"{type(exc).__name__}: {exc}"
        failure = {"score": 0.0, "execution_time": round(time.monotonic() - t0, 2),
                   "output": "The autograder could not grade this submission; this is not "
                             "your mistake. Your instructor has been shown the error.",
                   "stdout_visibility": "hidden", "tests": [],
                   "extra_data": {"grader_error": reason}}
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results.write_atomic(results_path, json.dumps(failure, indent=2) + "\n")
        return 1
