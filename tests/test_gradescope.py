"""The Gradescope autograder bundle, run the way Gradescope runs it: unpacked into
<root>/source, run_autograder copied to <root>, the student's files in <root>/submission, and
<root>/results/results.json checked against Gradescope's schema, the manifest's visibility, the
time budget and what the student may see. <root> is a temporary folder, never /autograder.

Each grading runs once per module and several tests read it; the heavy ones (the full
reference on one CPU, a submission that hangs everywhere, setup.sh) are marked slow."""
from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader import gradescope, manifest, results
from grader.errors import ManifestError
from grader.gradescope_text import StudentText, shorten, tidy_reprs

from .conftest import ROOT

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


# ---------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def bundle(tmp_path_factory, course) -> Path:
    return gradescope.build_bundle(course, tmp_path_factory.mktemp("gs") / "autograder.zip")


def _unpack(bundle: Path, root: Path) -> Path:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():      # zipfile drops modes; Gradescope keeps them
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(root / "source" / info.filename, mode)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def _submit(root: Path, files: dict[str, str | Path]) -> None:
    for rel, content in files.items():
        target = root / "submission" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copy(content, target)
        else:
            target.write_text(content, encoding="utf-8")


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
           "KIT_AUTOGRADER_DIR": str(root), "KIT_PYTHON": sys.executable, **extra}
    if "KIT_TEST_SESSION" in os.environ:     # conftest finds leftover processes by it
        env["KIT_TEST_SESSION"] = os.environ["KIT_TEST_SESSION"]
    return env


def _run(root: Path, cpus: set[int] | None = None, timeout: float = 280,
         **env: str) -> subprocess.CompletedProcess:
    def pin() -> None:
        if cpus is not None:
            os.sched_setaffinity(0, cpus)
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=_env(root, **env),
                          capture_output=True, text=True, timeout=timeout, preexec_fn=pin)


def _results(root: Path) -> dict:
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def _tests(data: dict) -> dict[tuple[str, str], dict]:
    return {(t["extra_data"]["exercise"], t["extra_data"]["check"]): t for t in data["tests"]}


def _schema_ok(data: dict, course) -> None:
    """Gradescope's schema, every check of the manifest present with its visibility, and a
    top-level score equal to the tests' sum (after a late penalty, when there is one)."""
    assert isinstance(data["score"], (int, float)) and isinstance(data["tests"], list)
    assert data["stdout_visibility"] == "hidden"
    got = _tests(data)
    assert set(got) == {(e.id, c.id) for e in course.exercises for c in e.checks}
    for (ex, check), t in got.items():
        assert {"name", "score", "max_score", "visibility", "status", "output"} <= set(t)
        assert t["visibility"] == course.exercise(ex).check(check).visibility
        assert t["status"] in ("passed", "failed") and t["visibility"] in VISIBILITIES
        assert 0 <= t["score"] <= t["max_score"] + 1e-9
    penalty = float(data["extra_data"]["late"].get("penalty", 0.0))
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]) * (1 - penalty))


def _stub(ex_id: str) -> Path:
    return ROOT / "exercises" / ex_id / f"{ex_id}.py"


def _solution(ex_id: str) -> Path:
    return ROOT / "solutions" / ex_id / f"{ex_id}.py"


# ---------------------------------------------------------------------------- the bundle

def test_bundle_layout_pins_and_hashes(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        info = json.loads(zf.read(gradescope.BUNDLE_INFO))
        digests = {n: __import__("hashlib").sha256(zf.read(n)).hexdigest() for n in names
                   if n != gradescope.BUNDLE_INFO}
        requirements = zf.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "course.yaml", "requirements.txt",
            gradescope.BUNDLE_INFO} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert any(n.startswith("grader/checks/") for n in names)
    assert any(n.startswith("exercises/_kit/") for n in names)
    assert not [n for n in names if n.startswith(("solutions/", "tests/")) or "__pycache__" in n]
    assert info["sha256"] == digests
    pins = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert {p.split("==")[0] for p in pins} >= {"pytest", "pyyaml", "pluggy", "iniconfig"}
    assert all(p.count("==") == 1 and ">" not in p and "<" not in p for p in pins), pins


