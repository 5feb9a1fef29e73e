"""Public tests for t11_callbacks. Run them with `pytest` in this folder."""
import functools

import pytest

from _kit.testing import run_exercise, together, worker
from _kit.workers_t11_callbacks import analysis_of, page_for

URLS = [f"http://example.com/page{i}" for i in range(6)]
SALT = "public"


@functools.lru_cache(maxsize=None)      # one crawl, judged by several tests
def crawl(fail_on=None):
    # 6 pages fetched by 3 workers: two rounds of 0.2 s, so a page fetched in the first
    # round can be analysed while the second round is fetched
    fetch = worker("workers_t11_callbacks.Fetch", salt=SALT, seconds=0.2, fail_on=fail_on)
    analyze = worker("workers_t11_callbacks.Analyze", seconds=0.05)
    return run_exercise(__file__, "crawl_and_analyze", URLS, fetch, analyze, 3, timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _runs_at_once():
    """The two crawls mostly wait for the fetches' sleeps: make them at the same time."""
    together(crawl, lambda: crawl(fail_on=URLS[2]))


def test_returns_each_pages_analysis():
    r = crawl()
    assert r.returned, r.explain()
    expected = {url: analysis_of(page_for(url, SALT)) for url in URLS}
    assert r.value == expected, f"expected {{url: analyze(page)}} for the 6 urls, got {r.value!r:.400}"


def test_pages_are_analysed_while_others_are_fetched():
    r = crawl()
    assert r.returned, r.explain()
    analyses = [e["t"] for e in r.events if e["ev"] == "analyze_start"]
    fetches = [e["t"] for e in r.events if e["ev"] == "fetch_end"]
    assert analyses and fetches, "no page was fetched and analysed with the fetch and analyze you were given"
    first_analysis, last_fetch = min(analyses), max(fetches)
    assert first_analysis < last_fetch, (
        f"the first analysis started only after the last page had arrived "
        f"({first_analysis - last_fetch:+.2f} s), so it all took {r.call_time:.2f} s: "
        f"analyse each page from a done-callback (future.add_done_callback) as soon as its "
        f"own fetch is done")


def test_a_failed_fetch_reaches_the_caller():
    r = crawl(fail_on=URLS[2])
    assert r.status == "raised" and r.exc_type == "FetchFailed", (
        f"fetching {URLS[2]} raised FetchFailed, but crawl_and_analyze "
        + ("returned normally: the error was swallowed. An exception raised inside a "
           "done-callback is only logged; re-raise a failed fetch (future.result()) in the "
           "caller" if r.returned else r.explain()))
