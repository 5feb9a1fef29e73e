"""Workers for t11_callbacks: a fetch and an analysis that record when they really ran.

`page_for` and `analysis_of` are shared with the trusted side, which computes the expected
answers itself (from a salt the student's code never sees)."""
from __future__ import annotations

import hashlib

from .events import Recorder, sleep


class FetchFailed(Exception):
    """What a failing fetch raises: the caller of crawl_and_analyze must see it."""


def page_for(url: str, salt: str) -> str:
    return f"<html><title>{url}</title><body>{salt} {url[::-1]}</body></html>"


def url_of(page: object) -> str:
    if not isinstance(page, str) or "<title>" not in page:
        raise TypeError(f"analyze() expects the page fetch() returned, got {page!r:.80}")
    return page.split("<title>", 1)[1].split("</title>", 1)[0]


def analysis_of(page: str) -> str:
    return f"{len(page)}:{hashlib.sha256(page.encode()).hexdigest()[:12]}"


class Fetch:
    """`fetch(url)`: records fetch_start, waits `seconds` (the network), records fetch_end and
    returns the page. For `fail_on`, raises FetchFailed instead of returning."""

    def __init__(self, recorder: Recorder, salt: str = "", seconds: float = 0.3,
                 fail_on: object = None) -> None:
        self.recorder, self.salt, self.seconds, self.fail_on = recorder, salt, seconds, fail_on

    def __call__(self, url: str) -> str:
        self.recorder.record("fetch_start", arg=url)
        sleep(self.seconds)
        self.recorder.record("fetch_end", arg=url)
        if self.fail_on is not None and url == self.fail_on:
            raise FetchFailed(f"could not fetch {url} ({self.salt})")
        return page_for(url, self.salt)


class Analyze:
    """`analyze(page)`: records analyze_start, works `seconds`, records analyze_end and returns
    the page's analysis."""

    def __init__(self, recorder: Recorder, seconds: float = 0.1) -> None:
        self.recorder, self.seconds = recorder, seconds

    def __call__(self, page: str) -> str:
        url = url_of(page)
        self.recorder.record("analyze_start", arg=url)
        sleep(self.seconds)
        self.recorder.record("analyze_end", arg=url)
        return analysis_of(page)
