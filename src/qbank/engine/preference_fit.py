"""Preference data and the rewards it implies: a Bradley-Terry fit on one feature (how
length bias enters a reward model), and DPO's implicit reward at the KL-regularised
optimum (CONTENT.md D4).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .preference import _kl_log_weights, _log_sum_exp_log1p, sigmoid

__all__ = ["fit_bradley_terry_weight", "implicit_reward", "log_partition"]


def fit_bradley_terry_weight(feature_diff: ArrayLike, counts_first: ArrayLike, counts_total: ArrayLike) -> NDArray[np.float64]:
    r"""Maximum-likelihood weight w of a reward model r(y) = w·x(y) from pairwise preferences.

    Formula: maximise :math:`\sum_i \big[n_i \ln\sigma(w d_i) + (N_i - n_i)\ln\sigma(-w d_i)\big]`,
    :math:`d_i = x(a_i) - x(b_i)`; with one kind of pair,
    :math:`w = \operatorname{logit}(n/N)/d`.

    ``feature_diff`` (..., M) gives each kind of pair's feature difference (e.g. length of
    a minus length of b), ``counts_first`` how often a was preferred out of
    ``counts_total``. Solved by Newton's method on the concave log-likelihood (batched
    over leading axes); the MLE is finite when a is preferred neither always nor never.

    Used by: length-bias family (a length-only reward model fitted to preference data).

    Raises:
        ValueError: if counts are negative or exceed the totals, every difference is 0,
            or the data are separable (the MLE is infinite).
    """
    d = _checks.finite_float(feature_diff, "feature_diff")
    n = _checks.non_negative(counts_first, "counts_first")
    tot = _checks.non_negative(counts_total, "counts_total")
    if d.ndim == 0 or not d.shape == n.shape == tot.shape:
        raise ValueError(f"feature_diff, counts_first and counts_total must share a shape, got {d.shape}, {n.shape}, {tot.shape}")
    if (n > tot).any():
        raise ValueError("counts_first must not exceed counts_total")
    used = (tot > 0) & (d != 0)
    if not used.any(axis=-1).all():
        raise ValueError("every pair has feature difference 0 (or no count): w is not identified")
    # separable: every used pair goes the way of sign(d) (or every one against it)
    agree = np.where(used, n * (d > 0) + (tot - n) * (d < 0), 0).sum(axis=-1)
    disagree = np.where(used, (tot - n) * (d > 0) + n * (d < 0), 0).sum(axis=-1)
    if ((agree == 0) | (disagree == 0)).any():
        raise ValueError("the preferences are separable by the feature: the MLE of w is infinite")
    w = np.zeros(d.shape[:-1])
    for _ in range(100):
        s = sigmoid(w[..., None] * d)
        grad = (d * (n - tot * s)).sum(axis=-1)
        hess = (tot * d * d * s * (1 - s)).sum(axis=-1)
        step = grad / hess
        w = w + step
        if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(w))):
            break
    return w


def log_partition(pi_ref: ArrayLike, rewards: ArrayLike, beta: float) -> NDArray[np.float64]:
    r"""The log-partition function of the KL-regularised optimum.

    Formula: :math:`\ln Z = \ln\sum_y \pi_{ref}(y)\,e^{r(y)/\beta}`.

    Computed as a log-sum-exp with ``log1p`` (exact when one response dominates).
    :math:`\beta\ln Z` is the optimum's objective value and the shift between the reward
    and DPO's implicit reward; it is the same for every response to the prompt.

    Used by: DPO-vs-RLHF family.

    Raises:
        ValueError: if ``pi_ref`` is not a distribution, shapes differ, or ``beta`` <= 0.
    """
    lw, _ = _kl_log_weights(pi_ref, rewards, beta)
    return _log_sum_exp_log1p(lw)


def implicit_reward(logp_policy: ArrayLike, logp_ref: ArrayLike, beta: float) -> NDArray[np.float64]:
    r"""DPO's implicit reward of a response.

    Formula: :math:`\hat r(y) = \beta\ln(\pi_\theta(y)/\pi_{ref}(y))`.

    At the KL-regularised optimum :math:`\pi^* \propto \pi_{ref}e^{r/\beta}` it equals
    :math:`r(y) - \beta\ln Z`: the true reward up to a shift shared by every response,
    which cancels in Bradley-Terry differences.

    Used by: DPO-vs-RLHF family (M-IMPLICIT-NO-Z, M-IMPLICIT-NO-BETA distractors).

    Raises:
        ValueError: if ``beta`` <= 0 or a log-probability is NaN, +inf or positive.
    """
    b = float(_checks.positive(beta, "beta"))
    lp = _checks.finite_float(logp_policy, "logp_policy")
    lr = _checks.finite_float(logp_ref, "logp_ref")
    for x, name in ((lp, "logp_policy"), (lr, "logp_ref")):
        if (x > 0).any():
            raise ValueError(f"{name} must be a log-probability (<= 0)")
    return b * (lp - lr)

