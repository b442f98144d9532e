"""Token and sequence losses: cross-entropy, teacher-forced NLL, perplexity, SFT masking
and label smoothing.

Conventions: natural logs (divide by ``ln 2`` for bits); ``target`` is an integer index
into the last axis with shape ``probs.shape[:-1]``; masks are boolean arrays of the same
shape as the values they select, ``True`` meaning "counts in the loss".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks
from .information import constant_tail_entropy
from .softmax import _max_and_tail

__all__ = [
    "cross_entropy",
    "cross_entropy_from_logits",
    "sequence_nll",
    "perplexity",
    "corpus_perplexity",
    "sft_loss",
    "smoothed_target",
    "label_smoothing_loss",
    "label_smoothing_min_loss",
]


def _neg_log(p: NDArray[np.float64]) -> NDArray[np.float64]:
    # -ln 0 = +inf is the honest answer for a zero-probability gold token.
    with np.errstate(divide="ignore"):
        return -np.log(p)


def cross_entropy(probs: ArrayLike, target: ArrayLike, *, renormalize: bool = False) -> NDArray[np.float64]:
    r"""Cross-entropy of a one-hot target: the negative log-probability of the gold token.

    Formula: :math:`L = -\ln p_c`.

    Gives ``+inf`` when :math:`p_c = 0` and exactly 0 when :math:`p_c = 1`. The
    "(all other tokens)" remainder may be one entry of ``probs``; ``target`` must then
    index a named token.

    Used by: F01, F03.

    Raises:
        ValueError: if ``probs`` is not a distribution (unless ``renormalize``) or
            ``target`` is not a valid index.
    """
    p = _checks.probs_array(probs, renormalize=renormalize)
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    return _neg_log(np.take_along_axis(p, t[..., None], axis=-1)[..., 0])


def cross_entropy_from_logits(logits: ArrayLike, target: ArrayLike) -> NDArray[np.float64]:
    r"""Cross-entropy computed from logits, exact even for logits of :math:`\pm 10^4`.

    Formula: :math:`L = \operatorname{lse}(z) - z_c = (m - z_c) + \ln\big(1 + \sum_{j \ne k} e^{z_j - m}\big)`.

    Computed in the second form (m the largest logit, k its index), with ``log1p``: both
    terms are >= 0, so a near-certain correct prediction keeps full relative precision
    (logits [30, 0, 0], gold 0: :math:`\ln(1 + 2e^{-30}) = 1.8715\times 10^{-13}`).

    Used by: F01 (logit variant).

    Raises:
        ValueError: if ``logits`` or ``target`` are invalid.
    """
    z = _checks.logits_array(logits)
    t = _checks.target_array(target, z.shape[:-1], z.shape[-1])
    m, tail = _max_and_tail(z)
    return (m[..., 0] - np.take_along_axis(z, t[..., None], axis=-1)[..., 0]) + np.log1p(tail[..., 0])


def _token_probs(token_probs: ArrayLike) -> NDArray[np.float64]:
    p = _checks.unit_interval(token_probs, "token_probs")
    if p.ndim == 0:
        raise ValueError("token_probs must have a sequence axis")
    return p


def sequence_nll(token_probs: ArrayLike, mask: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Teacher-forced sequence negative log-likelihood: the *sum* over positions.

    Formula: :math:`\mathrm{NLL} = -\sum_t m_t \ln p_t(y_t \mid x, y_{<t})`.

    ``token_probs[..., t]`` is the probability the model gave the gold token at step t
    given the gold prefix. ``mask`` (boolean, same shape) keeps the positions that
    count, e.g. response tokens in SFT; masked-out positions contribute nothing even if
    their probability is 0. :math:`\Pr(y \mid x) = e^{-\mathrm{NLL}}`.

    Used by: F02, F03 (multi-token), F14.

    Raises:
        ValueError: if a probability is outside [0, 1] or ``mask`` has the wrong shape
            or dtype.
    """
    p = _token_probs(token_probs)
    m = _checks.mask_array(mask, p.shape)
    nll = _neg_log(p)
    if m is not None:
        nll = np.where(m, nll, 0.0)
    return nll.sum(axis=-1)


