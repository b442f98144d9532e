"""Helpers for distributions as they appear in stems: rounding to percentages and the
"(all other tokens)" remainder bucket.

A stem lists named tokens plus a remainder R. When the answer depends on how R is
split (CONTENT.md section 0), the stem says either "spread evenly over N tokens"
(``n_tokens=N``: each gets R/N) or "spread over many tokens, each tiny"
(``n_tokens=None``: the limit N -> infinity, where each tiny token has probability and
gradient -> 0, and after an SGD step the bucket's mass changes by the factor 1/S).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

__all__ = ["largest_remainder_round", "expand_remainder", "remainder_sgd_step", "remainder_logit_gradient"]


def largest_remainder_round(probs: ArrayLike, decimals: int = 2) -> NDArray[np.float64]:
    r"""Round a distribution to multiples of :math:`10^{-d}` that still sum exactly to 1.

    Formula: :math:`\hat p_i = (\lfloor 10^d p_i \rfloor + [i \in \text{top-}D \text{ remainders}])/10^d`,
    :math:`D = 10^d - \sum_i \lfloor 10^d p_i \rfloor`.

    Largest-remainder (Hamilton) method. Tie rule: equal fractional remainders are
    served in list order (first listed wins). Scaled values are rounded to 9 decimals
    first so that 0.29 * 100 = 28.999999999999996 counts as 29. The returned floats are
    ``units / 10**d``; ``np.rint(result * 10**d)`` recovers integers summing to ``10**d``.

    Used by: every family that randomises probabilities (CONTENT.md section 0).

    Raises:
        ValueError: if ``probs`` is not a distribution or ``decimals`` < 0.
    """
    d = _checks.int_at_least(decimals, "decimals", 0)
    p = _checks.probs_array(probs)
    units = 10**d
    scaled = np.round(p * units, 9)
    floors = np.floor(scaled)
    rem = scaled - floors
    deficit = units - floors.sum(axis=-1, keepdims=True)
    order = np.argsort(-rem, axis=-1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(p.shape[-1]), order.shape), axis=-1)
    return (floors + (rank < deficit)) / units


def expand_remainder(named_probs: ArrayLike, remainder: ArrayLike, n_tokens: int) -> NDArray[np.float64]:
    r"""Full distribution with the remainder spread evenly over ``n_tokens`` extra tokens.

    Formula: :math:`(p_1, \dots, p_K, R/N, \dots, R/N)`.

    The named tokens keep their indices; the remainder tokens follow them. Use the
    result with any engine function (gradient: each remainder token gets R/N, the
    aggregate R; top-p over a 50k vocabulary; label smoothing over K = 50,000).

    Used by: F04, F05, F07, F10.

    Raises:
        ValueError: if named plus remainder is not a distribution or ``n_tokens`` < 1.
    """
    n = _checks.int_at_least(n_tokens, "n_tokens", 1)
    named, r = _named_and_remainder(named_probs, remainder)
    tail = np.broadcast_to((r / n)[..., None], r.shape + (n,))
    return np.concatenate([named, tail], axis=-1)


def _named_and_remainder(
    named_probs: ArrayLike, remainder: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    named = _checks.as_float(named_probs, "named_probs")
    if named.ndim == 0:
        raise ValueError("named_probs must have a token axis")
    r = _checks.non_negative(remainder, "remainder")
    if r.shape != named.shape[:-1]:
        raise ValueError(f"remainder has shape {r.shape}, expected {named.shape[:-1]}")
    _checks.probs_array(np.concatenate([named, r[..., None]], axis=-1), "named_probs + remainder")
    return named, r


def remainder_logit_gradient(
    named_probs: ArrayLike, remainder: ArrayLike, target: ArrayLike, n_tokens: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Logit gradient for named tokens plus a remainder bucket.

    Formula: :math:`g_j = p_j - [j = c]` for named tokens; each remainder token gets
    :math:`R/N` (0 in the many-tiny-tokens limit) and the bucket's aggregate is always R.

    Used by: F04.

    Returns:
        ``(grad_named, grad_per_remainder_token)``.

    Raises:
        ValueError: for an invalid distribution, ``target`` (must index a named token)
            or ``n_tokens``.
    """
    named, r = _named_and_remainder(named_probs, remainder)
    t = _checks.target_array(target, named.shape[:-1], named.shape[-1])
    g = named.copy()
    np.put_along_axis(g, t[..., None], np.take_along_axis(g, t[..., None], axis=-1) - 1.0, axis=-1)
    if n_tokens is None:
        return g, np.zeros_like(r)
    n = _checks.int_at_least(n_tokens, "n_tokens", 1)
    return g, r / n


def remainder_sgd_step(
    named_probs: ArrayLike, remainder: ArrayLike, target: ArrayLike, lr: float, n_tokens: int | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""New named probabilities and remainder mass after one SGD step on the logits.

    Formula: :math:`p'_j = p_j e^{-\eta g_j}/S`, :math:`R' = R e^{-\eta R/N}/S`,
    :math:`S = \sum_j p_j e^{-\eta g_j} + R e^{-\eta R/N}`; with ``n_tokens=None`` the
    limit :math:`N \to \infty` gives :math:`R' = R/S` (each tiny token's share changes by
    the factor 1/S, so it rises iff S < 1, i.e. iff :math:`\tau_\eta > 0`).

    Seed 3 (Je .35, J' .25, Le .15, Mon .10, rest .15 thin, gold J'): eta = 1 gives
    J' .4620, rest .1309; with the rest as one token (``n_tokens=1``) J' .4706, rest .1148.

    Used by: F05.

    Returns:
        ``(new_named_probs, new_remainder)``.

    Raises:
        ValueError: if ``lr`` <= 0, ``n_tokens`` < 1, or the inputs are invalid.
    """
    eta = float(_checks.positive(lr, "lr"))
    g, g_tail = remainder_logit_gradient(named_probs, remainder, target, n_tokens)
    named, r = _named_and_remainder(named_probs, remainder)
    # Work in log space relative to the largest exponent so that eta up to ~1e3 is safe.
    a_named = -eta * g
    a_tail = -eta * g_tail
    shift = np.maximum(a_named.max(axis=-1), a_tail)
    w_named = named * np.exp(a_named - shift[..., None])
    w_tail = r * np.exp(a_tail - shift)
    s = w_named.sum(axis=-1) + w_tail
    return w_named / s[..., None], w_tail / s
