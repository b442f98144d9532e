"""GRPO: group-relative advantages and the clipped objective over a group of responses.

One prompt, G sampled responses (the last axis); every response is one action, with a
sequence log-probability under the old and the new policy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .kl_estimators import kl_estimators
from .preference import ppo_clip_objective

__all__ = ["group_advantages", "grpo_objective"]


def _group(x: ArrayLike, name: str) -> NDArray[np.float64]:
    r = _checks.finite_float(x, name)
    if r.ndim == 0 or r.shape[-1] < 2:
        raise ValueError(f"{name} must have a last axis of at least 2 responses (the group)")
    return r


def group_advantages(rewards: ArrayLike, *, scale: bool = True) -> NDArray[np.float64]:
    r"""GRPO's advantages: each reward relative to its own group.

    Formula: :math:`A_i = (r_i - \bar r)/s,\ \bar r = \tfrac1G\sum_j r_j,\ s = \sqrt{\tfrac1G\sum_j (r_j - \bar r)^2}`.

    The standard deviation divides by G (the group's own spread, not the sample estimate).
    A group whose rewards are all equal has s = 0 and every advantage 0: it carries no
    signal (implementations add a small constant to s for the same effect). With
    ``scale=False`` the advantages are only centred (Dr. GRPO's variant).

    Used by: GRPO family (M-GRPO-NO-CENTER, M-GRPO-NO-SCALE, M-GRPO-POOLED distractors).

    Returns:
        Array of the shape of ``rewards``.

    Raises:
        ValueError: if a reward is not finite or a group has fewer than 2 responses.
    """
    r = _group(rewards, "rewards")
    centred = r - r.mean(axis=-1, keepdims=True)
    if not scale:
        return centred
    s = np.sqrt((centred * centred).mean(axis=-1, keepdims=True))
    # Rewards equal up to rounding leave centred values of 1e-17 / s of 1e-17: treat as no spread.
    flat = s <= 1e-12 * np.maximum(np.abs(r).max(axis=-1, keepdims=True), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(flat, 0.0, centred / np.where(flat, 1.0, s))


def grpo_objective(
    logp_new: ArrayLike,
    logp_old: ArrayLike,
    advantages: ArrayLike,
    epsilon: float,
    *,
    beta: float = 0.0,
    logp_ref: ArrayLike | None = None,
) -> NDArray[np.float64]:
    r"""The GRPO objective of one group (to be maximised): clipped surrogate minus a KL penalty.

    Formula: :math:`J = \tfrac1G\sum_i \Big[\min\big(\rho_i A_i, \operatorname{clip}(\rho_i, 1-\varepsilon, 1+\varepsilon) A_i\big) - \beta\,k_3(i)\Big],\ \rho_i = e^{\ln\pi_{new}(y_i) - \ln\pi_{old}(y_i)}`,

    where :math:`k_3 = \pi_{ref}/\pi_{new} - 1 - \ln(\pi_{ref}/\pi_{new})` is the per-sample
    KL estimate GRPO uses (:func:`qbank.engine.kl_estimators`). The mean is over the G
    responses of the group (last axis), not their sum.

    Used by: GRPO family (M-PPO-NO-MIN, M-GRPO-SUM distractors).

    Returns:
        Array of shape ``advantages.shape[:-1]``.

    Raises:
        ValueError: if shapes differ, a value is not finite, ``epsilon`` is not in (0, 1),
            ``beta`` < 0, or ``beta`` > 0 without ``logp_ref``.
    """
    new = _group(logp_new, "logp_new")
    old = _group(logp_old, "logp_old")
    a = _group(advantages, "advantages")
    if not new.shape == old.shape == a.shape:
        raise ValueError(f"logp_new, logp_old and advantages must share a shape, got {new.shape}, {old.shape}, {a.shape}")
    b = float(_checks.non_negative(beta, "beta"))
    surrogate = ppo_clip_objective(np.exp(new - old), a, epsilon)
    if b > 0:
        if logp_ref is None:
            raise ValueError("beta > 0 needs logp_ref")
        ref = _group(logp_ref, "logp_ref")
        if ref.shape != new.shape:
            raise ValueError(f"logp_ref must have shape {new.shape}, got {ref.shape}")
        surrogate = surrogate - b * kl_estimators(new, ref)[2]
    return surrogate.mean(axis=-1)
