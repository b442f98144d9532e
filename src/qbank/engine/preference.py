"""Preference learning and RLHF: Bradley-Terry, reward-model and ranking losses, DPO,
PPO's clipped surrogate, the KL-regularised objective and its optimum (CONTENT.md D4).

All functions are elementwise over broadcastable arrays unless a last axis is named.
Sigmoids and log-sigmoids are computed in stable forms (see :func:`sigmoid`), exact for
margins of +-800.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .information import kl_divergence

__all__ = [
    "sigmoid",
    "softplus",
    "bradley_terry",
    "reward_model_loss",
    "reward_model_loss_grad",
    "ranking_loss",
    "ranking_loss_grad",
    "dpo_loss",
    "dpo_loss_grad",
    "ppo_ratio",
    "ppo_clip_objective",
    "ppo_clip_grad",
    "td_advantage",
    "rlhf_objective",
    "kl_shaped_reward",
    "token_level_rewards",
    "expected_rlhf_objective",
    "kl_regularized_optimum",
]


def softplus(x: ArrayLike) -> NDArray[np.float64]:
    r"""Softplus, stable for any finite input: :math:`\ln(1 + e^x)`.

    Formula: :math:`\operatorname{softplus}(x) = \ln(1 + e^{x})`.

    Used by: F15, F16, F19 (losses written as softplus of the negative margin).
    """
    return np.logaddexp(0.0, _checks.as_float(x, "x"))


def sigmoid(x: ArrayLike) -> NDArray[np.float64]:
    r"""Logistic sigmoid, stable for any finite input.

    Formula: :math:`\sigma(x) = 1/(1 + e^{-x}) = e^{-\operatorname{softplus}(-x)}`.

    For x < 0 it is computed as :math:`e^{x}/(1 + e^{x})`: the form
    :math:`e^{-\operatorname{softplus}(-x)}` rounds softplus to the spacing of |x| first,
    which costs up to 16 ulps near x = -33; for x >= 0 that form is kept (it is exact
    there, and unchanged results keep existing items identical).

    Used by: F15, F19.
    """
    v = _checks.as_float(x, "x")
    with np.errstate(over="ignore"):
        e = np.exp(np.minimum(v, 0.0))
    return np.where(v < 0, e / (1.0 + e), np.exp(-softplus(-np.maximum(v, 0.0))))


def bradley_terry(r_chosen: ArrayLike, r_rejected: ArrayLike) -> NDArray[np.float64]:
    r"""Bradley-Terry probability that the chosen response is preferred.

    Formula: :math:`P(a \succ b) = \sigma(r_a - r_b)`.

    Shift-invariant, not scale-invariant (M-BT-SCALE).

    Used by: F15.

    Raises:
        ValueError: if a score is NaN or infinite.
    """
    a = _checks.finite_float(r_chosen, "r_chosen")
    b = _checks.finite_float(r_rejected, "r_rejected")
    return sigmoid(a - b)


def reward_model_loss(r_chosen: ArrayLike, r_rejected: ArrayLike) -> NDArray[np.float64]:
    r"""Pairwise reward-model loss: negative log Bradley-Terry probability of the human choice.

    Formula: :math:`L = -\ln \sigma(r_w - r_l) = \operatorname{softplus}(r_l - r_w)`.

    Used by: F15.

    Raises:
        ValueError: if a score is NaN or infinite.
    """
    a = _checks.finite_float(r_chosen, "r_chosen")
    b = _checks.finite_float(r_rejected, "r_rejected")
    return softplus(b - a)


def reward_model_loss_grad(
    r_chosen: ArrayLike, r_rejected: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Gradient of the pairwise loss with respect to both scores.

    Formula: :math:`\partial L/\partial r_w = -\sigma(r_l - r_w),\ \partial L/\partial r_l = +\sigma(r_l - r_w)`.

    Used by: F15 ("after one step of size eta on the scores").

    Returns:
        ``(dL/dr_chosen, dL/dr_rejected)``.

    Raises:
        ValueError: if a score is NaN or infinite.
    """
    a = _checks.finite_float(r_chosen, "r_chosen")
    b = _checks.finite_float(r_rejected, "r_rejected")
    s = sigmoid(b - a)
    return -s, s


