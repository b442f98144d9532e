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


def _softmax_into(z: NDArray[np.float64], out: NDArray[np.float64]) -> NDArray[np.float64]:
    """Write softmax(z) into ``out`` (both 2-D, C-contiguous) and return log-sum-exp per row.

    Callers have validated ``z``; ``out`` may be ``z`` itself.
    """
    n, vocab = z.shape
    lse = np.empty(n, dtype=np.float64)
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
        lse[start:stop] = (m + np.log(s))[:, 0]
    return lse


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
    m = z.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


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

    Exact for logits of :math:`\pm 10^4`, where ``log(softmax(z))`` would give ``-inf``.
    Masked ``-inf`` logits give ``-inf``.

    Used by: F01 (logit variant), F19 (sequence log-probabilities).

    Raises:
        ValueError: if ``logits`` contains NaN or +inf, or a row has no finite entry.
    """
    z = _checks.logits_array(logits)
    return z - logsumexp(z)[..., None]


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
