"""Softmax, log-softmax, log-sum-exp and the inverse map from probabilities to logits.

All functions act on the last axis and accept any number of leading (batch) axes.
Logits may contain ``-inf`` for a masked token, never ``+inf`` or NaN, and every
row needs at least one finite logit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

__all__ = ["logsumexp", "softmax", "log_softmax", "logits_from_probs"]

# Rows are processed in blocks of about this many elements so that the
# max / subtract / exp / sum / scale passes hit cache instead of main memory.
_BLOCK_ELEMS = 1 << 16


def _rows_per_block(vocab: int) -> int:
    return max(1, _BLOCK_ELEMS // max(vocab, 1))


#: Below this, ``sum(exp(z - max)) - 1`` has lost digits to the leading 1 (its error is
#: half an ulp of 1, i.e. 1.1e-16 / t relative); the rows concerned (those whose top
#: token has probability above 1/2) get the sum of the other terms recomputed on its own.
_TAIL_EXACT_BELOW = 1.0


def _max_and_tail(z: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""The row maxima m and :math:`t = \sum_{j \ne k} e^{z_j - m}` (k: the first maximum), keepdims.

    :math:`\operatorname{lse}(z) = m + \ln(1 + t)`; keeping the leading 1 out of the sum
    lets ``log1p(t)`` carry full relative precision when one logit dominates, where
    ``log(sum)`` would round ``1 + t`` first (logits [30, 0, 0]: t = 2e-30 survives only
    to 3 digits in ``1 + t``).
    """
    k = z.argmax(axis=-1)[..., None]
    m = np.take_along_axis(z, k, axis=-1)
    e = _exp_diff(z, m)
    np.put_along_axis(e, k, 0.0, axis=-1)
    return m, e.sum(axis=-1, keepdims=True)


def _exp_diff(z: NDArray[np.float64], m: NDArray[np.float64]) -> NDArray[np.float64]:
    """exp(z - m) with the rounding error of the subtraction put back (TwoSum).

    z - m is rounded to the spacing of |z - m| (7e-15 at 30): that is all of the relative
    error of a tail e^{z - m}, hence of a near-certain prediction's loss ln(1 + t).
    """
    d = z - m
    with np.errstate(invalid="ignore"):
        back = d - z
        err = (z - (d - back)) + (-m - back)
    return np.exp(d) * (1.0 + np.where(np.isfinite(z), err, 0.0))


def _softmax_into(z: NDArray[np.float64], out: NDArray[np.float64]) -> NDArray[np.float64]:
    """Write softmax(z) into ``out`` (both 2-D, C-contiguous) and return log-sum-exp per row.

    Callers have validated ``z``; ``out`` may be ``z`` itself.
    """
    return _softmax_tail_into(z, out)[0]


