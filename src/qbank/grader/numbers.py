"""Reading numbers the way students type them.

Accepted (after Unicode NFKC, so full-width digits work too):

* decimals and scientific notation: ``0.25``, ``.25``, ``-0.3``, ``+2``, ``2.5e-1``, ``2.5E-1``,
  ``2.5×10^-1``, ``2.5*10^-1``, ``2.5·10^-1``;
* a minus sign written as U+2212 (−), an en dash (–) or a hyphen;
* a percentage: ``25%`` is 0.25;
* a fraction of two such numbers: ``1/4``, ``-3/8``, ``1 / 4`` (a zero denominator is a
  format error);
* a trailing unit when the item has one (``0.25 nats`` when the unit is ``nats``).

Rejected as format errors, deliberately:

* **commas**: ``0,25`` is a decimal comma in much of the world and ``1,000`` a thousands
  separator in the rest; guessing would silently grade 0.25 as 25 or 1000 as 1. The student
  is asked to write ``0.25`` (or ``1000``). Spaces inside a number are rejected likewise.
* **NaN and infinities** (``nan``, ``inf``, ``∞``, and overflow such as ``1e999``): every
  numeric item has a finite answer (the model enforces it), so such text is never a real
  attempt at the answer; it is usually a calculator's overflow or a typo, and asking again
  is kinder than marking it wrong.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from .responses import FormatError

__all__ = ["NUMBER_HINT", "parse_common_numbers", "parse_number"]

NUMBER_HINT = "Write a number such as 0.25, .25, 2.5e-1, 25% or 1/4."

_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"})
_DECIMAL = r"[+-]?(?:\d+\.?\d*|\.\d+)"
_SCALED = re.compile(rf"(?P<m>{_DECIMAL})\s*(?:[eE](?P<e>[+-]?\d+)|\s*[×xX*·]\s*10\s*\^\s*\(?(?P<p>[+-]?\d+)\)?)?")
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity|∞)", re.IGNORECASE)


def _plain(text: str) -> float | None:
    m = _SCALED.fullmatch(text)
    if m is None:
        return None
    exponent = m["e"] or m["p"]
    # float() of the rebuilt literal keeps correct rounding (no x * 10**k error)
    return float(f"{m['m']}e{exponent}" if exponent else m["m"])


def parse_number(raw: str, unit: str | None = None) -> float | FormatError:
    """The number in ``raw``, or a FormatError saying why it is not one.

    Returns a finite float for every accepted notation (see the module docstring).
    """
    text = unicodedata.normalize("NFKC", raw).translate(_MINUSES).strip()
    if not text:
        return FormatError("The answer is empty.", NUMBER_HINT)
    if unit:
        folded_unit = unicodedata.normalize("NFKC", unit).strip()
        if folded_unit and text.casefold().endswith(folded_unit.casefold()):
            text = text[: -len(folded_unit)].rstrip()
    if _NONFINITE.fullmatch(text):
        return FormatError(f"{raw.strip()!r} is not a finite number.", "Every answer here is a finite number. " + NUMBER_HINT)
    if "," in text:
        return FormatError(
            f"{raw.strip()!r} contains a comma.",
            "Use a point for decimals (0.25, not 0,25) and no thousands separators (1000, not 1,000).",
        )
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    value: float | None
    if "/" in text and not percent:
        num, _, den = text.partition("/")
        a, b = _plain(num.strip()), _plain(den.strip())
        if a is None or b is None:
            return FormatError(f"{raw.strip()!r} is not a number.", NUMBER_HINT)
        if b == 0:
            return FormatError(f"{raw.strip()!r} divides by zero.", NUMBER_HINT)
        value = a / b
    else:
        value = _plain(text)
        if value is None:
            return FormatError(f"{raw.strip()!r} is not a number.", NUMBER_HINT)
        if percent:
            value /= 100.0
    if not math.isfinite(value):
        return FormatError(f"{raw.strip()!r} is too large to be an answer here.", NUMBER_HINT)
    return value


# ---------------------------------------------------------------------------------------
# Many numbers at once
# ---------------------------------------------------------------------------------------
#
# The common notations (``0.25``, ``-0.5``, ``.25``, ``2.5e-1``, ``25%``, a Unicode minus,
# surrounding ASCII blanks) are read for a whole array of strings with NumPy: the strings
# become a 2-D array of code points, a small automaton walks all rows column by column, and
# each accepted row's value is rebuilt from its digits. The value is exact: a mantissa M of
# at most 2**53 and a power of ten 10**k with |k| <= 22 are both exact doubles, so one IEEE
# multiplication or division by 10**|k| is the correctly rounded value of the decimal, which
# is what ``float`` returns (Clinger's fast path). Rows outside that fast path, or in any
# other notation, are left to :func:`parse_number`.

_PAD, _DIGIT, _DOT, _E, _SIGN, _PCT, _WS, _OTHER = range(8)
(_START, _SIGNED, _INT, _INT_DOT, _LEAD_DOT, _FRAC, _EXP_MARK, _EXP_SIGN, _EXP, _TAIL_WS, _PERCENT, _PCT_WS, _END,
 _DEAD) = range(14)
_N_CLASSES = 8
_ACCEPTING = (_INT, _INT_DOT, _FRAC, _EXP, _TAIL_WS, _PERCENT, _PCT_WS, _END)
_MINUS_CODES = tuple(_MINUSES)  # the code points str.translate maps to '-'
_MAX_WIDTH = 40  # longer strings are rare and go one by one (the array is rows x width)
_CHUNK = 1 << 16  # rows per pass: keeps the code-point arrays in cache-sized pieces


def _transitions() -> list[int]:
    """The automaton of ``\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?(\\s*%)?\\s*`` on ASCII
    digits and blanks, flattened as ``table[state * 8 + class]``; padding ends a row."""
    moves: dict[int, dict[int, int]] = {
        _START: {_WS: _START, _SIGN: _SIGNED, _DIGIT: _INT, _DOT: _LEAD_DOT},
        _SIGNED: {_DIGIT: _INT, _DOT: _LEAD_DOT},
        _INT: {_DIGIT: _INT, _DOT: _INT_DOT, _E: _EXP_MARK, _WS: _TAIL_WS, _PCT: _PERCENT, _PAD: _END},
        _INT_DOT: {_DIGIT: _FRAC, _E: _EXP_MARK, _WS: _TAIL_WS, _PCT: _PERCENT, _PAD: _END},
        _LEAD_DOT: {_DIGIT: _FRAC},
        _FRAC: {_DIGIT: _FRAC, _E: _EXP_MARK, _WS: _TAIL_WS, _PCT: _PERCENT, _PAD: _END},
        _EXP_MARK: {_DIGIT: _EXP, _SIGN: _EXP_SIGN},
        _EXP_SIGN: {_DIGIT: _EXP},
        _EXP: {_DIGIT: _EXP, _WS: _TAIL_WS, _PCT: _PERCENT, _PAD: _END},
        _TAIL_WS: {_WS: _TAIL_WS, _PCT: _PERCENT, _PAD: _END},
        _PERCENT: {_WS: _PCT_WS, _PAD: _END},
        _PCT_WS: {_WS: _PCT_WS, _PAD: _END},
        _END: {_PAD: _END},
    }
    return [moves.get(s, {}).get(c, _DEAD) for s in range(_DEAD + 1) for c in range(_N_CLASSES)]


def _classes() -> list[int]:
    table = [_OTHER] * 129  # index 128 stands for every code point above ASCII
    table[0] = _PAD
    for ch in "0123456789":
        table[ord(ch)] = _DIGIT
    table[ord(".")], table[ord("e")], table[ord("E")], table[ord("%")] = _DOT, _E, _E, _PCT
    table[ord("+")] = table[ord("-")] = _SIGN
    for ch in " \t\n\r\x0b\x0c":  # the ASCII blanks str.strip() removes
        table[ord(ch)] = _WS
    return table


def parse_common_numbers(raws: list[str], unit: str | None = None) -> tuple[Any, Any]:
    """Read the common notations of many strings at once, exactly as :func:`parse_number` would.

    Returns ``(values, ok)``: float64 values and a boolean mask of the rows read. A row not
    read (another notation, a format error, a long string, more digits than a double holds
    exactly) must go through :func:`parse_number`; every row read has the value
    :func:`parse_number` gives, bit for bit.
    """
    import numpy as np

    n = len(raws)
    values = np.zeros(n, dtype=np.float64)
    ok = np.zeros(n, dtype=bool)
    if not n or not _unit_is_safe(unit):
        return values, ok
    joined = "\x01".join(raws)
    if "\x00" in joined:
        return values, ok  # NumPy drops trailing NULs from its strings: leave such input to the scalar parser
    if max(map(len, raws)) <= _MAX_WIDTH:
        rows = np.arange(n)
        subset = raws
    else:
        lengths = np.fromiter(map(len, raws), dtype=np.int64, count=n)
        rows = np.flatnonzero(lengths <= _MAX_WIDTH)
        subset = [raws[i] for i in rows]
    tables = (np.array(_transitions(), dtype=np.intp), np.array(_classes(), dtype=np.intp))
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        v, good = _parse_chunk(np.array(subset[start:start + _CHUNK], dtype=str), *tables)
        values[chunk] = v
        ok[chunk] = good
    return values, ok


def _unit_is_safe(unit: str | None) -> bool:
    """False when a string in the common notations could end with ``unit`` (``%``, ``e``, ...),
    which :func:`parse_number` would strip first; those items are read one by one."""
    if not unit:
        return True
    folded = unicodedata.normalize("NFKC", unit).strip().casefold()
    return not folded or any(ch not in "0123456789.e+-% \t\n\r\x0b\x0c" for ch in folded)


_POW10 = [10.0**k for k in range(23)]  # exact doubles
_MAX_EXACT = float(2**53)


def _parse_chunk(arr: Any, transitions: Any, classes: Any) -> tuple[Any, Any]:
    """Values and accepted rows of one chunk of strings (a NumPy unicode array)."""
    import numpy as np

    n = len(arr)
    width = arr.dtype.itemsize // 4
    if not width:
        return np.zeros(n), np.zeros(n, dtype=bool)
    # columns are contiguous: the automaton reads one column of all rows per step
    cols = np.ascontiguousarray(arr.view(np.uint32).reshape(n, width).T)
    cls = classes[np.minimum(cols, 128)]
    if cols.max() > 127:
        cls[np.isin(cols, _MINUS_CODES)] = _SIGN
    digits = cols.astype(np.float64) - 48.0
    in_mantissa = np.zeros(_DEAD + 1, dtype=bool)
    in_mantissa[[_INT, _FRAC]] = True
    states = np.empty((width, n), dtype=np.int8)
    state = np.full(n, _START, dtype=np.intp)
    mantissa = np.zeros(n)
    for j in range(width):
        state = transitions[state * _N_CLASSES + cls[j]]
        states[j] = state
        # exact while it stays <= 2**53 (it never decreases, so a final check covers every step)
        mantissa = np.where(in_mantissa[state], mantissa * 10.0 + digits[j], mantissa)
    good = transitions[state * _N_CLASSES + _PAD] == _END  # every row ends with padding
    good &= mantissa <= _MAX_EXACT
    shift = -(states == _FRAC).sum(axis=0)
    has_exp = (states == _EXP).any(axis=0) & good
    if has_exp.any():
        rows = np.flatnonzero(has_exp)
        exp_states, exp_cols = states[:, rows], cols[:, rows]
        exp_digit = exp_states == _EXP
        good[rows[exp_digit.sum(axis=0) > 4]] = False  # more digits than any exact power of ten needs
        exponent = np.zeros(len(rows), dtype=np.int64)
        for j in range(width):
            exponent = np.where(exp_digit[j], exponent * 10 + (exp_cols[j].astype(np.int64) - 48), exponent)
        negative = ((exp_states == _EXP_SIGN) & (exp_cols != ord("+"))).any(axis=0)
        shift[rows] += np.where(negative, -exponent, exponent)
    good &= np.abs(shift) <= 22
    shift = np.where(good, shift, 0)
    scale = np.array(_POW10)[np.abs(shift)]
    value = np.where(shift >= 0, mantissa * scale, mantissa / scale)
    value = np.where(((states == _SIGNED) & (cols != ord("+"))).any(axis=0), -value, value)
    value = np.where((states == _PERCENT).any(axis=0), value / 100.0, value)
    return np.where(good, value, 0.0), good
