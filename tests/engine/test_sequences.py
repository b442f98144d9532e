"""Greedy vs most-probable sequence on a tree (F09) and exposure bias (F13)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from qbank.engine import exposure_bias, greedy_sequence, most_probable_sequence, sequence_probabilities

# CONTENT.md F09 example shape: "Of" .55 -> {course .35, ...}; "Red" .45 -> {"," .9, ...}.
TREE = {
    "Of": (0.55, {"course": (0.35, None), "the": (0.33, None), "all": (0.32, None)}),
    "Red": (0.45, {",": (0.9, None), "and": (0.1, None)}),
}


def test_greedy_is_not_the_most_probable_sequence() -> None:
    seq, p = greedy_sequence(TREE)
    assert seq == ("Of", "course") and p == pytest.approx(0.55 * 0.35)
    best, pb = most_probable_sequence(TREE)
    assert best == ("Red", ",") and pb == pytest.approx(0.45 * 0.9)


def test_sequence_probabilities_are_products() -> None:
    table = dict(sequence_probabilities(TREE))
    assert table[("Red", "and")] == pytest.approx(0.045)
    assert sum(table.values()) == pytest.approx(1.0)


def test_ties_go_to_the_first_listed() -> None:
    tree = {"a": (0.5, {"x": (1.0, None)}), "b": (0.5, {"y": (1.0, None)})}
    assert greedy_sequence(tree)[0] == ("a", "x")
    assert most_probable_sequence(tree)[0] == ("a", "x")


def test_unicode_tokens_are_kept_verbatim() -> None:
    tree = {"J'": (0.5, None), "J\u2019": (0.5, None)}
    assert [s for s, _ in sequence_probabilities(tree)] == [("J'",), ("J\u2019",)]


@pytest.mark.parametrize(
    ("tree", "message"),
    [({"a": (0.7, None), "b": (0.4, None)}, "sum to 1.1 > 1"), ({"a": (1.2, None)}, "must lie in"), ({}, "no children")],
)
def test_bad_trees_raise(tree: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sequence_probabilities(tree)


def brute_force_exposure(s: np.ndarray, tr: np.ndarray, gold: list[int]) -> tuple[float, float, float]:
    """Enumerate every sampled sequence of the gold length."""
    v, t = s.size, len(gold)
    e_fr = 0.0
    for seq in itertools.product(range(v), repeat=t):
        prob = s[seq[0]] * np.prod([tr[a, b] for a, b in zip(seq, seq[1:])])
        e_fr += prob * sum(x == g for x, g in zip(seq, gold))
    e_tf = s[gold[0]] + sum(tr[a, b] for a, b in zip(gold, gold[1:]))
    p_exact = s[gold[0]] * np.prod([tr[a, b] for a, b in zip(gold, gold[1:])])
    return e_tf, e_fr, p_exact


def test_exposure_bias_matches_enumeration() -> None:
    rng = np.random.default_rng(7)
    s = rng.dirichlet(np.ones(4))
    tr = rng.dirichlet(np.ones(4), size=4)
    gold = [2, 0, 3, 1]
    got = exposure_bias(s, tr, gold)
    np.testing.assert_allclose([float(x) for x in got], brute_force_exposure(s, tr, gold), rtol=1e-12)


def test_peaked_gold_path_has_a_positive_exposure_bias_cost() -> None:
    # F13 shape: rows on the gold path put 0.8 on the gold continuation.
    s = np.array([0.8, 0.1, 0.05, 0.05])
    tr = np.full((4, 4), 0.25)
    tr[0] = [0.05, 0.8, 0.1, 0.05]
    tr[1] = [0.05, 0.05, 0.8, 0.1]
    e_tf, e_fr, p_exact = exposure_bias(s, tr, [0, 1, 2])
    assert e_tf == pytest.approx(2.4)
    assert e_fr < e_tf
    assert p_exact == pytest.approx(0.8**3)


def test_exposure_bias_batch() -> None:
    rng = np.random.default_rng(8)
    s = rng.dirichlet(np.ones(3), size=2)
    tr = rng.dirichlet(np.ones(3), size=(2, 3))
    gold = np.array([[0, 1, 2], [2, 2, 1]])
    e_tf, e_fr, p_exact = exposure_bias(s, tr, gold)
    for b in range(2):
        np.testing.assert_allclose([e_tf[b], e_fr[b], p_exact[b]], brute_force_exposure(s[b], tr[b], list(gold[b])))


def test_exposure_bias_errors() -> None:
    with pytest.raises(ValueError, match="transition must have shape"):
        exposure_bias(np.full(3, 1 / 3), np.full((2, 2), 0.5), [0])
    with pytest.raises(ValueError, match="gold out of range"):
        exposure_bias(np.full(2, 0.5), np.full((2, 2), 0.5), [0, 2])
