"""Beam search on a probability tree (the tree format of :mod:`qbank.engine.sequences`)."""

from __future__ import annotations

from .sequences import Tree, _check_node

__all__ = ["beam_search"]


def beam_search(tree: Tree, width: int) -> tuple[tuple[str, ...], float]:
    r"""The sequence beam search of the given width returns, and its probability.

    Formula: at each depth keep the ``width`` most probable prefixes
    :math:`\prod_{s \le t} p(y_s \mid y_{<s})` among all one-token extensions of the
    current beam; return the most probable finished sequence.

    Scores are plain products (no length normalisation). A prefix that reaches a leaf is
    finished and stays in the beam, competing with the longer prefixes on probability.
    Ties keep the earlier hypothesis in listed (depth-first) order. ``width=1`` is greedy
    decoding; a width at least the number of leaves finds the most probable sequence.

    Used by: beam-search family (M-BEAM-OPTIMAL, M-BEAM-IS-GREEDY distractors).

    Raises:
        ValueError: if ``width`` < 1, or as :func:`qbank.engine.sequence_probabilities`.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be an integer >= 1, got {width!r}")
    # a hypothesis: (prefix, probability, node to expand or None when finished)
    beam: list[tuple[tuple[str, ...], float, Tree | None]] = [((), 1.0, tree)]
    while any(node is not None for _, _, node in beam):
        candidates: list[tuple[tuple[str, ...], float, Tree | None]] = []
        for prefix, prob, node in beam:
            if node is None:
                candidates.append((prefix, prob, None))
                continue
            _check_node(node, prefix)
            for tok, (p, child) in node.items():
                candidates.append((prefix + (tok,), prob * float(p), child))
        # sorted() is stable: on equal probability the earlier-listed hypothesis stays ahead
        beam = sorted(candidates, key=lambda h: -h[1])[:width]
    best = max(beam, key=lambda h: h[1])
    return best[0], best[1]
