"""Whole-sequence quantities: greedy vs most-probable sequence on a small probability
tree, and exposure bias of a first-order model (teacher-forced vs free-running).

A tree is a mapping ``{token: (prob, subtree)}`` where ``subtree`` is another such
mapping or ``None`` for a leaf; the listed children of a node may have total mass
below 1 (the rest is unlisted). Ties follow the engine-wide rule: the first listed wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Optional, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _checks

__all__ = ["Tree", "sequence_probabilities", "greedy_sequence", "most_probable_sequence", "exposure_bias"]

Tree = Mapping[str, tuple[float, Optional["Tree"]]]
_Node = Union[Tree, None]


def _check_node(node: Tree, path: tuple[str, ...]) -> None:
    if not node:
        raise ValueError(f"tree node after {list(path)} has no children")
    # plain Python: nodes have a handful of children, and this runs once per node per call
    probs = [float(v[0]) for v in node.values()]
    if not all(0.0 <= x <= 1.0 for x in probs):  # also rejects NaN
        raise ValueError(f"tree probabilities after {list(path)} must lie in [0, 1]")
    total = sum(probs)
    if total > 1 + _checks.SUM_TOL:
        raise ValueError(f"tree probabilities after {list(path)} sum to {total:.6g} > 1")


def sequence_probabilities(tree: Tree) -> list[tuple[tuple[str, ...], float]]:
    r"""Every root-to-leaf sequence with its probability under ancestral sampling.

    Formula: :math:`P(y) = \prod_t p(y_t \mid y_{<t})`.

    Returned in depth-first, listed order. Tokens are used exactly as given (never
    normalised).

    Used by: F09 (M-SUM-NOT-PROD, M-SAMPLING-FIRST distractors).

    Raises:
        ValueError: if a node is empty, a probability is outside [0, 1], or siblings sum
            to more than 1.
    """
    out: list[tuple[tuple[str, ...], float]] = []

    def walk(node: Tree, prefix: tuple[str, ...], prob: float) -> None:
        _check_node(node, prefix)
        for tok, (p, child) in node.items():
            seq, pr = prefix + (tok,), prob * float(p)
            if child is None:
                out.append((seq, pr))
            else:
                walk(child, seq, pr)

    walk(tree, (), 1.0)
    return out


def greedy_sequence(tree: Tree) -> tuple[tuple[str, ...], float]:
    r"""The sequence greedy decoding produces, and its probability.

    Formula: :math:`\hat y_t = \arg\max_v p(v \mid \hat y_{<t})`.

    Ties at a step go to the first listed child.

    Used by: F09 (M-GREEDY-OPTIMAL).

    Raises:
        ValueError: as :func:`sequence_probabilities`.
    """
    node: _Node = tree
    seq: tuple[str, ...] = ()
    prob = 1.0
    while node is not None:
        _check_node(node, seq)
        best = max(node.items(), key=lambda kv: float(kv[1][0]))  # max keeps the first maximum
        seq += (best[0],)
        prob *= float(best[1][0])
        node = best[1][1]
    return seq, prob


def most_probable_sequence(tree: Tree) -> tuple[tuple[str, ...], float]:
    r"""The most probable complete sequence (MAP), ties to the first in listed order.

    Formula: :math:`y^* = \arg\max_y \prod_t p(y_t \mid y_{<t})`.

    Used by: F09.

    Raises:
        ValueError: as :func:`sequence_probabilities`.
    """
    return max(sequence_probabilities(tree), key=lambda sp: sp[1])


def exposure_bias(
    start: ArrayLike, transition: ArrayLike, gold: Sequence[int] | ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    r"""Expected correct positions with and without teacher forcing, and exact-match probability.

    Formula: :math:`E_{TF} = \sum_t P(g_t \mid g_{t-1}),\ E_{FR} = \sum_t (s P^{t-1})[g_t],\ P_{exact} = \prod_t P(g_t \mid g_{t-1})`,
    where :math:`P(g_1 \mid g_0) := s[g_1]`.

    ``start`` (..., V) is the first-token distribution s, ``transition`` (..., V, V) has
    rows P(next | previous), ``gold`` (..., T) holds token indices. The exact-match
    probability is the same in both regimes; E_TF - E_FR is the exposure-bias cost.

    Used by: F13.

    Returns:
        ``(e_tf, e_fr, p_exact)``, each of shape of the leading axes.

    Raises:
        ValueError: if ``start`` or a row of ``transition`` is not a distribution, shapes
            disagree, or a gold index is out of range.
    """
    s = _checks.probs_array(start, "start")
    tr = _checks.probs_array(transition, "transition")
    v = s.shape[-1]
    if tr.shape[-2:] != (v, v) or tr.shape[:-2] != s.shape[:-1]:
        raise ValueError(f"transition must have shape {s.shape[:-1] + (v, v)}, got {tr.shape}")
    g_raw = np.asarray(gold)
    if g_raw.ndim == 0 or g_raw.shape[-1] == 0:
        raise ValueError("gold must contain at least one token index")
    g = _checks.target_array(g_raw, s.shape[:-1] + (g_raw.shape[-1],), v, "gold")
    first = np.take_along_axis(s, g[..., :1], axis=-1)[..., 0]
    # P(g_t | g_{t-1}) for t >= 2: row g_{t-1}, column g_t.
    rows = np.take_along_axis(tr, g[..., :-1, None], axis=-2)
    steps = np.take_along_axis(rows, g[..., 1:, None], axis=-1)[..., 0]
    tf = np.concatenate([first[..., None], steps], axis=-1)
    dist = s
    fr = [first]
    for t in range(1, g.shape[-1]):
        dist = np.einsum("...i,...ij->...j", dist, tr)
        fr.append(np.take_along_axis(dist, g[..., t : t + 1], axis=-1)[..., 0])
    return tf.sum(axis=-1), np.sum(fr, axis=0), np.prod(tf, axis=-1)
