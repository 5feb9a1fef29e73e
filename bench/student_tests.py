"""A student's own test runs: `pytest` in one exercise folder, and `pytest exercises/` over the
whole tree, timed as the student sees them (wall time of the command).

Two trees, each a copy of exercises/ laid out as the student bundle (`grader release`: its
pyproject.toml beside exercises/):

* solution: solutions/<id>/*.py copied over each stub (every test should pass);
* stubs: the untouched exercises/ (each test fails or passes as tests/expectations says).

For each tree: `pytest` run in every exercise folder (wall per folder), then `pytest
exercises/` from the bundle's root (the total). The command is the project venv's `pytest`
console script with nothing added but `--junitxml` (to read every test's outcome and message).

    python bench/student_tests.py [--json out.json] [--compare before.json]
    python bench/student_tests.py --loaded 3      # only: `pytest exercises/` on both trees 3
                                                  # times with every core kept busy by a spinner;
                                                  # outcomes against tests/expectations
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from _common import ROOT, busy_cores

from grader.release import PYPROJECT

EXERCISES = sorted(p.name for p in (ROOT / "exercises").iterdir()
                   if p.is_dir() and re.match(r"[pt]\d\d_", p.name))


def pytest_cmd() -> list[str]:
    script = ROOT / ".venv" / "bin" / "pytest"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pytest"]


def make_tree(dest: Path, solution: bool) -> Path:
    """A bundle-like copy: dest/pyproject.toml and dest/exercises/ (stubs, or solutions)."""
    shutil.copytree(ROOT / "exercises", dest / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"))
    (dest / "pyproject.toml").write_text(PYPROJECT)
    if solution:
        for ex in EXERCISES:
            for f in (ROOT / "solutions" / ex).glob("*.py"):
                shutil.copy(f, dest / "exercises" / ex / f.name)
    return dest


def normalise(message: str) -> str:
    """A failure's first line, with numbers (times, pids) blurred so two runs compare."""
    first = next((line for line in message.splitlines() if line.strip()), "")
    return re.sub(r"\d+(\.\d+)?", "#", first)[:160]


