"""Evaluation metrics next to perplexity: top-1 accuracy of next-token predictions."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

__all__ = ["top1_accuracy"]


def top1_accuracy(probs: ArrayLike, target: ArrayLike) -> NDArray[np.float64]:
    r"""Fraction of positions whose most probable token is the gold one.

    Formula: :math:`\mathrm{acc} = \tfrac1T\sum_t [\arg\max_v p_t(v) = y_t]`.

    ``probs`` has shape (..., T, V) and ``target`` (..., T). Ties go to the first listed
    token (the engine-wide rule). Accuracy ignores how much probability the gold token
    gets; perplexity (:func:`qbank.engine.perplexity`) ignores which token is the argmax.

    Used by: perplexity-vs-accuracy family.

    Returns:
        Array of shape ``probs.shape[:-2]``.

    Raises:
        ValueError: if a row is not a distribution, there is no position axis, or
            ``target`` is invalid.
    """
    p = _checks.probs_array(probs)
    if p.ndim < 2 or p.shape[-2] == 0:
        raise ValueError("probs must have shape (..., T, V) with T >= 1")
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    return (p.argmax(axis=-1) == t).mean(axis=-1)
