"""The instructor's class report: one self-contained HTML page (DIR/report.html) built from
every DIR/<student>/results.json — score distribution, pass rate per exercise and per check,
the most common failure per check, the slowest and the crashing submissions, and a link to
each student's feedback. The instructor sees everything, whatever the checks' visibility."""
from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from . import results, student_id
from .feedback import CSS
from .manifest import Course
from .results import SubmissionResult

CRASHES = {"crashed", "timeout", "deadlock", "output_limit", "forged", "import_failed"}


def _bars(values: list[tuple[str, float]], width: int = 560, unit: str = "%") -> str:
    """A horizontal bar chart as inline SVG: (label, value 0..100)."""
    row, label_w = 22, 150
    height = row * len(values) + 4
    out = [f"<svg width='{width}' height='{height}' role='img'>"]
    for i, (label, value) in enumerate(values):
        y = i * row + 2
        w = max(0.0, min(100.0, value)) / 100 * (width - label_w - 50)
        out.append(f"<text class='axis' x='0' y='{y + 14}'>{html.escape(label)}</text>"
                   f"<rect class='bar' x='{label_w}' y='{y + 3}' width='{w:.1f}' height='14'/>"
                   f"<text class='axis' x='{label_w + w + 4:.1f}' y='{y + 14}'>{value:.0f}{unit}</text>")
    out.append("</svg>")
    return "".join(out)


def _histogram(percents: list[float], width: int = 560, height: int = 160) -> str:
    bins = [0] * 10
    for p in percents:
        bins[min(9, int(p // 10))] += 1
    top = max(bins) or 1
    bw = width / 10
    pad = 16                                   # room for the count above the tallest bar
    out = [f"<svg width='{width}' height='{height + 20 + pad}' role='img'>"]
    for i, n in enumerate(bins):
        h = n / top * height
        out.append(f"<g transform='translate(0,{pad})'>"
                   f"<rect class='bar' x='{i * bw + 2:.1f}' y='{height - h:.1f}' "
                   f"width='{bw - 4:.1f}' height='{h:.1f}'><title>{n} student(s)</title></rect>"
                   f"<text class='axis' x='{i * bw + 4:.1f}' y='{height + 14}'>{i * 10}–{i * 10 + 10}%</text>"
                   + (f"<text class='axis' x='{i * bw + bw / 2 - 4:.1f}' y='{height - h - 3:.1f}'>{n}</text>" if n else "")
                   + "</g>")
    out.append("</svg>")
    return "".join(out)


def _weak_sandbox_warning(graded: list[SubmissionResult]) -> str:
    """A banner naming the students graded at a weak sandbox level (--unsafe-sandbox)."""
    weak = sorted(r.student for r in graded
                  if r.isolation and r.isolation.get("strong") is False)
    if not weak:
        return ""
    shown = ", ".join(html.escape(s) for s in weak[:20]) + (" …" if len(weak) > 20 else "")
    return ("<p class='warning'><strong>Weak sandbox:</strong> "
            f"{len(weak)} submission(s) were graded where the student's code could reach the "
            "grader's files and the network (--unsafe-sandbox); their scores are only as "
            f"trustworthy as their code: {shown}</p>")


def render(course: Course, graded: list[SubmissionResult],
           folders: Mapping[str, str] | None = None) -> str:
    """The page; `folders` maps a student id to its results folder (default: the one
    `student_id.assign_folders` gives the class)."""
    if folders is None:
        folders = student_id.assign_folders(r.student for r in graded).by_student
    e = html.escape
    n = len(graded)
    percents = [100 * r.score / r.max_score if r.max_score else 0.0 for r in graded]
    ex_rows, check_rows = [], []
    for ex in course.exercises:
        scores = [s for s in (r.exercise_scores().get(ex.id) for r in graded) if s is not None]
        if not scores:
            continue
        full = sum(1 for got, top in scores if top and got >= top)
        mean = sum(100 * got / top for got, top in scores if top) / len(scores)
        ex_rows.append((ex.id, 100 * full / len(scores), mean))
        for check in ex.checks:
            outcomes = [c for r in graded for c in r.checks
                        if c.exercise == ex.id and c.check == check.id]
            if not outcomes:
                continue
            passed = sum(c.status == "passed" for c in outcomes)
            failures = Counter(c.message.splitlines()[0][:160] for c in outcomes
                               if c.status != "passed" and c.message)
            common = failures.most_common(1)
            check_rows.append((ex.id, check.id, check.kind, 100 * passed / len(outcomes),
                               f"{common[0][0]} (×{common[0][1]})" if common else ""))
    slowest = sorted(graded, key=lambda r: -r.execution_time)[:5]
    crashed = [(r.student, sorted({f"{c.exercise}: {c.evidence.get('status')}" for c in r.checks
                                   if c.evidence.get("status") in CRASHES or c.status == "error"}))
               for r in graded]
    crashing = [(s, what) for s, what in crashed if what]
    mean_all = sum(percents) / n if n else 0.0
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(course.title)}"
             f": class report</title><style>{CSS}</style></head><body>",
             f"<h1>{e(course.title)}: class report</h1>",
             _weak_sandbox_warning(graded),
             f"<p>{n} submission(s) graded · mean {mean_all:.0f}% · "
             f"{sum(1 for p in percents if p >= 99.999)} with full marks</p>",
             "<h2>Score distribution</h2>", _histogram(percents),
             "<h2>Exercises: students with full marks</h2>",
             _bars([(ex, full) for ex, full, _ in ex_rows]),
             "<h2>Checks</h2><table><tr><th>exercise</th><th>check</th><th>kind</th>"
             "<th>passed</th><th>most common failure</th></tr>"]
    for ex_id, cid, kind, rate, most_common in check_rows:
        parts.append(f"<tr><td>{e(ex_id)}</td><td>{e(cid)}</td><td>{e(kind)}</td>"
                     f"<td>{rate:.0f}%</td><td>{e(most_common)}</td></tr>")
    parts.append("</table><h2>Slowest submissions</h2><table><tr><th>student</th><th>grading time</th></tr>")
    for r in slowest:
        parts.append(f"<tr><td>{e(r.student)}</td><td>{r.execution_time:.1f} s</td></tr>")
    parts.append("</table><h2>Crashing submissions</h2>")
    if crashing:
        parts.append("<table><tr><th>student</th><th>what happened</th></tr>")
        for student, what in crashing:
            parts.append(f"<tr><td>{e(student)}</td><td>{e(', '.join(what))}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Students</h2><table><tr><th>student</th><th>score</th><th>feedback</th></tr>")
    for r, pct in sorted(zip(graded, percents), key=lambda x: x[0].student):
        folder = html.escape(folders[r.student], quote=True)
        parts.append(f"<tr><td>{e(r.student)}</td><td>{r.score:g} / {r.max_score:g} ({pct:.0f}%)</td>"
                     f"<td><a href='{folder}/feedback.html'>feedback</a> · "
                     f"<a href='{folder}/results.json'>results.json</a></td></tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"


def write(course: Course, out_dir: Path) -> Path:
    path = out_dir / "report.html"
    found = sorted(out_dir.glob("*/results.json"))
    graded = [results.load(p) for p in found]
    folders = {r.student: p.parent.name for r, p in zip(graded, found, strict=True)}
    results.write_atomic(path, render(course, graded, folders))
    return path