def test_bundle_is_built_from_the_course_folder(tmp_path):
    """A copy of the course folder with an edited check: the zip holds the edit, whatever
    grader package is installed."""
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    shutil.copy(ROOT / "course.yaml", course_dir / "course.yaml")
    for sub in ("grader", "exercises/_kit"):
        shutil.copytree(ROOT / sub, course_dir / sub,
                        ignore=shutil.ignore_patterns("__pycache__"))
    edited = course_dir / "grader" / "checks" / "p05_join.py"
    edited.write_text(edited.read_text() + "\n# edited in the course folder\n")
    out = gradescope.build_bundle(manifest.load(course_dir / "course.yaml"), tmp_path / "a.zip")
    with zipfile.ZipFile(out) as zf:
        assert zf.read("grader/checks/p05_join.py") == edited.read_bytes()
        assert json.loads(zf.read(gradescope.BUNDLE_INFO))["built_from"] == str(course_dir)
    shutil.rmtree(course_dir / "grader" / "checks")
    with pytest.raises(gradescope.GraderError, match="hidden checks"):
        gradescope.build_bundle(manifest.load(course_dir / "course.yaml"), tmp_path / "b.zip")


def test_verify_bundle_names_a_changed_file(bundle, tmp_path):
    root = _unpack(bundle, tmp_path / "autograder")
    assert gradescope.verify_bundle(root / "source") == []
    (root / "source" / "course.yaml").write_text("changed\n")
    assert gradescope.verify_bundle(root / "source") == ["course.yaml: changed since the "
                                                         "bundle was built"]


# ---------------------------------------------------------------------------- budget rules

def test_time_budget_in_course_yaml(tmp_path):
    text = (ROOT / "course.yaml").read_text()
    assert manifest.load(ROOT / "course.yaml").time_budget == 480.0
    (tmp_path / "course.yaml").write_text(text.replace("time_budget: 480", "time_budget: 3000"))
    with pytest.raises(ManifestError, match=r"policies.time_budget: seconds for one submission's "
                                            r"whole run, between 60 and 2400 .* found 3000"):
        manifest.load(tmp_path / "course.yaml")
    (tmp_path / "course.yaml").write_text(text.replace("time_budget: 480", "time_budjet: 480"))
    with pytest.raises(ManifestError, match="did you mean 'time_budget'"):
        manifest.load(tmp_path / "course.yaml")


def test_shares():
    floors = gradescope.shares_floor({"a": 100.0, "b": 300.0}, 400.0)
    assert floors == {"a": 50.0, "b": 150.0}
    assert gradescope.share_of(100.0, 50.0, 400.0, 150.0) == 100.0     # its full timeouts
    assert gradescope.share_of(100.0, 50.0, 200.0, 150.0) == 50.0      # the rest is kept
    assert gradescope.share_of(100.0, 50.0, 30.0, 150.0) == 30.0       # what is left
    assert gradescope.share_of(0.0, 0.0, 400.0, 0.0) == 0.0


def test_cut_timeouts(course):
    cut, factor = gradescope.cut_timeouts(course, "p05_join", 10.0)
    total = sum(c.timeout for c in course.exercise("p05_join").checks)
    assert factor == pytest.approx(10.0 / total)
    assert sum(c.timeout for c in cut.exercise("p05_join").checks) == pytest.approx(10.0)
    assert cut.exercise("p01_create") == course.exercise("p01_create")
    assert gradescope.cut_timeouts(course, "p05_join", 10_000.0) == (course, 1.0)


# ---------------------------------------------------------------------------- student text

