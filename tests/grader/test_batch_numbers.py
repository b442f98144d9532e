"""The vectorised number reader gives exactly what ``parse_number`` gives, string by string.

"Exactly" means the same float bit for bit (the sign of zero included) for every accepted
string, and a format error with the same message for every other one.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.grader import FormatError, parse_number, parse_numbers
from qbank.grader.numbers import parse_common_numbers

TRICKY = [
    # the common notations
    "0.25", ".25", "-0.5", "+2", "2.5e-1", "2.5E-1", "25%", "25 %", " 25% ", "-.5", "1.", "-1.e3", "0", "-0", "-0%",
    "-0.0", "0e5", "007", "1e0", "1e+2", "1e-22", "1e22", "1e23", "3e-23", "25.5%", "1e2%", "-1e-2%",
    # a Unicode minus and its look-alikes, also in the exponent
    "\u22120.25", "\u2013.5", "\u20122", "\ufe631", "\uff0d1", "1e\u22123", "\u221225%",
    # blanks the scalar parser strips
    "\t0.5\n", "\r\n7\r\n", "\x0b1\x0c", "\xa00.5", "\u20030.5", "0.5\x1f",
    # exactness at the edges of the fast path
    "9007199254740993", "9007199254740992", "0.1", "0.3", "123456789012345678", "1234567890123456789",
    "0.000000000000000000001", "0.0000000000000000000001", "0.00000000000000000000001",
    "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "1e999", "1e-999", "1e00005", "1e0000000000000005",
    "0.1234567890123456789012345678901234567", "1" * 45, "1" * 45 + "%",
    # notations left to the scalar parser
    "1/4", "-3/8", "1 / 4", "2.5×10^-1", "2.5*10^(-1)", "2.5 · 10^-1", "1 e5", "２５", "٣", "0.25 nats",
    # format errors
    "", " ", "%", "-", "+", ".", "-.", "e5", ".e5", "1e", "1e+", "1.2.3", "--1", "+-1", "5%%", "%5", "0,25", "1,000",
    "nan", "-inf", "∞", "1_000", "0x10", "1 000", "abc", "5\x00", "5\x003", "\x00", "25%\x00",
]


def _same(got: float, expected: float) -> bool:
    return float(got).hex() == float(expected).hex()


def _check(raws: list[str], unit: str | None = None) -> None:
    values, errors = parse_numbers(raws, unit)
    for i, raw in enumerate(raws):
        expected = parse_number(raw, unit)
        if isinstance(expected, FormatError):
            assert errors.get(i) == expected and np.isnan(values[i]), raw
        else:
            assert i not in errors and _same(values[i], expected), (raw, values[i], expected)


def test_tricky_strings_read_as_the_scalar_parser_reads_them() -> None:
    _check(TRICKY)


@pytest.mark.parametrize("unit", ["nats", "%", "e", "E", " 5 ", "\u2212", "bits"])
def test_tricky_strings_with_a_unit(unit: str) -> None:
    """A unit the common notations could end with ("%", "e", "5") is stripped first, as the scalar parser does."""
    _check(TRICKY + [f"0.25 {unit}", f"25{unit}", f"1{unit}"], unit)


def test_the_common_notations_take_the_vectorised_path() -> None:
    raws = ["25%", "-0.5", ".25", "2.5e-1", "\u22120.25", " 7 ", "1e2%"]
    values, ok = parse_common_numbers(raws)
    assert ok.all()
    assert values.tolist() == [0.25, -0.5, 0.25, 0.25, -0.25, 7.0, 1.0]


def test_random_common_notations_over_many_magnitudes() -> None:
    """100,000 random strings in the common notations, at every precision a double can take."""
    rng = np.random.default_rng(20240601)
    n = 100_000
    mags = 10.0 ** rng.integers(-25, 25, n) * rng.random(n)
    digits = rng.integers(0, 19, n)
    raws = []
    for i, (v, d) in enumerate(zip(mags, digits)):
        text = f"{v:.{d}f}" if i % 3 else f"{v:.{d % 16}e}"
        if i % 5 == 0:
            text = "-" + text
        elif i % 5 == 1:
            text = "\u2212" + text
        elif i % 7 == 2:
            text = text.lstrip("0") or "0"  # ".25"
        if i % 4 == 0:
            text += "%"
        raws.append(text)
    _check(raws)
    _, ok = parse_common_numbers(raws)
    assert ok.mean() > 0.6, "most of them take the vectorised path"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.eE+-% \t−–", max_size=12), min_size=1, max_size=30))
def test_random_strings_of_number_characters(raws: list[str]) -> None:
    _check(raws)
