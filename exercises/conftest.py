"""Makes the kit's instrumentation (`_kit/`) importable by every exercise's tests.

Each exercise's tests run your code in a separate process with a time limit, so a deadlock
or an endless loop fails the test within seconds instead of hanging your terminal.

`pytest exercises/` (more than one exercise's folder) runs the folders side by side, one per
core, when pytest-xdist is installed: the tests mostly wait for your code's sleeps and time
limits, so this takes about half the time on two cores. Each folder's tests stay together in
one worker. `-n 0` (or `-s`, `--pdb`) runs them one after another; a single folder always does.
"""
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

EXERCISE = re.compile(r"[pt]\d\d_")
SIDE_BY_SIDE = pytest.StashKey[bool]()


def exercise_folders(config: pytest.Config) -> set[str]:
    """The exercises' folders the command line's paths reach into."""
    found: set[str] = set()
    everything = {p.name for p in HERE.iterdir() if p.is_dir() and EXERCISE.match(p.name)}
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == HERE or HERE.is_relative_to(path):
            found |= everything
        elif path.is_relative_to(HERE):
            top = path.relative_to(HERE).parts[0]
            if top in everything:
                found.add(top)
    return found


@pytest.hookimpl(tryfirst=True)        # before pytest-xdist reads its options
def pytest_cmdline_main(config: pytest.Config) -> None:
    option = config.option
    if (getattr(option, "numprocesses", 0) is not None     # no xdist, or -n given
            or hasattr(config, "workerinput")                # an xdist worker itself
            or getattr(option, "dist", "no") != "no"
            or option.usepdb or option.collectonly or option.capture == "no"
            or len(exercise_folders(config)) < 2):
        return
    option.numprocesses = "auto"       # one worker per core
    option.dist = "loadfile"           # a folder's tests share one run of the code
    config.stash[SIDE_BY_SIDE] = True


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Side by side, the folders' results arrive interleaved: list the failures and the
    summary in the folders' order (a folder's own tests stay in theirs), as one after another
    would."""
    if not session.config.stash.get(SIDE_BY_SIDE, False):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for reports in getattr(reporter, "stats", {}).values():
        reports.sort(key=lambda report: (getattr(report, "nodeid", None) or "").split("::")[0])