def test_reprs_shortened_and_never_cut_mid_word():
    nested = ("it returned [<concurrent.futures._base.Future object: <concurrent.futures._base."
              "Future object at 0x7f2efa6ca810>>, <concurrent.futures._base.Future object: "
              "<concurrent.futures._base.Future object at 0x7f2efa6e8. It returned Future")
    assert tidy_reprs(nested) == "it returned [<Future>, …]. It returned Future"
    assert tidy_reprs("returned [<concurrent.futures._base.Future objec. It") == \
        "returned […]. It"
    assert tidy_reprs("x <= y in <module>, <a.B object at 0x1f>") == "x <= y in <module>, <B>"
    assert shorten("alpha beta gamma delta", 15) == "alpha beta …"


def test_a_student_exception_message_is_kept_short():
    text = StudentText(frozenset())
    long = "your code raised ValueError: " + "word " * 100 + "\np05_join.py:3 in f: raise X"
    out = text.clean(long)
    assert out.startswith("your code raised ValueError: word word")
    assert out.endswith(" …\np05_join.py:3 in f: raise X")
    assert len(out.split("\n")[0]) <= len("your code raised ValueError: ") + 300
    assert text.clean("your code raised KeyError: 'x'\nmore") == "your code raised KeyError: 'x'\nmore"


def test_hidden_lines_removed_trusted_notes_kept(tmp_path):
    hidden = tmp_path / "check.py"
    hidden.write_text('"""Hidden checks: the secret plan of this exercise."""\n'
                      "SECRET_INPUTS = [17, 4, 250]\n"
                      "def test_total(student):  # compare with the trusted sum\n"
                      "    fail(f'the total was {x}, not right')\n")
    text = StudentText.build([hidden], renames={"p03_pids/p03_pids.py": "p03_pids.py"})
    leaked = "your code raised ValueError: \nSECRET_INPUTS = [17, 4, 250]\n\ndef test_total(stu"
    assert text.clean(leaked) == ("your code raised ValueError: \n[2 lines holding text of the "
                                  "course's hidden files removed]")
    assert text.clean("Hidden checks: the secret plan of this exercise.") == \
        "[1 line holding text of the course's hidden files removed]"
    assert text.clean("the total was 5, not right") == "the total was 5, not right"
    assert text.clean("syntax error in p03_pids/p03_pids.py, line 3") == \
        "syntax error in p03_pids.py, line 3"
    assert text.clean("SECRET_INPUTS = [17, 4, 250]", trusted=True) == \
        "SECRET_INPUTS = [17, 4, 250]"


def test_staging_skips_links_hidden_folders_and_large_files(course, tmp_path):
    sub = tmp_path / "submission"
    (sub / "__MACOSX").mkdir(parents=True)
    (sub / "__MACOSX" / "p05_join.py").write_text("junk\n")
    (sub / "p01_create.py").symlink_to("/etc/passwd")
    (sub / "p02_concurrent.py").write_bytes(b"#" * (2 * 1024 * 1024))
    shutil.copy(_solution("p05_join"), sub / "p05_join.py")
    staged = gradescope.stage_submission(course, sub, tmp_path / "staged")
    assert staged.found == {"p05_join/p05_join.py": "p05_join.py"}
    assert staged.unusable == {"p02_concurrent": "p02_concurrent.py is larger than 1024 KiB, "
                                                 "so it was not graded"}
    assert staged.uploaded == ("p02_concurrent.py", "p05_join.py")
    assert (tmp_path / "staged" / "p05_join" / "p05_join.py").read_bytes() == \
        _solution("p05_join").read_bytes()


def test_metadata_gives_student_time_and_due_date(tmp_path):
    meta = tmp_path / "submission_metadata.json"
    meta.write_text(json.dumps({
        "created_at": "2026-12-25T12:00:00+00:00",
        "assignment": {"due_date": "2026-12-24T12:00:00+00:00"},
        "users": [{"email": "a@x.org", "name": "A",
                   "assignment": {"due_date": "2026-12-26T12:00:00+00:00"}}]}))
    got = gradescope.read_metadata(meta)
    assert (got.student, got.submitted_at, got.due.isoformat()) == (
        "a@x.org", "2026-12-25T12:00:00+00:00", "2026-12-26T12:00:00+00:00")
    assert gradescope.read_metadata(tmp_path / "absent.json") == gradescope.Metadata()


