"""Entropy and Kullback-Leibler divergence of discrete distributions (last axis).

Convention: 0 ln 0 = 0; KL(p||q) is +inf when p puts mass where q has none.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

__all__ = ["entropy", "kl_divergence"]


def _log_base(base: float | None) -> float:
    if base is None:
        return 1.0
    b = float(_checks.positive(base, "base"))
    if b == 1.0:
        raise ValueError("base must not be 1")
    return float(np.log(b))


def entropy(p: ArrayLike, base: float | None = None) -> NDArray[np.float64]:
    r"""Shannon entropy over the last axis (nats by default, ``base=2`` for bits).

    Formula: :math:`H(p) = -\sum_i p_i \ln p_i` (with :math:`0 \ln 0 = 0`).

    Used by: F01 (M-ENTROPY distractor), F07 (minimum smoothed loss), F08 (entropy
    rises with temperature).

    Raises:
        ValueError: if ``p`` is not a distribution or ``base`` is not a positive number
            other than 1.
    """
    pr = _checks.probs_array(p, "p")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pr > 0, pr * np.log(pr), 0.0)
    return -terms.sum(axis=-1) / _log_base(base)


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> NDArray[np.float64]:
    r"""Kullback-Leibler divergence KL(p || q) over the last axis.

    Formula: :math:`\mathrm{KL}(p\,\|\,q) = \sum_i p_i \ln(p_i/q_i)`.

    Terms with :math:`p_i = 0` are 0; a term with :math:`p_i > 0 = q_i` makes it
    ``+inf``. Computed as a sum of non-negative-in-total terms ``p ln p - p ln q``;
    results within rounding of 0 are clipped to exactly 0 (KL is never negative).

    Used by: F17 (KL penalty, M-KL-REVERSE), F20 (KL of best-of-n to the policy).

    Raises:
        ValueError: if either argument is not a distribution, or the shapes differ.
    """
    pr = _checks.probs_array(p, "p")
    qr = _checks.probs_array(q, "q")
    if pr.shape != qr.shape:
        raise ValueError(f"p and q must have the same shape, got {pr.shape} and {qr.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pr > 0, pr * (np.log(pr) - np.log(qr)), 0.0)
    return np.maximum(terms.sum(axis=-1), 0.0) / _log_base(base)
