"""t11 · callbacks: analyse each page as soon as it has been fetched.

Course notes §14. `crawl_and_analyze(urls, fetch, analyze, workers)` must fetch every url in a
pool of `workers`, analyse each page with `analyze(page)`, and return {url: analysis}. A page
should be analysed as soon as *its* fetch is done (a done-callback), while the other pages are
still being fetched. If a fetch raises, crawl_and_analyze must raise that exception.

Run it:  python t11_callbacks.py      Test it:  pytest  (in this folder)
"""
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor


def get(url):
    print(f"{os.getpid()} is crawling {url}")
    time.sleep(random.randint(1, 3) / 2)       # the network is slow
    return f"<html>the page at {url}</html>"


def parse(page):
    time.sleep(0.5)                            # so is the analysis
    print(f"{os.getpid()} analysed a page of {len(page)} characters")
    return len(page)


def crawl_and_analyze(urls, fetch, analyze, workers):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        pages = [f.result() for f in futures]
    # BUG: nothing is analysed until the very last page has arrived, and then the pages are
    # analysed one after another. TODO: analyse each page from a done-callback instead.
    return {url: analyze(page) for url, page in zip(urls, pages)}


if __name__ == "__main__":
    start = time.time()
    urls = [f"http://www.example.com/{i}" for i in range(10)]
    print(crawl_and_analyze(urls, get, parse, 4))
    print(f"==main {time.time() - start:.2f} s")
