"""Decoding-time transforms of a next-token distribution: temperature, top-k, top-p.

Tie rule everywhere: tokens are ranked by descending probability, and equal
probabilities are ranked by position (the first listed wins). At T -> 0 tied maxima
share the mass evenly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .softmax import softmax

__all__ = [
    "apply_temperature",
    "top_k",
    "top_p",
    "top_p_mask",
    "top_p_size",
    "renormalize_subset",
    "nucleus_remainder_count",
    "TOP_P_TOL",
]

#: A prefix counts as reaching the nucleus mass P when its mass is >= P - TOP_P_TOL.
TOP_P_TOL = 1e-9


def apply_temperature(probs: ArrayLike, temperature: float) -> NDArray[np.float64]:
    r"""Re-temper a distribution given as probabilities.

    Formula: :math:`p_T(i) = p_i^{1/T} / \sum_j p_j^{1/T}` (= softmax(z/T) for z = ln p).

    ``T = 0`` gives the one-hot argmax (ties share equally); ``T = inf`` gives the uniform
    distribution over the support (tokens with p > 0). Zero-probability tokens stay 0 at
    every temperature. The argmax never changes, and ratios become
    :math:`(p_a/p_b)^{1/T}`.

    Used by: F08.

    Raises:
        ValueError: if ``probs`` is not a distribution or ``temperature`` < 0.
    """
    p = _checks.probs_array(probs)
    with np.errstate(divide="ignore"):
        z = np.log(p)
    return softmax(z, temperature)


def _order(p: NDArray[np.float64]) -> NDArray[np.intp]:
    # Stable sort on -p: descending probability, ties kept in list order.
    return np.argsort(-p, axis=-1, kind="stable")


def top_k(probs: ArrayLike, k: int) -> NDArray[np.intp]:
    r"""Indices of the k most probable tokens, in descending-probability order.

    Formula: :math:`\mathcal{V}_k = \{\text{first } k \text{ tokens in descending order of } p\}`.

    Ties are broken by position (first listed wins), so exactly k tokens are returned
    even when several tie at the k-th value (not all of them: M-TOPK-INCLUDES-TIES).

    Used by: F10.

    Returns:
        int array of shape ``probs.shape[:-1] + (k,)``.

    Raises:
        ValueError: if ``probs`` is not a distribution or k is not in [1, vocabulary].
    """
    p = _checks.probs_array(probs)
    kk = _checks.int_at_least(k, "k", 1)
    if kk > p.shape[-1]:
        raise ValueError(f"k must be <= the vocabulary size {p.shape[-1]}, got {kk}")
    return _order(p)[..., :kk]


def _nucleus(p: NDArray[np.float64], top: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    pp = float(_checks.finite_float(top, "p"))
    if not 0.0 < pp <= 1.0:
        raise ValueError(f"p must lie in (0, 1], got {pp}")
    order = _order(p)
    cum = np.cumsum(np.take_along_axis(p, order, axis=-1), axis=-1)
    size = (cum < pp - TOP_P_TOL).sum(axis=-1) + 1
    return order, np.minimum(size, p.shape[-1])


def top_p_size(probs: ArrayLike, p: float) -> NDArray[np.intp]:
    r"""Number of tokens in the nucleus (see :func:`top_p`).

    Formula: :math:`|\mathcal{V}_P| = \min\{m : \sum_{i \le m} p_{(i)} \ge P - 10^{-9}\}`.

    Used by: F10.

    Raises:
        ValueError: if ``probs`` is not a distribution or ``p`` is not in (0, 1].
    """
    return _nucleus(_checks.probs_array(probs), p)[1]


def top_p(probs: ArrayLike, p: float) -> Any:
    r"""Nucleus (top-p) set: the smallest descending prefix whose mass reaches p.

    Formula: :math:`\mathcal{V}_P = \{p_{(1)}, \dots, p_{(m)}\},\ m = \min\{m : \sum_{i \le m} p_{(i)} \ge P - 10^{-9}\}`.

    Tokens are ranked by descending probability with ties broken by position (first
    listed wins), so at a boundary tie only the first-listed tied token enters. The
    token that crosses P is included (not excluded: M-TOPP-EXCLUSIVE). The 1e-9
    slack makes 0.5 + 0.4 count as reaching 0.9 despite rounding.

    Used by: F10.

    Returns:
        For a 1-D ``probs``, an int array of indices in descending-probability order. For
        a batch, nested lists (mirroring the leading axes) of such arrays, since sizes
        differ; use :func:`top_p_mask` or :func:`top_p_size` for array results.

    Raises:
        ValueError: if ``probs`` is not a distribution or ``p`` is not in (0, 1].
    """
    pr = _checks.probs_array(probs)
    order, size = _nucleus(pr, p)
    if pr.ndim == 1:
        return order[: int(size)]
    flat_o = order.reshape(-1, pr.shape[-1])
    flat_s = size.reshape(-1)
    rows = [flat_o[i, : flat_s[i]] for i in range(flat_o.shape[0])]
    return np.array(rows + [None], dtype=object)[:-1].reshape(pr.shape[:-1]).tolist()


def top_p_mask(probs: ArrayLike, p: float) -> NDArray[np.bool_]:
    r"""Boolean membership mask of the nucleus set (same shape as ``probs``).

    Formula: :math:`m_i = [i \in \mathcal{V}_P]` with :math:`\mathcal{V}_P` as in :func:`top_p`.

    Used by: F10.

    Raises:
        ValueError: if ``probs`` is not a distribution or ``p`` is not in (0, 1].
    """
    pr = _checks.probs_array(probs)
    order, size = _nucleus(pr, p)
    keep_sorted = np.arange(pr.shape[-1]) < size[..., None]
    mask = np.zeros(pr.shape, dtype=bool)
    np.put_along_axis(mask, order, keep_sorted, axis=-1)
    return mask


def renormalize_subset(probs: ArrayLike, mask: ArrayLike) -> NDArray[np.float64]:
    r"""Sampling distribution after truncation to a candidate set.

    Formula: :math:`\tilde p_i = p_i [i \in \mathcal{V}] / \sum_{j \in \mathcal{V}} p_j`.

    ``mask`` is a boolean array of the same shape (from :func:`top_p_mask`, or built from
    :func:`top_k` indices).

    Used by: F10 (M-NO-RENORM distractor).

    Raises:
        ValueError: if the mask selects no probability mass in some row.
    """
    pr = _checks.probs_array(probs)
    m = _checks.mask_array(mask, pr.shape)
    kept = np.where(m, pr, 0.0)
    total = kept.sum(axis=-1, keepdims=True)
    if (total <= 0).any():
        raise ValueError("mask selects no probability mass in some row")
    return kept / total


def nucleus_remainder_count(named_probs: ArrayLike, remainder: float, n_tokens: int, p: float) -> int:
    r"""How many remainder tokens enter the nucleus when R is spread evenly over N tokens.

    Formula: :math:`\lceil (P - \sum_{\text{named}} p)/(R/N) \rceil` when every named
    token is at least R/N (named tokens are listed first, so they win ties).

    Seed 3 (named .85, R = .15, N = 49,996, P = 0.9) gives 16,666. When some named token
    is smaller than R/N the exact set is computed on the expanded distribution.

    Used by: F10 (large-vocabulary variant).

    Raises:
        ValueError: if the inputs are not a distribution, ``n_tokens`` < 1 or ``p`` is
            not in (0, 1].
    """
    named = _checks.as_float(named_probs, "named_probs")
    if named.ndim != 1:
        raise ValueError("named_probs must be 1-D")
    n = _checks.int_at_least(n_tokens, "n_tokens", 1)
    r = float(_checks.non_negative(remainder, "remainder"))
    full_named = _checks.probs_array(np.append(named, r), "named_probs + remainder")[:-1]
    pp = float(_checks.finite_float(p, "p"))
    if not 0.0 < pp <= 1.0:
        raise ValueError(f"p must lie in (0, 1], got {pp}")
    each = r / n
    if each == 0.0:
        return 0
    if full_named.min(initial=np.inf) >= each:
        cum = np.cumsum(np.sort(full_named)[::-1])
        if cum.size and cum[-1] >= pp - TOP_P_TOL:
            return 0
        named_total = float(cum[-1]) if cum.size else 0.0
        return min(n, math.ceil((pp - TOP_P_TOL - named_total) / each))
    full = np.concatenate([full_named, np.full(n, each)])
    order, size = _nucleus(full, pp)
    return int((order[: int(size)] >= full_named.size).sum())