# ---------------------------------------------------------------------------- gradings

@pytest.fixture(scope="module")
def mixed(bundle, tmp_path_factory, course):
    """Nested (a repository), partial, a syntax error, two copies at one depth, a backup copy,
    submitted late."""
    root = _unpack(bundle, tmp_path_factory.mktemp("mixed"))
    _submit(root, {
        "repo/p05_join/p05_join.py": _solution("p05_join"),
        "repo/t01_create/t01_create.py": _solution("t01_create"),
        "p03_pids.py": "def child_facts(:\n    pass\n",
        "a/p01_create.py": _solution("p01_create"), "b/p01_create.py": _stub("p01_create"),
        "p02_concurrent.py": _solution("p02_concurrent"),
        "backup/p02_concurrent.py": _stub("p02_concurrent"),
        "conftest.py": "import os; os._exit(0)\n"})
    (root / "submission_metadata.json").write_text(json.dumps({
        "created_at": "2026-12-25T12:00:00+00:00", "users": [{"email": "a@x.org"}],
        "assignment": {"due_date": "2026-12-24T12:00:00+00:00"}}))
    return root, _run(root)


def test_mixed_upload_grades_what_it_can(mixed, course):
    root, run = mixed
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    tests = _tests(data)
    for ex in ("p05_join", "t01_create", "p02_concurrent"):
        for c in course.exercise(ex).checks:
            assert tests[(ex, c.id)]["score"] == c.points, tests[(ex, c.id)]["output"]
    assert data["extra_data"]["uploaded_as"]["p05_join/p05_join.py"] == "repo/p05_join/p05_join.py"
    assert data["extra_data"]["student"] == "a@x.org"


def test_syntax_error_names_the_uploaded_path(mixed):
    data = _results(mixed[0])
    out = _tests(data)[("p03_pids", "ppid_is_caller")]["output"]
    assert out.startswith("syntax error in p03_pids.py, line 1: ")
    assert "p03_pids/p03_pids.py" not in out and "(run `python p03_pids.py` to see it)" in out


def test_duplicates_get_a_reason(mixed, course):
    data = _results(mixed[0])
    tests = _tests(data)
    for c in course.exercise("p01_create").checks:
        assert tests[("p01_create", c.id)]["score"] == 0
        assert tests[("p01_create", c.id)]["output"] == (
            "2 files named p01_create.py in your upload (a/p01_create.py, b/p01_create.py), so "
            "none was graded: keep one, at the top of your upload or at "
            "p01_create/p01_create.py — nothing to grade for this exercise")
    assert ("p02_concurrent.py: graded p02_concurrent.py; ignored the other copies "
            "(backup/p02_concurrent.py)") in data["output"]


def test_missing_listed_once_and_late_penalty_applied(mixed, course):
    data = _results(mixed[0])
    lines = data["output"].splitlines()
    raw = sum(t["score"] for t in data["tests"])
    assert lines[0] == f"{data['score']:g} / {course.max_points:g} points"
    assert lines[1] == f"Late: 1 day(s) after the due date, 10% off ({raw:g} before the penalty)."
    assert data["score"] == pytest.approx(raw * 0.9)
    missing = [line for line in lines if line.startswith("Not in your upload")]
    assert len(missing) == 1 and "p04_isolation.py" in missing[0] and "p05_join" not in missing[0]
    assert _tests(data)[("p04_isolation", "total")]["output"] == \
        "not in your upload: p04_isolation.py — nothing to grade for this exercise"