def _softmax_tail_into(
    z: NDArray[np.float64], out: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """As :func:`_softmax_into`, returning (lse, m, t) per row: the max m and tail t of :func:`_max_and_tail`.

    The probabilities are those of the plain max/subtract/exp/sum/scale sweep; only the
    log-sum-exp is taken as ``m + log1p(t)``, with t recomputed without the leading 1 in
    the (rare) rows where it is small.
    """
    n, vocab = z.shape
    maxes = np.empty(n, dtype=np.float64)
    tails = np.empty(n, dtype=np.float64)
    step = _rows_per_block(vocab)
    for start in range(0, n, step):
        stop = min(start + step, n)
        zc = z[start:stop]
        oc = out[start:stop]
        m = zc.max(axis=1, keepdims=True)
        np.subtract(zc, m, out=oc)
        np.exp(oc, out=oc)
        s = oc.sum(axis=1, keepdims=True)
        oc *= 1.0 / s
        maxes[start:stop] = m[:, 0]
        tails[start:stop] = s[:, 0] - 1.0  # exact for s in [1, 2] (Sterbenz), but s itself was rounded
    small = tails < _TAIL_EXACT_BELOW
    if small.any():
        rows = np.flatnonzero(small)
        if out is z:
            # z was overwritten: p_j / p_k = e^{z_j - m} to 2 ulps (p_k = 1/s is the largest).
            pk = out[rows].max(axis=1, keepdims=True)
            e = out[rows] / pk
        else:
            e = _exp_diff(z[rows], maxes[rows, None])
        k = e.argmax(axis=1)[:, None]
        np.put_along_axis(e, k, 0.0, axis=1)
        tails[rows] = e.sum(axis=1)
    return maxes + np.log1p(tails), maxes, tails


def logsumexp(logits: ArrayLike) -> NDArray[np.float64]:
    r"""Log-sum-exp over the last axis, computed stably.

    Formula: :math:`\operatorname{lse}(z) = m + \ln \sum_j e^{z_j - m},\ m = \max_j z_j`.

    Used by: F01 (loss from logits), F17 (:math:`\beta \ln Z`), everywhere a softmax is
    normalised.

    Returns:
        Array of shape ``logits.shape[:-1]`` (a 0-d array for one example).

    Raises:
        ValueError: if ``logits`` contains NaN or +inf, or a row has no finite entry.
    """
    z = _checks.logits_array(logits)
    m, t = _max_and_tail(z)
    return (m + np.log1p(t))[..., 0]


def _zero_temperature(z: NDArray[np.float64]) -> NDArray[np.float64]:
    # T -> 0 limit: the mass concentrates on the maximal logits, split evenly on ties.
    top = z == z.max(axis=-1, keepdims=True)
    return top / top.sum(axis=-1, keepdims=True)


def softmax(logits: ArrayLike, temperature: float = 1.0) -> NDArray[np.float64]:
    r"""Softmax over the last axis, optionally at a temperature.

    Formula: :math:`p_i = e^{z_i/T} / \sum_j e^{z_j/T}`.

    ``temperature=0`` is the :math:`T \to 0` limit: one-hot on the argmax, with tied
    maxima sharing the mass equally. ``temperature=inf`` is uniform over the tokens
    whose logit is finite (masked ``-inf`` tokens keep probability 0).

    Used by: F01, F04, F05, F08 (temperature and its limits), F11 (simulation).

    Raises:
        ValueError: if ``temperature`` is negative or NaN, or ``logits`` are invalid.
    """
    z = _checks.logits_array(logits)
    t = float(_checks.as_float(temperature, "temperature"))
    if t < 0:
        raise ValueError(f"temperature must be >= 0, got {t}")
    if t == 0:
        return _zero_temperature(z)
    if np.isinf(t):
        finite = np.isfinite(z)
        return finite / finite.sum(axis=-1, keepdims=True)
    if t != 1.0:
        z = z / t
    flat = np.ascontiguousarray(z).reshape(-1, z.shape[-1])
    out = np.empty_like(flat)
    _softmax_into(flat, out)
    return out.reshape(z.shape)


def log_softmax(logits: ArrayLike) -> NDArray[np.float64]:
    r"""Log-probabilities over the last axis without forming probabilities first.

    Formula: :math:`\ln p_i = z_i - \operatorname{lse}(z)`.

    Exact for logits of :math:`\pm 10^4`, where ``log(softmax(z))`` would give ``-inf``,
    and to full relative precision for a dominant logit (:math:`\ln p_k = -\ln(1 + t)`,
    computed with ``log1p``). Masked ``-inf`` logits give ``-inf``.

    Used by: F01 (logit variant), F19 (sequence log-probabilities).

    Raises:
        ValueError: if ``logits`` contains NaN or +inf, or a row has no finite entry.
    """
    z = _checks.logits_array(logits)
    m, t = _max_and_tail(z)
    # (z - m) is exact for the maximum and both terms are <= 0, so nothing cancels.
    return (z - m) - np.log1p(t)


def logits_from_probs(probs: ArrayLike, *, zero_logit: float | None = None) -> NDArray[np.float64]:
    r"""Logits that reproduce ``probs`` under softmax: :math:`z_i = \ln p_i` (up to a constant).

    Formula: :math:`z_i = \ln p_i + C` for any constant :math:`C`; this returns :math:`C = 0`.

    Zero probabilities have no finite logit, so they are handled explicitly: by default
    they raise; pass ``zero_logit=-np.inf`` to mask them (softmax gives them exactly 0)
    or a finite value such as ``-1e4`` to stand in for "practically impossible".

    Used by: F05 and F08 (stems that give probabilities but reason about logits).

    Raises:
        ValueError: if ``probs`` is not a distribution, or contains a zero while
            ``zero_logit`` is None, or ``zero_logit`` is NaN or +inf.
    """
    p = _checks.probs_array(probs)
    zero = p == 0
    if zero.any():
        if zero_logit is None:
            raise ValueError(
                "probs contains zero probabilities, which have no finite logit; "
                "pass zero_logit=-np.inf (or a large negative number) to choose one"
            )
        zl = float(_checks.as_float(zero_logit, "zero_logit"))
        if zl == np.inf:
            raise ValueError("zero_logit must not be +inf")
        with np.errstate(divide="ignore"):
            z = np.log(p)
        z[zero] = zl
        return z
    return np.log(p)