def outcomes(junit: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    if not junit.exists():
        return found
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            el = case.find(tag)
            if el is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
                message = el.get("message") or ""
        found[name] = {"outcome": outcome, "message": normalise(message),
                       "time": float(case.get("time") or 0)}
    return found


def expected_stub_failures() -> set[str]:
    """file::test of every public test the untouched stub fails (tests/expectations)."""
    import yaml
    found = set()
    for ex in EXERCISES:
        data = yaml.safe_load((ROOT / "tests" / "expectations" / f"{ex}.yaml").read_text())
        found |= {f"test_{ex}::{name}" for name in data.get("public_stub_fails") or []}
    return found


def unexpected(tests: dict, stub: bool) -> dict[str, str]:
    """Tests whose outcome is not the expected one: on the solutions every test passes (or is
    skipped for the platform); on the stubs exactly those of tests/expectations fail."""
    fails = expected_stub_failures() if stub else set()
    wrong = {}
    for name, t in tests.items():
        should_fail = name in fails
        if (t["outcome"] in ("failed", "error")) != should_fail:
            wrong[name] = f"{t['outcome']} {t['message']}"
    missing = fails - set(tests) if stub else set()
    wrong.update({name: "not run" for name in missing})
    return wrong


def run_pytest(cwd: Path, args: list[str], junit: Path, timeout: float = 600) -> dict:
    t0 = time.monotonic()
    proc = subprocess.run([*pytest_cmd(), *args, f"--junitxml={junit}"], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    wall = time.monotonic() - t0
    return {"wall": round(wall, 2), "code": proc.returncode, "tests": outcomes(junit),
            "tail": (proc.stdout + proc.stderr)[-1500:]}


def measure_tree(tree: Path, label: str, per_folder: bool = True, repeat: int = 1) -> dict:
    """Each folder `repeat` times (its median wall is kept: other work on the machine comes
    and goes), then the whole tree once."""
    result: dict = {"folders": {}}
    if per_folder:
        for ex in EXERCISES:
            runs = [run_pytest(tree / "exercises" / ex, [], tree / f"junit-{ex}.xml")
                    for _ in range(repeat)]
            walls = sorted(r["wall"] for r in runs)
            r = {**runs[-1], "wall": walls[len(walls) // 2], "walls": walls}
            result["folders"][ex] = r
            counts = summary(r["tests"])
            print(f"  {label:8} {ex:24} {r['wall']:6.2f} s  {counts}"
                  + (f"  (of {', '.join(f'{w:.2f}' for w in walls)})" if repeat > 1 else ""),
                  flush=True)
    r = run_pytest(tree, ["exercises/"], tree / "junit-all.xml")
    result["all"] = r
    print(f"  {label:8} {'pytest exercises/':24} {r['wall']:6.2f} s  {summary(r['tests'])}",
          flush=True)
    return result


def summary(tests: dict) -> str:
    counts: dict[str, int] = {}
    for t in tests.values():
        counts[t["outcome"]] = counts.get(t["outcome"], 0) + 1
    return " ".join(f"{n} {k}" for k, n in sorted(counts.items()))


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def print_table(data: dict) -> None:
    for label in ("solution", "stubs"):
        if label not in data:
            continue
        folders = data[label]["folders"]
        walls = [f["wall"] for f in folders.values()]
        if walls:
            print(f"{label}: per folder median {sorted(walls)[len(walls) // 2]:.2f} s, "
                  f"max {max(walls):.2f} s ({max(folders, key=lambda k: folders[k]['wall'])}), "
                  f"sum {sum(walls):.1f} s")
        print(f"{label}: pytest exercises/ {data[label]['all']['wall']:.1f} s "
              f"({summary(data[label]['all']['tests'])})")


def compare(before: dict, after: dict) -> int:
    """Per folder: the stubs' failing tests and messages, before and after. Returns the number
    of differences in outcome."""
    differ = 0
    print("\n| folder | stub wall before | after | solution wall before | after | stub outcomes |")
    print("|---|---|---|---|---|---|")
    for ex in EXERCISES:
        b = before["stubs"]["folders"].get(ex, {})
        a = after["stubs"]["folders"].get(ex, {})
        bs = before["solution"]["folders"].get(ex, {})
        as_ = after["solution"]["folders"].get(ex, {})
        bt, at = b.get("tests", {}), a.get("tests", {})
        changed = [n for n in bt.keys() | at.keys()
                   if bt.get(n, {}).get("outcome") != at.get(n, {}).get("outcome")]
        differ += len(changed)
        failed = sorted(n.split("::")[-1] for n, t in at.items() if t["outcome"] != "passed")
        text = "same" if not changed else "CHANGED: " + ", ".join(changed)
        print(f"| {ex} | {b.get('wall', 0):.2f} | {a.get('wall', 0):.2f} | "
              f"{bs.get('wall', 0):.2f} | {as_.get('wall', 0):.2f} | {text} "
              f"({len(failed)} of {len(at)} fail) |")
    print("\nfailure messages that changed (numbers blurred):")
    for ex in EXERCISES:
        bt = before["stubs"]["folders"].get(ex, {}).get("tests", {})
        at = after["stubs"]["folders"].get(ex, {}).get("tests", {})
        for n in sorted(bt.keys() & at.keys()):
            if bt[n]["message"] != at[n]["message"]:
                print(f"  {n}\n    before: {bt[n]['message']}\n    after:  {at[n]['message']}")
    return differ


def fixtures_outcomes(tmp: Path, jobs: int) -> dict[str, dict]:
    """The public tests of each exercise on every buggy fixture of tests/fixtures/<id>/ (the
    grader's own examples of mistakes), in a folder of its own: "<id>/<fixture>" -> outcomes.
    Comparing two versions of the public tests shows which mistakes they stopped catching."""
    from concurrent.futures import ThreadPoolExecutor
    tasks = []
    for ex in EXERCISES:
        for fixture in sorted((ROOT / "tests" / "fixtures" / ex).glob("*.py")):
            tasks.append((ex, fixture))

    def one(task: tuple[str, Path]) -> tuple[str, dict]:
        ex, fixture = task
        tree = tmp / "fixtures" / ex / fixture.stem
        tree.mkdir(parents=True)
        shutil.copytree(ROOT / "exercises" / "_kit", tree / "exercises" / "_kit",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copytree(ROOT / "exercises" / ex, tree / "exercises" / ex,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache"))
        shutil.copy(ROOT / "exercises" / "conftest.py", tree / "exercises" / "conftest.py")
        (tree / "pyproject.toml").write_text(PYPROJECT)
        shutil.copy(fixture, tree / "exercises" / ex / f"{ex}.py")
        r = run_pytest(tree / "exercises" / ex, [], tree / "junit.xml")
        return f"{ex}/{fixture.stem}", r

    found = {}
    with ThreadPoolExecutor(jobs) as pool:
        for name, r in pool.map(one, tasks):
            found[name] = {"wall": r["wall"], "tests": r["tests"]}
            print(f"  fixture {name:40} {r['wall']:6.2f} s  {summary(r['tests'])}", flush=True)
    return found


def compare_fixtures(before: dict, after: dict) -> int:
    differ = 0
    for name in sorted(before.keys() & after.keys()):
        bt, at = before[name]["tests"], after[name]["tests"]
        for test in sorted(bt.keys() | at.keys()):
            b, a = bt.get(test, {}).get("outcome"), at.get(test, {}).get("outcome")
            if b != a:
                differ += 1
                print(f"  {name} {test.split('::')[-1]}: {b} -> {a}"
                      f"\n    before: {bt.get(test, {}).get('message', '')}"
                      f"\n    after:  {at.get(test, {}).get('message', '')}")
    walls = [(sum(x[n]["wall"] for n in x), len(x)) for x in (before, after)]
    print(f"fixtures: {walls[1][1]} runs; wall summed {walls[0][0]:.0f} s before, "
          f"{walls[1][0]:.0f} s after; {differ} test outcomes differ")
    return differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write every figure and outcome here")
    ap.add_argument("--compare", type=Path, help="an earlier --json: print the before/after table")
    ap.add_argument("--loaded", type=int, default=0, metavar="N",
                    help="only run `pytest exercises/` on both trees N times with every core "
                         "kept busy, and compare the outcomes with tests/expectations")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="run each folder N times and keep the median wall")
    ap.add_argument("--no-per-folder", action="store_true")
    ap.add_argument("--only", choices=["solution", "stubs"], help="measure one tree only")
    ap.add_argument("--fixtures", action="store_true",
                    help="only the public tests on every fixture of tests/fixtures (with "
                         "--compare: the outcomes that changed)")
    ap.add_argument("--jobs", type=int, default=2, help="with --fixtures: folders at once")
    args = ap.parse_args()
    data: dict = {"load_before": loadavg(), "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="kit-student-") as tmp:
        if args.fixtures:
            data["fixtures"] = fixtures_outcomes(Path(tmp), args.jobs)
        elif args.loaded:
            trees = {"solution": make_tree(Path(tmp) / "solution", solution=True),
                     "stubs": make_tree(Path(tmp) / "stubs", solution=False)}
            runs = []
            with busy_cores():
                for i in range(args.loaded):
                    for label, tree in trees.items():
                        r = run_pytest(tree, ["exercises/"], tree / f"junit-{i}.xml")
                        wrong = unexpected(r["tests"], stub=label == "stubs")
                        runs.append({"tree": label, "wall": r["wall"], "code": r["code"],
                                     "unexpected": wrong})
                        print(f"loaded run {i + 1}/{args.loaded} {label:8}: {r['wall']:.1f} s, "
                              f"{summary(r['tests'])}, exit {r['code']}, "
                              f"{len(wrong)} outcomes not as expected"
                              + "".join(f"\n  {n}: {w}" for n, w in wrong.items()), flush=True)
            data["loaded"] = runs
        else:
            for label, solution in (("solution", True), ("stubs", False)):
                if args.only and label != args.only:
                    continue
                tree = make_tree(Path(tmp) / label, solution=solution)
                data[label] = measure_tree(tree, label, per_folder=not args.no_per_folder,
                                           repeat=args.repeat)
    data["load_after"] = loadavg()
    print(f"\nload average before {data['load_before']}, after {data['load_after']}")
    if not args.loaded and not args.fixtures:
        print_table(data)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1))
    if args.compare and args.fixtures:
        compare_fixtures(json.loads(args.compare.read_text())["fixtures"], data["fixtures"])
    elif args.compare and not args.loaded and not args.only:
        differ = compare(json.loads(args.compare.read_text()), data)
        print(f"\n{differ} stub test outcomes differ from {args.compare}")


if __name__ == "__main__":
    main()