@pytest.fixture(scope="module")
def stubs(bundle, tmp_path_factory):
    root = _unpack(bundle, tmp_path_factory.mktemp("stubs"))
    _submit(root, {f"{ex}.py": _stub(ex) for ex in STUBS})
    return root, _run(root)


@pytest.fixture(scope="module")
def stubs_graded_here(course, sandbox, tmp_path_factory):
    """The same stubs graded by the kit's own pipeline (what `grader grade` does)."""
    from grader import grading, intake
    tmp = tmp_path_factory.mktemp("stubs-here")
    ws = intake.take_in("stub", ROOT / "exercises", course, tmp / "ws")
    return grading.grade_workspace(course, ws, sandbox, exercises=list(COMPARED))


STUBS = ("p05_join", "t06_deadlock", "t10_pools")
# t10's stub is left out of the comparison: its `bounded` verdict is not stable (measured: 1
# failure in 3 in-process runs of the same stub), whoever grades it.
COMPARED = ("p05_join", "t06_deadlock")


def test_stubs_fail_as_under_grader_grade(stubs, stubs_graded_here):
    """The budget and the text cleaning change no verdict: the same checks fail, each with
    its explanation (p05's join-in-loop named at its line)."""
    tests = _tests(_results(stubs[0]))
    here = {(c.exercise, c.check): c for c in stubs_graded_here.checks}
    assert {k for k, t in tests.items() if k[0] in COMPARED and t["score"] < t["max_score"]} == \
        {k for k, c in here.items() if c.status != "passed"}
    for key, c in here.items():
        out = tests[key]["output"]
        assert bool(out) == bool(c.message), key
        assert "hidden files removed" not in out and " object at 0x" not in out
    assert "`p.join()` on line 23 is inside the loop that starts them" in \
        tests[("p05_join", "overlap")]["output"]


def test_t10_futures_message_is_whole(stubs):
    out = _tests(_results(stubs[0]))[("t10_pools", "results_in_order")]["output"]
    assert "it returned [<Future>, <Future>, …]" in out
    assert "<concurrent.futures" not in out


@pytest.mark.parametrize("upload", [{}, {"notes.txt": "hello", "main.py": "print(1)\n"}])
def test_empty_or_unrecognised_upload_lists_expected_files_once(bundle, tmp_path, course, upload):
    root = _unpack(bundle, tmp_path / "autograder")
    _submit(root, upload)
    run = _run(root)
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    assert data["score"] == 0
    holds = "(it holds: main.py, notes.txt)" if upload else "(it is empty)"
    assert f"Nothing to grade: none of the expected files is in your upload {holds}. " \
           f"Expected: p01_create.py, p02_concurrent.py" in data["output"]
    for ex in course.exercises:
        name = f"{ex.module}.py"
        assert data["output"].count(name) == 1
        for c in ex.checks:
            assert _tests(data)[(ex.id, c.id)]["output"] == \
                f"not in your upload: {name} — nothing to grade for this exercise"


def test_leaking_submission_shows_nothing_of_the_hidden_files(bundle, tmp_path, course):
    """At the weak 'session' level (as in a container without user namespaces) the student's
    code can read the checks and course.yaml; it prints them and raises with them, at import
    and in a call. No line of those files reaches results.json or run_autograder's output."""
    root = _unpack(bundle, tmp_path / "autograder")
    source = root / "source"
    reader = (f"import glob, sys\nFILES = sorted(glob.glob({str(source)!r} + '/grader/checks/*.py'))"
              f" + [{str(source / 'course.yaml')!r}]\n"
              "TEXT = '\\n'.join(open(p).read() for p in FILES)\n")
    _submit(root, {
        "p05_join.py": reader + "def run_and_wait(task, durations):\n    print(TEXT)\n"
                                "    print(TEXT, file=sys.stderr)\n    raise RuntimeError(TEXT)\n",
        "t01_create.py": reader + "raise ValueError(TEXT[5000:])\n"})
    run = _run(root, KIT_SANDBOX_LEVEL="session")
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    shown = json.dumps(data, ensure_ascii=False) + run.stdout + run.stderr
    outputs = "\n".join([data["output"], *(t["output"] for t in data["tests"])])
    assert "hidden files removed" in _tests(data)[("p05_join", "overlap")]["output"]
    assert "hidden files removed" in _tests(data)[("t01_create", "own_threads")]["output"]
    public = {line.strip() for p in (ROOT / "exercises" / "_kit").rglob("*.py")
              for line in p.read_text().splitlines()}
    hidden_files = [*sorted((source / "grader" / "checks").glob("*.py")), source / "course.yaml"]
    leaked = [line.strip() for p in hidden_files for line in p.read_text().splitlines()
              if len(line.strip()) >= 24 and line.strip() not in public
              and line.strip() in outputs]
    assert leaked == []
    for marker in ("def test_", "from grader", "student.call", "points:", "Hidden checks"):
        assert marker not in shown
    assert "Sandbox: your code ran at the 'session' level here" in data["output"]


