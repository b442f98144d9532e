"""Numeric tolerance: absolute, relative, both, significant figures, NaN and infinities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qbank.grader.tolerance import within, within_array
from qbank.questions import Tolerance

ABS = Tolerance(absolute=0.005)
REL = Tolerance(relative=0.01)
BOTH = Tolerance(absolute=0.005, relative=0.005)
SIG3 = Tolerance(sigfig=3)


@pytest.mark.parametrize("tol, x, key, ok", [
    # absolute
    (ABS, 0.255, 0.25, True), (ABS, 0.2551, 0.25, False), (ABS, 0.245, 0.25, True),
    # relative: 1% of the key
    (REL, 101.0, 100.0, True), (REL, 101.1, 100.0, False), (REL, 0.0, 0.0, True), (REL, 1e-9, 0.0, False),
    # both: the larger of 0.005 and 0.5% of |key| (CONTENT.md convention)
    (BOTH, 0.254, 0.25, True), (BOTH, 10.049, 10.0, True), (BOTH, 10.051, 10.0, False),
    # significant figures, at the key's magnitude
    (SIG3, 0.6931, 0.693147, True), (SIG3, 0.6935, 0.693147, False), (SIG3, 0.0999, 0.09994, True),
    (SIG3, 1234.4, 1234.0, True), (SIG3, 1235.0, 1234.0, False), (SIG3, -0.693, -0.6931, True),
    # binary rounding never costs a mark
    (Tolerance(absolute=0.0), 0.1 + 0.2, 0.3, True),
    # NaN and infinities never agree
    (ABS, math.nan, 0.25, False), (ABS, math.inf, 0.25, False), (REL, -math.inf, 1.0, False), (SIG3, math.nan, 0.5, False),
])
def test_within(tol: Tolerance, x: float, key: float, ok: bool) -> None:
    assert within(tol, x, key) is ok


@pytest.mark.parametrize("tol", [ABS, REL, BOTH, SIG3, Tolerance(sigfig=1)])
def test_vectorised_agrees_with_scalar(tol: Tolerance) -> None:
    rng = np.random.default_rng(1)
    key = 0.6931
    xs = np.concatenate([key + rng.normal(0, 0.01, 2000), [math.nan, math.inf, -math.inf, key]])
    assert within_array(tol, xs, key).tolist() == [within(tol, float(x), key) for x in xs]