def perplexity(token_probs: ArrayLike, mask: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""Perplexity of each sequence: exp of the *mean* per-token NLL over kept positions.

    Formula: :math:`\mathrm{PPL} = \exp\big(-\tfrac{1}{N}\sum_t m_t \ln p_t\big),\ N = \sum_t m_t`.

    A uniform model over V tokens gives V; perfect prediction gives 1. For a corpus of
    sequences with different lengths use :func:`corpus_perplexity` (token-weighted).

    Used by: F06.

    Raises:
        ValueError: for invalid probabilities or mask, or a row whose mask keeps nothing.
    """
    p = _token_probs(token_probs)
    m = _checks.mask_array(mask, p.shape)
    n = p.shape[-1] if m is None else m.sum(axis=-1)
    if np.any(np.asarray(n) == 0):
        raise ValueError("mask keeps no position in some sequence; perplexity is undefined")
    return np.exp(sequence_nll(p, m) / n)


def corpus_perplexity(sequences: Sequence[ArrayLike]) -> float:
    r"""Token-weighted perplexity of a corpus of sequences of different lengths.

    Formula: :math:`\mathrm{PPL} = \exp\big(-\tfrac{1}{\sum_s T_s}\sum_s \sum_t \ln p_{s,t}\big)`.

    This is not the mean of per-sequence perplexities (misconception M-PPL-SEQ-AVG).

    Used by: F06 (corpus variant).

    Raises:
        ValueError: if ``sequences`` is empty or a probability is outside [0, 1].
    """
    if len(sequences) == 0:
        raise ValueError("sequences must contain at least one sequence")
    flat = [_token_probs(s).ravel() for s in sequences]
    allp = np.concatenate(flat)
    if allp.size == 0:
        raise ValueError("sequences contain no tokens")
    return float(np.exp(_neg_log(allp).mean()))


def sft_loss(
    token_probs: ArrayLike,
    mask: ArrayLike,
    reduction: Literal["token_mean", "sum", "sequence_mean"] = "token_mean",
) -> float:
    r"""SFT loss of a padded batch with prompt tokens masked out.

    Formula: (token_mean) :math:`L = \sum_{s,t} m_{s,t}(-\ln p_{s,t}) / \sum_{s,t} m_{s,t}`;
    ``sum`` drops the denominator; ``sequence_mean`` averages the per-sequence means.

    ``token_probs`` has shape ``(..., T)`` (sequences padded to T), ``mask`` is True on
    response positions including ``<eos>`` and False on prompt and padding positions.
    Only positions with mask True receive gradient.

    Used by: F14.

    Raises:
        ValueError: for an unknown ``reduction``, invalid probabilities or mask, or
            (for ``sequence_mean``/``token_mean``) a sequence or batch with no kept token.
    """
    p = _token_probs(token_probs)
    if mask is None:
        raise ValueError("mask is required: True on response tokens (including <eos>)")
    m = _checks.mask_array(mask, p.shape)
    if m is None:  # unreachable; keeps type checkers informed
        raise ValueError("mask is required")
    per_seq = sequence_nll(p, m)
    if reduction == "sum":
        return float(per_seq.sum())
    if reduction == "token_mean":
        n = int(m.sum())
        if n == 0:
            raise ValueError("mask keeps no position; the token-mean loss is undefined")
        return float(per_seq.sum() / n)
    if reduction == "sequence_mean":
        counts = m.sum(axis=-1)
        if np.any(counts == 0):
            raise ValueError("mask keeps no position in some sequence; sequence_mean is undefined")
        return float(np.mean(per_seq / counts))
    raise ValueError(f"reduction must be 'token_mean', 'sum' or 'sequence_mean', got {reduction!r}")


def _eps(eps: float) -> float:
    e = float(_checks.unit_interval(eps, "eps"))
    return e


def smoothed_target(num_classes: int, target: ArrayLike, eps: float) -> NDArray[np.float64]:
    r"""Label-smoothed target distribution (PyTorch convention: eps/K on *every* token).

    Formula: :math:`q = (1-\varepsilon)\,e_c + \tfrac{\varepsilon}{K}\mathbf{1}`.

    The other published convention (eps/(K-1) on the non-gold tokens only) is the
    distractor M-LS-K-1 and is not used here.

    Used by: F07.

    Returns:
        Array of shape ``target.shape + (num_classes,)``.

    Raises:
        ValueError: if ``num_classes`` < 1, ``eps`` is outside [0, 1] or ``target`` is
            out of range.
    """
    k = _checks.int_at_least(num_classes, "num_classes", 1)
    e = _eps(eps)
    t_raw = np.asarray(target)
    t = _checks.target_array(t_raw, t_raw.shape, k)
    q = np.full(t.shape + (k,), e / k)
    np.put_along_axis(q, t[..., None], 1.0 - e + e / k, axis=-1)
    return q


def label_smoothing_loss(probs: ArrayLike, target: ArrayLike, eps: float) -> NDArray[np.float64]:
    r"""Cross-entropy against the label-smoothed target.

    Formula: :math:`L = -\sum_k q_k \ln p_k = (1-\varepsilon)(-\ln p_c) + \varepsilon\,\overline{(-\ln p_k)}`.

    Infinite if any token has probability 0 and ``eps > 0``. Its minimum over ``probs``
    is :func:`label_smoothing_min_loss`, reached at ``probs == q``.

    Used by: F07.

    Raises:
        ValueError: for an invalid distribution, target or ``eps``.
    """
    p = _checks.probs_array(probs)
    t = _checks.target_array(target, p.shape[:-1], p.shape[-1])
    q = smoothed_target(p.shape[-1], t, eps)
    nl = _neg_log(p)
    # 0 * inf must count as 0: a token with q = 0 contributes nothing.
    with np.errstate(invalid="ignore"):
        return np.where(q > 0, q * nl, 0.0).sum(axis=-1)


def label_smoothing_min_loss(num_classes: int, eps: float) -> float:
    r"""Smallest achievable label-smoothed loss, the entropy of the smoothed target.

    Formula: :math:`\min_p L = H(q) = -\sum_k q_k \ln q_k`, attained at
    :math:`p_c^* = 1 - \varepsilon + \varepsilon/K`.

    Used by: F07 (M-LS-MIN-ZERO distractor).

    Raises:
        ValueError: if ``num_classes`` < 1 or ``eps`` is outside [0, 1].
    """
    k = _checks.int_at_least(num_classes, "num_classes", 1)
    e = _eps(eps)
    if e > 0:
        # q = (1 - e + e/K, e/K, ..., e/K) has no zero entry: its entropy, computed on the
        # same vector, without K logarithms
        return constant_tail_entropy(1.0 - e + e / k, e / k, k)
    q = smoothed_target(num_classes, 0, eps)
    nz = q[q > 0]
    return float(-(nz * np.log(nz)).sum())