def _ranking(scores: ArrayLike, ranking: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    r = _checks.finite_float(scores, "scores")
    if r.ndim == 0 or r.shape[-1] < 2:
        raise ValueError("scores must have a last axis of at least 2 responses")
    rk = np.asarray(ranking)
    order = _checks.target_array(rk, r.shape, r.shape[-1], "ranking")
    if not (np.sort(order, axis=-1) == np.arange(r.shape[-1])).all():
        raise ValueError("ranking must be a permutation of the response indices (best first)")
    return r, order


def ranking_loss(scores: ArrayLike, ranking: ArrayLike) -> NDArray[np.float64]:
    r"""Reward-model loss for a ranking of K responses: mean pairwise loss over all pairs.

    Formula: :math:`L = -\binom{K}{2}^{-1} \sum_{i \succ j} \ln \sigma(r_i - r_j)`.

    ``ranking`` lists response indices best first (e.g. ``[1, 0, 2]`` for y2 > y1 > y3).

    Used by: F16 (M-RANK-ADJACENT, M-RANK-SUM, M-RANK-TOP-ONLY distractors).

    Raises:
        ValueError: if scores are not finite or ``ranking`` is not a permutation.
    """
    r, order = _ranking(scores, ranking)
    ranked = np.take_along_axis(r, order, axis=-1)
    pairs = list(combinations(range(r.shape[-1]), 2))
    hi = np.array([i for i, _ in pairs])
    lo = np.array([j for _, j in pairs])
    return softplus(ranked[..., lo] - ranked[..., hi]).mean(axis=-1)


def ranking_loss_grad(scores: ArrayLike, ranking: ArrayLike) -> NDArray[np.float64]:
    r"""Gradient of :func:`ranking_loss` with respect to each response's score.

    Formula: :math:`\partial L/\partial r_k = \binom{K}{2}^{-1}\big(\sum_{j \prec k} -\sigma(r_j - r_k) + \sum_{i \succ k} \sigma(r_k - r_i)\big)`.

    Used by: F16.

    Raises:
        ValueError: as :func:`ranking_loss`.
    """
    r, order = _ranking(scores, ranking)
    k = r.shape[-1]
    ranked = np.take_along_axis(r, order, axis=-1)
    g_ranked = np.zeros_like(ranked)
    npairs = k * (k - 1) / 2
    for i, j in combinations(range(k), 2):
        s = sigmoid(ranked[..., j] - ranked[..., i]) / npairs
        g_ranked[..., i] -= s
        g_ranked[..., j] += s
    g = np.empty_like(g_ranked)
    np.put_along_axis(g, order, g_ranked, axis=-1)
    return g


def dpo_loss(
    policy_chosen_logp: ArrayLike,
    policy_rejected_logp: ArrayLike,
    ref_chosen_logp: ArrayLike,
    ref_rejected_logp: ArrayLike,
    beta: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""DPO loss and the implicit rewards of the chosen and rejected responses.

    Formula: :math:`L = -\ln \sigma(u),\ u = \hat r_w - \hat r_l,\ \hat r = \beta(\ln \pi_\theta(y) - \ln \pi_{ref}(y))`.

    Log-probabilities are whole-sequence sums (sum token log-probs first; not
    length-normalised). At :math:`\pi_\theta = \pi_{ref}`, L = ln 2; L < ln 2 whenever
    u > 0, even if both policy log-probs fell. Swapping chosen and rejected flips the
    sign of u.

    Used by: F19.

    Returns:
        ``(loss, reward_chosen, reward_rejected)``.

    Raises:
        ValueError: if ``beta`` <= 0 or a log-probability is NaN or +inf.
    """
    b = float(_checks.positive(beta, "beta"))
    pc, pr, rc, rr = (
        _checks.finite_float(x, name)
        for x, name in (
            (policy_chosen_logp, "policy_chosen_logp"),
            (policy_rejected_logp, "policy_rejected_logp"),
            (ref_chosen_logp, "ref_chosen_logp"),
            (ref_rejected_logp, "ref_rejected_logp"),
        )
    )
    for x, name in ((pc, "policy_chosen_logp"), (pr, "policy_rejected_logp"), (rc, "ref_chosen_logp"), (rr, "ref_rejected_logp")):
        if (x > 0).any():
            raise ValueError(f"{name} must be a log-probability (<= 0)")
    w = b * (pc - rc)
    lo = b * (pr - rr)
    return softplus(-(w - lo)), w, lo


def dpo_loss_grad(
    policy_chosen_logp: ArrayLike,
    policy_rejected_logp: ArrayLike,
    ref_chosen_logp: ArrayLike,
    ref_rejected_logp: ArrayLike,
    beta: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Gradient of the DPO loss with respect to the two policy log-probabilities.

    Formula: :math:`\partial L/\partial \ln \pi_\theta(y_w) = -\beta\sigma(-u),\ \partial L/\partial \ln \pi_\theta(y_l) = +\beta\sigma(-u)`.

    At initialisation (:math:`\pi_\theta = \pi_{ref}`) these are :math:`\mp\beta/2`.

    Used by: F19.

    Returns:
        ``(dL/d policy_chosen_logp, dL/d policy_rejected_logp)``.

    Raises:
        ValueError: as :func:`dpo_loss`.
    """
    _, w, lo = dpo_loss(policy_chosen_logp, policy_rejected_logp, ref_chosen_logp, ref_rejected_logp, beta)
    s = float(beta) * sigmoid(-(w - lo))
    return -s, s


def ppo_ratio(logp_new: ArrayLike, logp_old: ArrayLike) -> NDArray[np.float64]:
    r"""Probability ratio of the new to the old policy from log-probabilities.

    Formula: :math:`\rho = e^{\ln \pi_{new} - \ln \pi_{old}}`.

    Used by: F18.

    Raises:
        ValueError: if a log-probability is NaN or infinite.
    """
    return np.exp(_checks.finite_float(logp_new, "logp_new") - _checks.finite_float(logp_old, "logp_old"))


def _ppo_args(ratio: ArrayLike, advantage: ArrayLike, epsilon: float) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    rho = _checks.non_negative(ratio, "ratio")
    a = _checks.finite_float(advantage, "advantage")
    e = float(_checks.finite_float(epsilon, "epsilon"))
    if not 0.0 < e < 1.0:
        raise ValueError(f"epsilon must lie in (0, 1), got {e}")
    return rho, a, e


def ppo_clip_objective(ratio: ArrayLike, advantage: ArrayLike, epsilon: float) -> NDArray[np.float64]:
    r"""PPO clipped surrogate objective (to be maximised), elementwise.

    Formula: :math:`L = \min\big(\rho A,\ \operatorname{clip}(\rho, 1-\varepsilon, 1+\varepsilon) A\big)`.

    Used by: F18 (M-PPO-NO-MIN, M-PPO-MAX, M-PPO-CLIP-PRODUCT distractors).

    Raises:
        ValueError: if ``ratio`` < 0, a value is not finite, or ``epsilon`` is not in (0, 1).
    """
    rho, a, e = _ppo_args(ratio, advantage, epsilon)
    return np.minimum(rho * a, np.clip(rho, 1 - e, 1 + e) * a)


def ppo_clip_grad(ratio: ArrayLike, advantage: ArrayLike, epsilon: float) -> NDArray[np.float64]:
    r"""Derivative of the clipped objective with respect to the ratio.

    Formula: :math:`\partial L/\partial \rho = A` unless (A > 0 and :math:`\rho > 1+\varepsilon`)
    or (A < 0 and :math:`\rho < 1-\varepsilon`), where it is 0.

    On the pessimistic side (A > 0 with :math:`\rho < 1-\varepsilon`, A < 0 with
    :math:`\rho > 1+\varepsilon`) the gradient stays active. At the clip boundary itself
    the one-sided derivatives differ; this returns A there (the unclipped side).

    Used by: F18 ("is the gradient zero?", M-PPO-GRAD-ALWAYS).

    Raises:
        ValueError: as :func:`ppo_clip_objective`.
    """
    rho, a, e = _ppo_args(ratio, advantage, epsilon)
    dead = ((a > 0) & (rho > 1 + e)) | ((a < 0) & (rho < 1 - e))
    return np.where(dead, 0.0, a)


def td_advantage(reward: ArrayLike, value: ArrayLike, next_value: ArrayLike, gamma: float) -> NDArray[np.float64]:
    r"""One-step temporal-difference advantage estimate.

    Formula: :math:`A = r + \gamma V(s') - V(s)`.

    Used by: F18 (TD variant; M-TD-NO-BASELINE drops :math:`-V(s)`).

    Raises:
        ValueError: if ``gamma`` is outside [0, 1] or a value is not finite.
    """
    g = float(_checks.unit_interval(gamma, "gamma"))
    return (
        _checks.finite_float(reward, "reward")
        + g * _checks.finite_float(next_value, "next_value")
        - _checks.finite_float(value, "value")
    )


def rlhf_objective(reward: ArrayLike, kl: ArrayLike, beta: float) -> NDArray[np.float64]:
    r"""KL-penalised RLHF objective, elementwise.

    Formula: :math:`J = r - \beta\,\mathrm{KL}`.

    Used by: F17.

    Raises:
        ValueError: if ``beta`` < 0 or a value is not finite.
    """
    b = float(_checks.non_negative(beta, "beta"))
    return _checks.finite_float(reward, "reward") - b * _checks.finite_float(kl, "kl")


def kl_shaped_reward(reward: ArrayLike, logp_policy: ArrayLike, logp_ref: ArrayLike, beta: float) -> NDArray[np.float64]:
    r"""Reward of one sampled response after the KL penalty.

    Formula: :math:`r - \beta \ln(\pi_\theta(y)/\pi_{ref}(y))`.

    Used by: F17(a) (M-KL-SIGN distractor).

    Raises:
        ValueError: if ``beta`` < 0 or a value is not finite.
    """
    b = float(_checks.non_negative(beta, "beta"))
    lp = _checks.finite_float(logp_policy, "logp_policy")
    lr = _checks.finite_float(logp_ref, "logp_ref")
    return _checks.finite_float(reward, "reward") - b * (lp - lr)


def token_level_rewards(
    logp_policy: ArrayLike, logp_ref: ArrayLike, reward: ArrayLike, beta: float
) -> NDArray[np.float64]:
    r"""Per-token rewards of the token-level RLHF formulation.

    Formula: :math:`r_t = -\beta \ln(\pi_\theta(y_t)/\pi_{ref}(y_t)) + [t = T]\,r(x, y)`.

    Their sum over t equals :func:`kl_shaped_reward` of the whole sequence. The reward
    model's score is added at the last token only (M-KL-EVERY-TOKEN-REWARD adds it at
    every token).

    Used by: F17 (token-level variant).

    Returns:
        Array of the shape of ``logp_policy`` (..., T).

    Raises:
        ValueError: if shapes disagree, ``beta`` < 0 or a value is not finite.
    """
    b = float(_checks.non_negative(beta, "beta"))
    lp = _checks.finite_float(logp_policy, "logp_policy")
    lr = _checks.finite_float(logp_ref, "logp_ref")
    if lp.shape != lr.shape or lp.ndim == 0 or lp.shape[-1] == 0:
        raise ValueError("logp_policy and logp_ref must share a shape with a non-empty token axis")
    r = _checks.finite_float(reward, "reward")
    out = -b * (lp - lr)
    out[..., -1] += r
    return out


def expected_rlhf_objective(pi: ArrayLike, pi_ref: ArrayLike, rewards: ArrayLike, beta: float) -> NDArray[np.float64]:
    r"""Expected KL-regularised objective of a policy over a discrete response set.

    Formula: :math:`J(\pi) = \sum_y \pi(y) r(y) - \beta\,\mathrm{KL}(\pi\,\|\,\pi_{ref})`.

    Used by: F17(b) (M-KL-REVERSE uses KL(pi_ref || pi)).

    Raises:
        ValueError: if ``pi`` or ``pi_ref`` is not a distribution, shapes differ, or
            ``beta`` < 0.
    """
    p = _checks.probs_array(pi, "pi")
    r = _checks.finite_float(rewards, "rewards")
    if r.shape != p.shape:
        raise ValueError(f"rewards must have the shape of pi {p.shape}, got {r.shape}")
    b = float(_checks.non_negative(beta, "beta"))
    return (p * r).sum(axis=-1) - b * kl_divergence(p, pi_ref)


def kl_regularized_optimum(
    pi_ref: ArrayLike, rewards: ArrayLike, beta: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Optimal policy of the KL-regularised objective and its value.

    Formula: :math:`\pi^*(y) = \pi_{ref}(y) e^{r(y)/\beta}/Z,\quad J^* = \beta \ln Z`.

    As beta grows pi* -> pi_ref; as beta -> 0 it concentrates on the highest reward.
    Computed in log space, so rewards/beta of 1e4 are fine.

    Used by: F17(c)(d) (M-OPT-NO-REF, M-OPT-NO-BETA distractors), F19 (D4).

    Returns:
        ``(pi_star, objective)``.

    Raises:
        ValueError: if ``pi_ref`` is not a distribution, shapes differ, or ``beta`` <= 0.
    """
    lw, b = _kl_log_weights(pi_ref, rewards, beta)
    m = lw.max(axis=-1, keepdims=True)
    w = np.exp(lw - m)
    s = w.sum(axis=-1, keepdims=True)
    # the objective beta ln Z from log1p of the sum without its leading 1 (exact when one
    # response dominates); the probabilities keep the plain sweep
    return w / s, b * _log_sum_exp_log1p(lw)


def _kl_log_weights(pi_ref: ArrayLike, rewards: ArrayLike, beta: float) -> tuple[NDArray[np.float64], float]:
    """``ln pi_ref + r / beta`` (the optimum's unnormalised log-probabilities) and ``beta``,
    after checking the arguments as :func:`kl_regularized_optimum` documents."""
    ref = _checks.probs_array(pi_ref, "pi_ref")
    r = _checks.finite_float(rewards, "rewards")
    if r.shape != ref.shape:
        raise ValueError(f"rewards must have the shape of pi_ref {ref.shape}, got {r.shape}")
    b = float(_checks.positive(beta, "beta"))
    with np.errstate(divide="ignore"):
        lw = np.log(ref) + r / b
    return lw, b


def _log_sum_exp_log1p(lw: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log-sum-exp over the last axis as ``max + log1p(rest)``: exact when one term dominates."""
    from .softmax import _max_and_tail

    m, tail = _max_and_tail(lw)
    return (m + np.log1p(tail))[..., 0]