@pytest.fixture
def public_tmp():
    """A folder every user may pass through and read, as /autograder is on Gradescope (pytest's
    own tmp_path is under a 0700 folder, which would hide the course by accident)."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="kit-gs-public-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid level is root's (a container's root)")
def test_uid_level_cannot_read_the_course(bundle, public_tmp, course):
    """Root without namespaces (Gradescope's container): the student's code runs as a uid of
    its own, and run_autograder has made /autograder unreadable to it. A submission that tries
    to read course.yaml and the hidden checks gets a PermissionError and an empty listing, so
    there is nothing to clean out of its output; a world-readable file elsewhere (the control)
    does reach its output, so the reading and the echoing work at this level."""
    from grader import sandbox
    root = _unpack(bundle, public_tmp / "autograder")
    source = root / "source"
    canary = public_tmp / "public.txt"
    canary.write_text("CANARY-world-readable-7731")
    canary.chmod(0o644)
    assert sandbox.readable_by_others(source)          # as unpacked: everyone could read it
    spy = (f"import glob, os\nSOURCE = {str(source)!r}\n"
           "def attempt(path):\n    try:\n        return open(path).read()\n"
           "    except OSError as exc:\n        return type(exc).__name__\n"
           "CHECKS = glob.glob(SOURCE + '/grader/checks/*.py')\n"
           "TEXT = '\\n'.join(attempt(p) for p in CHECKS)\n"
           f"REPORT = ('canary=' + attempt({str(canary)!r}) + '; uid=' + str(os.getuid())"
           " + '; course.yaml: ' + attempt(SOURCE + '/course.yaml')"
           " + '; grader/checks/p05_join.py: ' + attempt(SOURCE + '/grader/checks/p05_join.py')"
           " + '; checks listed: ' + str(len(CHECKS)) + '\\n' + TEXT)\n")
    _submit(root, {
        "p05_join.py": spy + "def run_and_wait(task, durations):\n    print(REPORT)\n"
                             "    raise RuntimeError(REPORT)\n",
        "t01_create.py": spy + "raise ValueError(REPORT)\n"})
    run = _run(root, KIT_SANDBOX_LEVEL="uid")
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    iso = data["extra_data"]["isolation"]
    assert iso["level"] == "uid"
    assert not [w for w in iso["lacking"] if "readable by other users" in w], iso["lacking"]
    assert not sandbox.readable_by_others(source)
    for key in (("p05_join", "overlap"), ("t01_create", "own_threads")):
        out = _tests(data)[key]["output"]
        assert "canary=CANARY-world-readable-7731; uid=6" in out, out
        assert ("course.yaml: PermissionError; grader/checks/p05_join.py: PermissionError; "
                "checks listed: 0") in out, out
        assert "hidden files removed" not in out          # nothing of them was read at all
    shown = json.dumps(data, ensure_ascii=False) + run.stdout + run.stderr
    hidden_files = [*sorted((source / "grader" / "checks").glob("*.py")), source / "course.yaml"]
    outputs = "\n".join([data["output"], *(t["output"] for t in data["tests"])])
    public = {line.strip() for p in (ROOT / "exercises" / "_kit").rglob("*.py")
              for line in p.read_text().splitlines()}
    assert [line.strip() for p in hidden_files for line in p.read_text().splitlines()
            if len(line.strip()) >= 24 and line.strip() not in public
            and line.strip() in outputs] == []
    for marker in ("def test_", "from grader", "student.call", "points:", "Hidden checks"):
        assert marker not in shown
    assert "Sandbox: your code ran at the 'uid' level here" in data["output"]


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
@pytest.mark.parametrize("level", ["", "session"], ids=["detected", "session"])
def test_in_a_container_like_user_namespace(bundle, tmp_path, course, level):
    """run_autograder as root of a user namespace without the host's capabilities (as in a
    rootless container): the reference of one exercise still gets its points."""
    root = _unpack(bundle, tmp_path / "autograder")
    _submit(root, {"p05_join.py": _solution("p05_join")})
    env = _env(root, **({"KIT_SANDBOX_LEVEL": level} if level else {}))
    run = subprocess.run(["unshare", "--user", "--map-root-user", str(root / "run_autograder")],
                         cwd=root, env=env, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    assert data["score"] == course.exercise("p05_join").max_points, data["tests"][24]["output"]


def test_missing_venv_still_writes_results(bundle, tmp_path):
    root = _unpack(bundle, tmp_path / "autograder")
    (root / "kit-setup.status").write_text("failed: installing requirements.txt failed\n")
    run = _run(root, KIT_PYTHON=str(root / "venv" / "bin" / "python"))
    assert run.returncode == 1
    data = _results(root)
    assert data["score"] == 0 and data["tests"] == [] and "could not grade" in data["output"]
    assert data["extra_data"]["grader_error"] == (
        f"the autograder's Python ({root}/venv/bin/python) is missing or older than 3.11; "
        f"setup.sh: failed: installing requirements.txt failed (see {root}/kit-setup.log)")


def test_run_autograder_fails_closed(bundle, tmp_path):
    root = _unpack(bundle, tmp_path / "autograder")
    (root / "source" / "course.yaml").write_text("course: [broken\n")
    run = _run(root)
    assert run.returncode == 1
    data = _results(root)
    assert data["score"] == 0 and data["tests"] == [] and "could not grade" in data["output"]
    assert "not valid YAML" in data["extra_data"]["grader_error"]


def _hanging(root: Path) -> None:
    """Every function of every stub replaced by a loop that never ends."""
    loop = ast.parse("import time\nwhile True:\n    time.sleep(0.2)\n").body
    files = {}
    for ex in manifest.load(ROOT / "course.yaml").exercises:
        tree = ast.parse(_stub(ex.id).read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                node.body = loop
        files[f"{ex.module}.py"] = ast.unparse(tree) + "\n"
    _submit(root, files)


def test_a_kill_at_any_moment_leaves_a_valid_results_file(bundle, tmp_path, course):
    root = _unpack(bundle, tmp_path / "autograder")
    _hanging(root)
    proc = subprocess.Popen([str(root / "run_autograder")], cwd=root,
                            env=_env(root, KIT_TIME_BUDGET="120"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = root / "results" / "results.json"
    seen = 0
    try:
        start = time.monotonic()
        while time.monotonic() - start < 8:
            if path.exists():
                _schema_ok(json.loads(path.read_text()), course)   # never half a file
                seen += 1
            time.sleep(0.25)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert seen >= 3
    data = _results(root)
    _schema_ok(data, course)
    outputs = [t["output"] for t in data["tests"]]
    assert any(o.startswith("Not graded yet: the autograder stopped before it reached this "
                            "exercise") for o in outputs)
    assert "exercises were graded: the autograder was stopped" in data["output"]


@pytest.mark.slow
def test_hanging_submission_finishes_within_its_budget(bundle, tmp_path, course):
    """Every function hangs: before the budget ends a valid results.json is there, and the
    run ends by itself (well before Gradescope would kill it) with every check explained."""
    budget = 45
    root = _unpack(bundle, tmp_path / "autograder")
    _hanging(root)
    start = time.monotonic()
    proc = subprocess.Popen([str(root / "run_autograder")], cwd=root,
                            env=_env(root, KIT_TIME_BUDGET=str(budget)), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(max(budget - 2 - (time.monotonic() - start), 0))
        _schema_ok(_results(root), course)            # there before the budget ends
        out, _ = proc.communicate(timeout=budget + gradescope.HARD_STOP_AFTER)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    took = time.monotonic() - start
    assert proc.returncode == 0, out
    assert took < budget + 5, (took, out)
    data = _results(root)
    _schema_ok(data, course)
    assert data["score"] == 0 and data["extra_data"]["time_budget"] == budget
    outputs = [t["output"] for t in data["tests"]]
    assert any("(This check had" in o and "shared among the exercises.)" in o for o in outputs)
    assert any(o.startswith("Not graded: too little was left of the autograder's time")
               for o in outputs)
    assert all(o for o in outputs)


@pytest.mark.slow
def test_reference_on_one_cpu_gets_full_marks(bundle, tmp_path, course):
    """Solutions uploaded flat, the whole run pinned to one CPU: t08's multi-core checks
    cannot run; their points count through t08's other checks, so the total is full."""
    root = _unpack(bundle, tmp_path / "autograder")
    _submit(root, {f"{ex.module}.py": _solution(ex.id) for ex in course.exercises})
    run = _run(root, cpus={0})
    assert run.returncode == 0, run.stdout + run.stderr
    data = _results(root)
    _schema_ok(data, course)
    assert data["score"] == pytest.approx(course.max_points), data["output"]
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(course.max_points)
    skipped = [t for t in data["tests"] if t["extra_data"]["outcome"] == "skipped"]
    assert skipped and {t["extra_data"]["exercise"] for t in skipped} == {"t08_gil"}
    for t in skipped:
        assert t["status"] == "passed" and t["max_score"] == 0
        assert t["output"].startswith("Not run on this machine, and not counted: ")
    t08 = [t for t in data["tests"] if t["extra_data"]["exercise"] == "t08_gil"]
    assert sum(t["score"] for t in t08) == pytest.approx(course.exercise("t08_gil").max_points)
    assert "points count through the other checks of t08_gil." in data["output"]
    assert all(t["status"] == "passed" for t in data["tests"])
    kit = results.SubmissionResult.from_dict(data)      # the kit's reading of the same file
    assert kit.score == kit.max_score == pytest.approx(course.max_points)


@pytest.mark.slow
@pytest.mark.parametrize("no_venv_module", [False, True])
def test_setup_makes_a_pinned_venv(bundle, tmp_path, no_venv_module):
    """setup.sh without apt: the stdlib's venv, or (python3-venv missing) uv from PyPI."""
    root = tmp_path / "autograder"
    _unpack(bundle, root)
    env = {**os.environ, "KIT_AUTOGRADER_DIR": str(root), "KIT_NO_APT": "1"}
    if no_venv_module:
        env["KIT_SETUP_NO_VENV_MODULE"] = "1"
    run = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env,
                         capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stderr + (root / "kit-setup.log").read_text()
    assert (root / "kit-setup.status").read_text().startswith("ok: Python 3.")
    assert ("uv" in (root / "kit-setup.log").read_text()) == no_venv_module
    pins = dict(line.split("==") for line in (root / "source" / "requirements.txt")
                .read_text().splitlines() if "==" in line)
    frozen = subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                             "import pytest, yaml; print(pytest.__version__, yaml.__version__)"],
                            capture_output=True, text=True).stdout.split()
    assert frozen == [pins["pytest"], pins["pyyaml"]]
