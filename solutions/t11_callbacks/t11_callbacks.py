"""t11 · callbacks: analyse each page as soon as it has been fetched.

Course notes §14. `crawl_and_analyze(urls, fetch, analyze, workers)` fetches every url in a
pool of `workers` and analyses each page from a done-callback as soon as its fetch is done,
while the other pages are still being fetched. It returns {url: analysis}; a fetch's exception
reaches the caller.
"""
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial


def get(url):
    print(f"{os.getpid()} is crawling {url}")
    time.sleep(random.randint(1, 3) / 2)       # the network is slow
    return f"<html>the page at {url}</html>"


def parse(page):
    time.sleep(0.5)                            # so is the analysis
    print(f"{os.getpid()} analysed a page of {len(page)} characters")
    return len(page)


def crawl_and_analyze(urls, fetch, analyze, workers):
    results = {}

    def analyze_when_fetched(url, future):
        # Runs in the main process as soon as this fetch is done (for a process pool, in the
        # pool's result thread), while the other fetches go on.
        if future.exception() is None:
            results[url] = analyze(future.result())

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = []
        for url in urls:
            future = pool.submit(fetch, url)
            # partial binds *this* url; a bare lambda would see the loop's last url.
            future.add_done_callback(partial(analyze_when_fetched, url))
            futures.append(future)
    # An exception raised inside a callback is only logged, never raised. So the callback
    # skips failed fetches, and here, once everything is done, a failed fetch is raised.
    for future in futures:
        future.result()
    return results


if __name__ == "__main__":
    start = time.time()
    urls = [f"http://www.example.com/{i}" for i in range(10)]
    print(crawl_and_analyze(urls, get, parse, 4))
    print(f"==main {time.time() - start:.2f} s")
