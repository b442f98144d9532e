"""Gradients of the token loss with respect to the logits, and what one SGD step on the
logits does to every token's probability (CONTENT.md D1 and D2).

Notation: ``probs`` is p = softmax(z), ``target`` is the gold index c, ``lr`` is eta.
The gradient of L = -ln p_c is g = p - e_c (or p - q with label smoothing).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .losses import smoothed_target
from .softmax import _softmax_tail_into, softmax

__all__ = [
    "logit_gradient",
    "softmax_cross_entropy_grad",
    "sgd_step",
    "probability_change",
    "probability_change_signs",
    "change_threshold",
    "small_step_threshold",
    "SIGN_TOL",
]

#: Probability changes with magnitude at or below this count as "no change" (sign 0).
SIGN_TOL = 1e-15


def _onehot_minus(p: NDArray[np.float64], t: NDArray[np.intp]) -> NDArray[np.float64]:
    g = p.copy()
    idx = t[..., None]
    np.put_along_axis(g, idx, np.take_along_axis(g, idx, axis=-1) - 1.0, axis=-1)
    return g


def logit_gradient(probs: ArrayLike, target: ArrayLike, label_smoothing: float = 0.0) -> NDArray[np.float64]:
    r"""Gradient of the (optionally label-smoothed) cross-entropy with respect to the logits.

    Formula: :math:`\partial L/\partial z = p - q`, with :math:`q = e_c` or
    :math:`q = (1-\varepsilon)e_c + \varepsilon/K`.

    The gold entry is :math:`p_c - 1 \le 0`, every other entry is :math:`p_j \ge 0`,
    and the entries sum to 0. For a remainder spread evenly over N tokens, each gets
    R/N and the aggregate is R (build the vector with :func:`expand_remainder`).

    Used by: F04, F05, F07.

    Raises:
        ValueError: for an invalid distribution, target or ``label_smoothing``.
    """
    p = _checks.probs_array(probs)
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    eps = float(_checks.unit_interval(label_smoothing, "label_smoothing"))
    if eps == 0.0:
        return _onehot_minus(p, t)
    return p - smoothed_target(p.shape[-1], t, eps)


def softmax_cross_entropy_grad(
    logits: ArrayLike, target: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Fused softmax, cross-entropy and logit gradient in one cache-friendly sweep.

    Formula: :math:`L = \operatorname{lse}(z) - z_c,\quad \partial L/\partial z = \operatorname{softmax}(z) - e_c`.

    The hot path of the benchmark: rows are processed in cache-sized blocks (max,
    subtract, exp, sum and scale happen while the block is in cache), the loss comes
    from the log-sum-exp, and the gradient buffer is the probability buffer.

    Used by: bench/bench_engine.py; batch checks of F01/F04 keys.

    Returns:
        ``(loss, grad)`` with shapes ``logits.shape[:-1]`` and ``logits.shape``.

    Raises:
        ValueError: if ``logits`` contain NaN or +inf, a row has no finite logit, or
            ``target`` is invalid.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError("logits must have a non-empty last axis (the vocabulary)")
    t = _checks.target_array(target, z.shape[:-1], z.shape[-1])
    flat = np.ascontiguousarray(z).reshape(-1, z.shape[-1])
    grad = np.empty_like(flat)
    # Rows are validated after the sweep (below), so silence the warnings a bad row raises.
    with np.errstate(invalid="ignore", over="ignore"):
        lse, m, tail = _softmax_tail_into(flat, grad)
    # A NaN or +inf anywhere, or an all -inf row, makes that row's log-sum-exp
    # non-finite, so this one cheap check replaces a full validation pass.
    if not np.isfinite(lse).all():
        raise ValueError("logits contain NaN or +inf, or a row with no finite logit")
    rows = np.arange(flat.shape[0])
    tf = t.reshape(-1)
    # (m - z_c) + ln(1 + t) rather than lse - z_c: for a confident correct prediction the
    # loss is ln(1 + t) alone, which lse - z_c would bury in the rounding of lse.
    loss = (m - flat[rows, tf]) + np.log1p(tail)
    grad[rows, tf] -= 1.0
    return loss.reshape(z.shape[:-1]), grad.reshape(z.shape)


def sgd_step(
    logits: ArrayLike, target: ArrayLike, lr: float, label_smoothing: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""One gradient-descent step on the logits for the token loss.

    Formula: :math:`z' = z - \eta\,(\operatorname{softmax}(z) - q),\quad p' = \operatorname{softmax}(z')`.

    ``new_logits`` is exactly ``z - lr * grad`` (no re-centring), so the logit change
    is :math:`+\eta(1-p_c)` for the gold token and :math:`-\eta p_j` for the others.

    Used by: F05.

    Returns:
        ``(new_logits, new_probs)``.

    Raises:
        ValueError: if ``lr`` <= 0 or the logits, target or smoothing are invalid.
    """
    z = _checks.logits_array(logits)
    eta = float(_checks.positive(lr, "lr"))
    g = logit_gradient(softmax(z), target, label_smoothing)
    new = z - eta * g
    return new, softmax(new)


