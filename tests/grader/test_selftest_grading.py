"""Every built-in template, several seeds: the grader gives each self-test response its expected score."""

from __future__ import annotations

import pytest

from qbank.grader import FormatError, check
from qbank.questions import builtin_bank

selftest = pytest.importorskip("qbank.questions.selftest", reason="qbank.questions.selftest is not in this tree yet")

SEEDS = (0, 1, 7, 42)
CASES = [(t.id, seed) for t in builtin_bank() for seed in SEEDS]


@pytest.mark.parametrize("template, seed", CASES, ids=[f"{t}-s{s}" for t, s in CASES])
def test_self_test_cases(template: str, seed: int) -> None:
    item = builtin_bank()[template].instantiate(seed)
    cases = selftest.self_test(item)
    assert cases, "a template without self-test cases cannot be checked"
    for case in cases:
        result = check(item, case.raw)
        if case.score is None:
            assert isinstance(result, FormatError), f"{case.raw!r} ({case.note}) should be a format error"
        elif case.at_least:
            assert not isinstance(result, FormatError), f"{case.raw!r} ({case.note}): {result}"
            assert result.fraction >= case.score - 1e-9, f"{case.raw!r} ({case.note})"
        else:
            assert not isinstance(result, FormatError), f"{case.raw!r} ({case.note}): {result}"
            assert result.fraction == pytest.approx(case.score), f"{case.raw!r} ({case.note})"
