"""Hidden checks for t11_callbacks: asynchronous submit, analysis in done-callbacks."""
from __future__ import annotations

import math
import secrets
from collections import Counter

from _kit.launch import Run
from _kit.workers_t11_callbacks import analysis_of, page_for
from grader.evidence import best_of
from grader.harness import Student, fail, worker

# Other sizes than the public tests: 12 urls, 3 workers, 4 rounds of fetching.
URLS = [f"https://{secrets.token_hex(3)}.example.org/{i}" for i in range(12)]
WORKERS, FETCH, ANALYZE = 3, 0.3, 0.1
SALT = secrets.token_hex(4)
ROUNDS = math.ceil(len(URLS) / WORKERS)
# Fetch everything, then analyse everything: the analyses all wait for the last fetch, so no
# such run can ever take less than this (sleeps are lower bounds).
SERIAL = ROUNDS * FETCH + len(URLS) * ANALYZE                      # 2.4 s
# Pipelined: only the last round's analyses come after the last fetch (even one at a time).
PIPELINED = ROUNDS * FETCH + WORKERS * ANALYZE                     # 1.5 s
# Well above the pipelined time (process start-up, a loaded machine), still below anything
# that analyses after the last fetch.
BOUND = PIPELINED + 0.7 * (SERIAL - PIPELINED)                     # 2.13 s


def _crawl(student: Student, fresh: bool = False, fail_on: str | None = None) -> Run:
    fetch = worker("workers_t11_callbacks.Fetch", salt=SALT, seconds=FETCH, fail_on=fail_on)
    analyze = worker("workers_t11_callbacks.Analyze", seconds=ANALYZE)
    call = student.call if fresh or fail_on else student.shared_call
    return call("crawl_and_analyze", list(URLS), fetch, analyze, WORKERS, timeout=12)


def _events(run: Run, kind: str) -> list[dict]:
    return [e for e in run.events if e["ev"] == kind]


def test_results(student: Student) -> None:
    run = _crawl(student)
    value = student.require(run)
    expected = {url: analysis_of(page_for(url, SALT)) for url in URLS}
    if not isinstance(value, dict):
        fail(f"crawl_and_analyze should return a dict {{url: analysis}}; it returned a "
             f"{type(value).__name__}: {value!r:.200}")
    missing = [u for u in URLS if u not in value]
    wrong = [u for u in URLS if u in value and value[u] != expected[u]]
    extra = [k for k in value if k not in expected]
    if missing or wrong or extra:
        hint = ""
        analysed = {e["arg"] for e in _events(run, "analyze_end")}
        if not analysed:
            hint = " No page was analysed at all: analyze() was never called."
        elif len(set(map(repr, value.values()))) < len(value) or missing:
            hint = (" If a callback is a lambda or a function defined in the loop, it sees the "
                    "loop variable's *last* value when it runs: bind each url (functools."
                    "partial, or a default argument).")
        examples = "; ".join(part for part in (
            f"e.g. {missing[0]!r} is missing" if missing else "",
            f"{wrong[0]!r} maps to {value[wrong[0]]!r:.40}, not {expected[wrong[0]]!r}"
            if wrong else "",
            f"{extra[0]!r:.60} is not one of the urls" if extra else "") if part)
        fail(f"of {len(URLS)} urls, {len(missing)} are missing from the result, {len(wrong)} "
             f"carry another page's analysis and {len(extra)} keys are not urls ({examples})."
             + hint)


def test_pipelined(student: Student) -> None:
    run = _crawl(student)
    student.require(run)
    starts, fetched = _events(run, "analyze_start"), _events(run, "fetch_end")
    if not starts or not fetched:
        fail("no page was fetched and analysed with the fetch and analyze you were given")
    first, last = min(e["t"] for e in starts), max(e["t"] for e in fetched)
    if first >= last:
        fail(f"no page was analysed until the last fetch had finished (the first analysis "
             f"started {first - last:.2f} s after it): analyse each page from a done-callback "
             f"as soon as its own fetch is done, while the others are still being fetched")


def test_exactly_once(student: Student) -> None:
    run = _crawl(student)
    student.require(run)
    seen = Counter(e["arg"] for e in _events(run, "analyze_start"))
    fetched = Counter(e["arg"] for e in _events(run, "fetch_start"))
    twice = sorted(u for u, n in seen.items() if n > 1)
    never = [u for u in URLS if not seen[u]]
    if not seen and not fetched:
        fail("no url was fetched and no page analysed with the fetch and analyze you were given")
    if twice or never:
        fail(f"each page must be analysed exactly once: {len(twice)} were analysed more than "
             f"once (e.g. {twice[0] if twice else '-'}: {seen[twice[0]] if twice else 0} times) "
             f"and {len(never)} never")
    if any(fetched[u] != 1 for u in URLS):
        fail(f"each url must be fetched exactly once; fetch counts: "
             f"{sorted(fetched.values())}")


def test_wall_time(student: Student) -> None:
    def measure(run: Run):
        return run.call_time, run.call_time is not None and run.call_time <= BOUND

    attempts = iter([False, True, True])    # the shared run first, then fresh ones
    elapsed, run = best_of(3, lambda: _crawl(student, fresh=next(attempts)), measure)
    student.require(run)
    done = {e["arg"] for e in _events(run, "analyze_end") if e["t"] <= run.call_end}
    if len(done & set(URLS)) < len(URLS):
        fail(f"only {len(done & set(URLS))} of the {len(URLS)} pages had been fetched and "
             f"analysed when crawl_and_analyze returned (after {elapsed:.2f} s), so its time "
             f"says nothing about the crawl: fetch and analyse every page before returning.")
    if elapsed > BOUND:
        fail(f"{len(URLS)} pages ({FETCH:g} s to fetch, {ANALYZE:g} s to analyse, {WORKERS} "
             f"workers) took {elapsed:.2f} s; analysing each page while the others are still "
             f"being fetched takes about {PIPELINED:.2f} s, fetching everything first and then "
             f"analysing {SERIAL:.2f} s")


def test_errors_reported(student: Student) -> None:
    bad = URLS[5]
    run = _crawl(student, fail_on=bad)
    if not any(e["arg"] == bad for e in _events(run, "fetch_end")):
        fail(f"{bad} was never fetched (its fetch would have raised FetchFailed), so whether "
             f"a failed fetch reaches the caller could not be seen; crawl_and_analyze "
             + (f"returned {run.value!r:.80}" if run.returned else run.explain()))
    if run.returned:
        fail(f"fetching {bad} raised FetchFailed, but crawl_and_analyze returned normally: the "
             f"error was swallowed. An exception raised inside a done-callback is only logged, "
             f"so check future.exception() in the callback and re-raise the failed fetch "
             f"(future.result()) in the caller")
    if run.status != "raised":
        fail(run.explain())
    if run.exc_type != "FetchFailed" or SALT not in run.message:
        fail(f"fetching {bad} raised FetchFailed; the caller got {run.exc_type}: "
             f"{run.message[:200]} instead. Let the fetch's own exception through")
