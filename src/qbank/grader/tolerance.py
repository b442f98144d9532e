"""Pure comparators for numeric answers, scalar and vectorised.

Every function takes the student's value ``x`` and the key ``x_star`` and returns whether
they agree:

* ``absolute``: |x - x*| <= a;
* ``relative``: |x - x*| <= r * |x*| (so a key of 0 needs an exact 0);
* both given: |x - x*| <= max(a, r * |x*|), the convention of CONTENT.md;
* ``sigfig``: x and x* agree when both are rounded to n significant figures, rounding at
  the key's magnitude (a key of 0 needs |x| below half a unit of 1e-(n-1)).

NaN and infinities never agree with anything, including themselves: a key is always
finite, and a non-finite response is a format error before it gets here (see
:mod:`qbank.grader.numbers`); the comparators still say ``False`` rather than trusting that.
A tiny slack of 1e-12 relative to the key absorbs binary rounding (0.1 + 0.2 within 0.3 ± 0).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["within", "within_absolute", "within_array", "within_relative", "within_sigfig"]

_SLACK = 1e-12


def _bound(x_star: float) -> float:
    return _SLACK * max(1.0, abs(x_star))


def within_absolute(x: float, x_star: float, absolute: float) -> bool:
    """|x - x*| <= absolute."""
    return math.isfinite(x) and abs(x - x_star) <= absolute + _bound(x_star)


def within_relative(x: float, x_star: float, relative: float) -> bool:
    """|x - x*| <= relative * |x*|."""
    return math.isfinite(x) and abs(x - x_star) <= relative * abs(x_star) + _bound(x_star)


def _sig_scale(x_star: float, sigfig: int) -> float:
    magnitude = math.floor(math.log10(abs(x_star))) if x_star != 0 else 0
    return 10.0 ** (magnitude - sigfig + 1)


def within_sigfig(x: float, x_star: float, sigfig: int) -> bool:
    """x and x* rounded to ``sigfig`` significant figures (at the key's magnitude) are equal."""
    if not math.isfinite(x):
        return False
    scale = _sig_scale(x_star, sigfig)
    # round(.., 9) first so that 0.1234999999999 and 0.1235 round the same way
    return math.floor(round(x / scale, 9) + 0.5) == math.floor(round(x_star / scale, 9) + 0.5)


def within(tolerance: Any, x: float, x_star: float) -> bool:
    """Whether ``x`` is accepted for the key ``x_star`` under a :class:`~qbank.questions.Tolerance`."""
    if tolerance.sigfig is not None:
        return within_sigfig(x, x_star, tolerance.sigfig)
    allowed = max(tolerance.absolute or 0.0, (tolerance.relative or 0.0) * abs(x_star))
    return math.isfinite(x) and abs(x - x_star) <= allowed + _bound(x_star)


def within_array(tolerance: Any, x: np.ndarray, x_star: float) -> np.ndarray:
    """:func:`within` over an array of responses (NaN marks "no value" and is never accepted)."""
    import numpy as np  # here, not at the top: grading one answer needs no numpy

    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        if tolerance.sigfig is not None:
            scale = _sig_scale(x_star, tolerance.sigfig)
            key = math.floor(round(x_star / scale, 9) + 0.5)
            ok = np.floor(np.round(x / scale, 9) + 0.5) == key
        else:
            allowed = max(tolerance.absolute or 0.0, (tolerance.relative or 0.0) * abs(x_star))
            ok = np.abs(x - x_star) <= allowed + _bound(x_star)
    return ok & np.isfinite(x)
