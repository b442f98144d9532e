r"""One gradient step on a quadratic loss: when a learning rate is too high.

The loss near a minimum is modelled as :math:`L(w) = \tfrac12\sum_k \lambda_k (w_k - w^*_k)^2`
(the Hessian's eigenbasis, curvatures :math:`\lambda_k > 0`). Gradient descent multiplies
each coordinate's distance to the minimum by :math:`1 - \eta\lambda_k`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

__all__ = ["quadratic_loss", "quadratic_gd_step", "stable_lr_limit"]


def _args(w: ArrayLike, w_star: ArrayLike, curvature: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    x = _checks.finite_float(w, "w")
    xs = _checks.finite_float(w_star, "w_star")
    lam = _checks.positive(curvature, "curvature")
    if x.ndim == 0 or not x.shape == xs.shape == np.broadcast_shapes(x.shape, lam.shape):
        raise ValueError(f"w, w_star and curvature must share a shape with a last axis, got {x.shape}, {xs.shape}, {lam.shape}")
    return x, xs, lam


def quadratic_loss(w: ArrayLike, w_star: ArrayLike, curvature: ArrayLike) -> NDArray[np.float64]:
    r"""Quadratic loss over the last axis.

    Formula: :math:`L(w) = \tfrac12\sum_k \lambda_k (w_k - w^*_k)^2`.

    Used by: learning-rate family.

    Raises:
        ValueError: if a value is not finite, a curvature is <= 0, or shapes differ.
    """
    x, xs, lam = _args(w, w_star, curvature)
    d = x - xs
    return 0.5 * (lam * d * d).sum(axis=-1)


def quadratic_gd_step(
    w: ArrayLike, w_star: ArrayLike, curvature: ArrayLike, lr: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""One gradient-descent step on :func:`quadratic_loss` and the loss after it.

    Formula: :math:`w' = w - \eta\nabla L = w^* + (1 - \eta\lambda)\odot(w - w^*),\quad
    L(w') = \tfrac12\sum_k \lambda_k (1 - \eta\lambda_k)^2 (w_k - w^*_k)^2`.

    The step raises the loss along every coordinate with :math:`\eta > 2/\lambda_k` and
    lowers it along the others; whether the total rises depends on where w starts,
    unless :math:`\eta > 2/\lambda_{min}` (always rises) or :math:`\eta < 2/\lambda_{max}`
    (never rises).

    Used by: learning-rate family.

    Returns:
        ``(new_w, new_loss)``.

    Raises:
        ValueError: if ``lr`` <= 0, or as :func:`quadratic_loss`.
    """
    x, xs, lam = _args(w, w_star, curvature)
    eta = float(_checks.positive(lr, "lr"))
    new = x - eta * lam * (x - xs)
    return new, quadratic_loss(new, xs, lam)


def stable_lr_limit(curvature: ArrayLike) -> NDArray[np.float64]:
    r"""The largest learning rate at which no gradient step can raise the quadratic loss.

    Formula: :math:`\eta_{max} = 2/\lambda_{max}` (at exactly this rate the steepest
    coordinate bounces between :math:`\pm` its distance, leaving its term unchanged).

    Used by: learning-rate family (M-LR-HALF-LIMIT, M-LR-MIN-CURV distractors).

    Raises:
        ValueError: if a curvature is not finite or is <= 0.
    """
    lam = _checks.positive(curvature, "curvature")
    if lam.ndim == 0:
        raise ValueError("curvature must have a last axis")
    return 2.0 / lam.max(axis=-1)
