r"""Sample estimators of KL(π‖π_ref) used in RLHF (k1, k2, k3), and their exact moments.

A response y is sampled from the policy π; with the log-ratio
:math:`\ell = \ln(\pi_{ref}(y)/\pi(y))` the three estimators are
k1 = -ℓ, k2 = ℓ²/2 and k3 = (e^ℓ - 1) - ℓ. k1 and k3 are unbiased, k2 is not;
k3 is never negative and usually has the smallest variance when π is close to π_ref.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .information import kl_divergence

__all__ = ["kl_estimators", "kl_estimator_moments"]

# Taylor coefficients of e^x - 1 - x = sum_{k>=2} x^k / k!
_K3_COEF = np.array([1.0 / np.prod(np.arange(1, k + 1, dtype=float)) for k in range(2, 20)])
_K3_SERIES_BELOW = 0.1


def _expm1_minus_x(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """e^x - 1 - x >= 0 to full relative precision (its two terms cancel near x = 0)."""
    with np.errstate(over="ignore"):
        direct = np.expm1(x) - x
    small = np.abs(x) < _K3_SERIES_BELOW
    if not small.any():
        return direct
    s = np.where(small, x, 0.0)
    acc = np.zeros_like(s)
    for c in _K3_COEF[::-1]:
        acc = acc * s + c
    return np.where(small, acc * s * s, direct)


def kl_estimators(
    logp_policy: ArrayLike, logp_ref: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""The three single-sample KL estimates for samples drawn from the policy.

    Formula: :math:`\ell = \ln\pi_{ref}(y) - \ln\pi(y),\ k_1 = -\ell,\ k_2 = \ell^2/2,\ k_3 = (e^{\ell} - 1) - \ell`.

    Elementwise over broadcastable arrays. k3 is computed without cancellation for small
    :math:`|\ell|` (a Taylor series), so it keeps full relative precision near
    :math:`\pi = \pi_{ref}`.

    Used by: KL-estimator family, GRPO (k3 penalty).

    Returns:
        ``(k1, k2, k3)``.

    Raises:
        ValueError: if a log-probability is NaN, +inf or positive.
    """
    lp = _checks.finite_float(logp_policy, "logp_policy")
    lr = _checks.finite_float(logp_ref, "logp_ref")
    for x, name in ((lp, "logp_policy"), (lr, "logp_ref")):
        if (x > 0).any():
            raise ValueError(f"{name} must be a log-probability (<= 0)")
    ell = lr - lp
    return -ell, 0.5 * ell * ell, _expm1_minus_x(ell)


def kl_estimator_moments(
    pi: ArrayLike, pi_ref: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""Exact mean and variance of k1, k2, k3 under sampling from ``pi``, and the true KL.

    Formula: :math:`E[k] = \sum_y \pi(y) k(y),\ \operatorname{Var}[k] = \sum_y \pi(y)\,(k(y) - E[k])^2`,
    by enumeration of the outcomes; bias = E[k] - KL(π‖π_ref).

    Outcomes with π(y) = 0 are never sampled and do not count; ``pi_ref`` must be
    positive wherever ``pi`` is.

    Used by: KL-estimator family (bias and variance items).

    Returns:
        ``(means, variances, kl)``: ``means`` and ``variances`` of shape
        ``pi.shape[:-1] + (3,)`` in the order k1, k2, k3; ``kl`` of shape ``pi.shape[:-1]``.

    Raises:
        ValueError: if either argument is not a distribution, the shapes differ, or
            ``pi_ref`` is 0 where ``pi`` is not.
    """
    p = _checks.probs_array(pi, "pi")
    q = _checks.probs_array(pi_ref, "pi_ref")
    if p.shape != q.shape:
        raise ValueError(f"pi and pi_ref must have the same shape, got {p.shape} and {q.shape}")
    live = p > 0
    if (live & (q == 0)).any():
        raise ValueError("pi_ref is 0 where pi is not: the log-ratio is infinite")
    with np.errstate(divide="ignore"):
        lp = np.where(live, np.log(np.where(live, p, 1.0)), 0.0)
        lq = np.where(live, np.log(np.where(live, q, 1.0)), 0.0)
    ks = np.stack(kl_estimators(lp, lq), axis=-1)  # (..., K, 3)
    w = p[..., None]
    means = (w * ks).sum(axis=-2)
    var = (w * (ks - means[..., None, :]) ** 2).sum(axis=-2)
    return means, var, kl_divergence(p, q)