def _log_step_factor(
    p: NDArray[np.float64], t: NDArray[np.intp], eta: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return (-eta * g, ln S) where S = sum_k p_k exp(-eta g_k)."""
    a = -eta * _onehot_minus(p, t)
    with np.errstate(divide="ignore"):
        lw = np.log(p) + a
    m = lw.max(axis=-1, keepdims=True)
    ln_s = m + np.log(np.exp(lw - m).sum(axis=-1, keepdims=True))
    # For small steps S is 1 + O(eta) and m + log(sum) is a difference of two O(1) terms:
    # there, ln S = log1p(sum_k p_k expm1(a_k)) keeps its relative precision (|a_k| <= eta).
    small = np.abs(a).max(axis=-1, keepdims=True) < 0.5
    if small.any():
        ln_s = np.where(small, np.log1p((p * np.expm1(np.where(small, a, 0.0))).sum(axis=-1, keepdims=True)), ln_s)
    return a, ln_s


def probability_change(probs: ArrayLike, target: ArrayLike, lr: float) -> NDArray[np.float64]:
    r"""Exact change of every token's probability after one SGD step on the logits.

    Formula: :math:`\Delta p_j = p_j\big(e^{-\eta g_j}/S - 1\big),\ S = \sum_k p_k e^{-\eta g_k}`.

    Computed as ``p * expm1(-eta g - ln S)`` so tiny changes keep full relative
    precision. Tokens with probability 0 stay at 0.

    Used by: F05.

    Raises:
        ValueError: if ``lr`` <= 0 or the distribution or target are invalid.
    """
    p = _checks.probs_array(probs)
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    eta = float(_checks.positive(lr, "lr"))
    a, ln_s = _log_step_factor(p, t, eta)
    return p * np.expm1(a - ln_s)


def probability_change_signs(probs: ArrayLike, target: ArrayLike, lr: float) -> NDArray[np.int8]:
    r"""Which tokens' probabilities rise (+1), fall (-1) or stay (0) after one SGD step.

    Formula: :math:`s_j = \operatorname{sign}\big(p_j(e^{-\eta g_j}/S - 1)\big)` with ``|change| <= 1e-15`` as 0.

    Rule (CONTENT.md D2): :math:`\operatorname{sign}\Delta p_c = +1` whenever
    :math:`0 < p_c < 1`; a wrong token with :math:`p_j > 0` rises iff
    :math:`p_j < \tau_\eta = -\ln S/\eta` (:func:`change_threshold`).

    So it is *not* "gold up, the rest down" in general: when one wrong token dominates,
    its logit is pushed down hardest and small wrong tokens can gain. Tokens with
    :math:`|\Delta p| \le 10^{-15}` (``SIGN_TOL``), including every token when
    :math:`p_c = 1` and tokens with :math:`p_j = 0`, get 0. The signs are taken from
    the exact :func:`probability_change`.

    Used by: F05 (sign-pattern items, M-ALL-WRONG-DOWN).

    Returns:
        int8 array of the same shape as ``probs``.

    Raises:
        ValueError: if ``lr`` <= 0 or the distribution or target are invalid.
    """
    d = probability_change(probs, target, lr)
    return (np.where(d > SIGN_TOL, 1, 0) - np.where(d < -SIGN_TOL, 1, 0)).astype(np.int8)


def change_threshold(probs: ArrayLike, target: ArrayLike, lr: float) -> NDArray[np.float64]:
    r"""Threshold below which a wrong token's probability rises after one SGD step.

    Formula: :math:`\tau_\eta = -\ln(S)/\eta,\ S = \sum_k p_k e^{-\eta g_k}`.

    A wrong token j gains iff :math:`p_j < \tau_\eta`; if :math:`\tau_\eta \le \min_{j\ne c} p_j`
    every wrong probability falls. As :math:`\eta \to 0` it tends to
    :func:`small_step_threshold`.

    Used by: F05 (regime checks in the generator).

    Raises:
        ValueError: if ``lr`` <= 0 or the distribution or target are invalid.
    """
    p = _checks.probs_array(probs)
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    eta = float(_checks.positive(lr, "lr"))
    _, ln_s = _log_step_factor(p, t, eta)
    return -ln_s[..., 0] / eta


def small_step_threshold(probs: ArrayLike, target: ArrayLike) -> NDArray[np.float64]:
    r"""Small-step limit of the change threshold.

    Formula: :math:`\tau_1 = \sum_k p_k^2 - p_c`.

    To first order :math:`\Delta p_j \approx -\eta p_j (p_j - \tau_1)` for :math:`j \ne c`.
    Seed 3 gives :math:`\tau_1 = -0.0325`, so every wrong token falls.

    Used by: F05 (the "all wrong down" regime test :math:`p_c \ge \sum p^2 + 0.02`).

    Raises:
        ValueError: for an invalid distribution or target.
    """
    p = _checks.probs_array(probs)
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    return (p * p).sum(axis=-1) - np.take_along_axis(p, t[..., None], axis=-1)[..., 0]
