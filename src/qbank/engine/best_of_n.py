"""Best-of-n sampling over a discrete response set (CONTENT.md D5)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .information import kl_divergence

__all__ = ["best_of_n", "best_of_n_kl", "best_of_n_kl_bound"]


def best_of_n(pi: ArrayLike, rewards: ArrayLike, n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Distribution of the response returned by best-of-n sampling, and its expected reward.

    Formula: :math:`P(y_i) = \big[F(r_i)^n - F(r_i^-)^n\big]\,\pi_i/\pi(G_i),\ F(r) = \sum_{j: r_j \le r} \pi_j`.

    n responses are drawn i.i.d. from ``pi`` and the highest-reward one is returned.
    Responses with exactly equal rewards form a tie group G; the group's probability is
    split between its members in proportion to ``pi`` (i.e. a tie is resolved by picking
    uniformly among the tied *draws*). The top response is returned with probability
    :math:`1 - (1 - \pi_{top})^n` when its reward is unique. Cost is O(K^2) per row.

    Used by: F20 (M-BON-AT-LEAST-ONCE, M-BON-POWER, M-BON-MAX distractors).

    Returns:
        ``(probs, expected_reward)`` with shapes ``pi.shape`` and ``pi.shape[:-1]``.

    Raises:
        ValueError: if ``pi`` is not a distribution, ``rewards`` has another shape or is
            not finite, or ``n`` < 1.
    """
    p = _checks.probs_array(pi, "pi")
    r = _checks.finite_float(rewards, "rewards")
    if r.shape != p.shape:
        raise ValueError(f"rewards must have the shape of pi {p.shape}, got {r.shape}")
    nn = _checks.int_at_least(n, "n", 1)
    le = r[..., None, :] <= r[..., :, None]  # [i, j] = r_j <= r_i
    lt = r[..., None, :] < r[..., :, None]
    f = np.minimum((le * p[..., None, :]).sum(axis=-1), 1.0)
    f_minus = (lt * p[..., None, :]).sum(axis=-1)
    group = f - f_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(p > 0, p / group, 0.0)
    out = (f**nn - f_minus**nn) * share
    return out, (out * r).sum(axis=-1)


def best_of_n_kl(pi: ArrayLike, rewards: ArrayLike, n: int) -> NDArray[np.float64]:
    r"""KL divergence of the best-of-n distribution from the policy.

    Formula: :math:`\mathrm{KL}(P_{BoN}\,\|\,\pi) = \sum_i P_{BoN}(y_i) \ln(P_{BoN}(y_i)/\pi_i)`.

    For discrete rewards it is at most :func:`best_of_n_kl_bound` and usually below it
    (M-BON-KL-LOGN).

    Used by: F20.

    Raises:
        ValueError: as :func:`best_of_n`.
    """
    dist, _ = best_of_n(pi, rewards, n)
    # best_of_n's rows sum to 1 up to rounding of the power differences; renormalising is safe.
    dist = dist / dist.sum(axis=-1, keepdims=True)
    return kl_divergence(dist, pi)


def best_of_n_kl_bound(n: int) -> float:
    r"""Upper bound on KL(best-of-n || policy), tight for continuous rewards.

    Formula: :math:`\ln n - (n-1)/n`.

    Used by: F20.

    Raises:
        ValueError: if ``n`` < 1.
    """
    nn = _checks.int_at_least(n, "n", 1)
    return float(np.log(nn) - (nn - 1) / nn)
