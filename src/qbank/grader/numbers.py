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

from .responses import FormatError

__all__ = ["NUMBER_HINT", "parse_number"]

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
