# A submission that tries to make every test pass by rewriting pytest's reports.
# The grader never takes this file: only the files course.yaml names leave a submission.
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
