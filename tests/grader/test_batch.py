"""Batch grading gives exactly what one-at-a-time grading gives, row for row."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.grader import FormatError, check, grade_batch, grade_choice_batch, grade_numeric_batch, parse_number, parse_numbers

RAW_NUMBERS = ["0.25", ".25", "2.5e-1", "25%", "1/4", "\u22120.25", "-0.25", "0,25", "", "nan", "1e999", "abc",
               " 0.25 ", "0.3", "1e-3", "7", "-", "1.2.3", "e5", "0.25 nats"]


def test_numeric_batch_matches_scalar(numeric) -> None:
    result = grade_numeric_batch(numeric, RAW_NUMBERS)
    for row, raw in enumerate(RAW_NUMBERS):
        assert result.result(row) == check(numeric, raw), raw
    assert set(result.errors) == {i for i, raw in enumerate(RAW_NUMBERS) if isinstance(check(numeric, raw), FormatError)}


def test_numeric_batch_plain_fast_path(numeric) -> None:
    raws = ["0.25", "0.251", "-0.25", "0.3"] * 5
    result = grade_numeric_batch(numeric, raws)
    assert result.fractions.tolist() == [1.0, 1.0, 0.0, 0.0] * 5
    assert [result.result(i).misconception for i in range(4)] == [None, None, "M-NO-NEG", None]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.eE+-%/ ,−xn", max_size=8), min_size=1, max_size=20))
def test_parse_numbers_agrees_with_parse_number(raws: list[str]) -> None:
    values, errors = parse_numbers(raws)
    for i, raw in enumerate(raws):
        expected = parse_number(raw)
        if isinstance(expected, FormatError):
            assert i in errors and np.isnan(values[i]), raw
        else:
            assert i not in errors and values[i] == expected, raw


def test_choice_batch_matches_scalar(single) -> None:
    raws = ["A", "b", " C", "(A)", "D", "", "A,B", "wrong one"] * 3
    result = grade_choice_batch(single, raws)
    for row, raw in enumerate(raws):
        assert result.result(row) == check(single, raw), raw
    assert np.isnan(result.fractions[4]) and result.fractions[0] == 1.0


def test_grade_batch_mixes_item_types_in_row_order(single, numeric, multiple) -> None:
    mr = multiple("partial")
    pairs = [(single, "A"), (numeric, "25%"), (mr, "A,D"), (single, "Q"), (numeric, "x"), (mr, "B")]
    assert grade_batch(pairs) == [check(i, r) for i, r in pairs]
