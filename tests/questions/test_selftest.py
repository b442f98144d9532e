"""Answer self-tests: the responses and scores the grader's tests rely on."""

from __future__ import annotations

import pytest

from qbank.questions import builtin_bank
from qbank.questions.selftest import self_test


def _item(template_id: str, seed: int = 0):
    return builtin_bank()[template_id].instantiate(seed)


def test_single_choice_cases():
    item = _item("paris-states")
    cases = self_test(item)
    key_letter = "ABCDE"[item.key[0]]
    assert cases[0].raw == key_letter and cases[0].score == 1.0
    assert sorted(c.raw for c in cases if c.score == 0.0) == sorted(set("ABCDE") - {key_letter})
    assert {c.raw for c in cases if c.score is None} == {"G", ""}


def test_numeric_cases():
    item = _item("token-loss", 3)
    cases = self_test(item)
    assert cases[0].raw == f"{item.answer:.3f}" and cases[0].score == 1.0
    assert float(cases[1].raw) > item.answer and cases[1].score == 0.0
    assert cases[-1].raw == "abc" and cases[-1].score is None


def test_multiple_response_right_minus_wrong():
    item = _item("preamble-fixes", 1)
    cases = self_test(item)
    assert cases[0].score == 1.0
    plus_one = cases[1]
    assert plus_one.score == pytest.approx(max(0.0, (len(item.key) - 1) / len(item.key)))


def test_multipart_answers_one_label_per_line():
    item = _item("logit-gradient-vector")
    first = self_test(item)[0]
    lines = first.raw.splitlines()
    assert [line.split(":")[0] for line in lines] == [p.label for p in item.parts]
    assert first.score == 1.0


def test_open_response_sample_and_off_topic():
    cases = self_test(_item("primary-colors-preamble"))
    assert cases[0].at_least and cases[0].score == 0.9
    assert cases[1].score == 0.0


def test_ordering_one_swap_under_partial_scoring():
    item = _item("temperature-order")
    exact, swapped, missing = self_test(item)
    n = len(item.entries)
    assert exact.score == 1.0 and swapped.score == pytest.approx((n - 1) / n) and missing.score is None
