"""grader.evidence.difference: what a result got wrong, computed by comparison (issue 16)."""
from __future__ import annotations

import pytest

from grader.evidence import difference, shape_difference


@pytest.mark.parametrize("got,expected,ordered,says", [
    ([1, 2, 3], [1, 2, 3], True, ""),
    ([3, 1, 2], [1, 2, 3], False, ""),
    (None, [1], True, "it is None, not a list"),
    ({"a": 1}, [1], True, "it is a dict ({'a': 1}), not a list"),
    (["1", "2"], [1, 2], True, "2 of its 2 ids are str, not int (e.g. '1' where 1 was expected)"),
    ([2, 1, 3], [1, 2, 3], True,
     "the same ids in another order: position 1 holds 2 where 1 belongs"),
    ([1, 1, 3], [1, 2, 3], True, "1 appears more than once; 2 is missing"),
    ([1, 2], [1, 2, 3], True, "2 ids instead of 3: 3 is missing"),
    ([1, 2, 3, 9], [1, 2, 3], True, "4 ids instead of 3: 9 is not expected"),
    ((1, 2, 3), [1, 2, 3], True, ""),
    ([1, 1, 1, 2], [1, 2, 3, 4], True, "1 appears more than once; 3, 4 are missing"),
    ([False, True], [0, 1], True, "2 of its 2 ids are bool, not int (e.g. False)"),
])
def test_difference_names_what_differs(got, expected, ordered, says) -> None:
    assert difference(got, expected, ordered=ordered, noun="id") == says


def test_many_missing_are_shortened() -> None:
    assert difference([], list(range(8)), noun="id") == (
        "0 ids instead of 8: 0, 1, 2, 3, 4 and 3 more are missing")


@pytest.mark.parametrize("value,says", [
    (None, "it is None"),
    ((True, False), "it is a tuple, not a list"),
    ([True], "it has 1 answer, not 3"),
    ([1, True, 0], "2 of its answers are not bool (e.g. 1, of type int)"),
    (["yes", True, False], "1 of its answers is not bool (e.g. 'yes', of type str)"),
    ([True, False, True], ""),
])
def test_shape_difference(value, says) -> None:
    assert shape_difference(value, 3, bool, "answer") == says
