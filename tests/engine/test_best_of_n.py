"""Best-of-n distribution (D5), against enumeration of every draw of n responses."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine_testing import distributions
from qbank.engine import best_of_n, best_of_n_kl, best_of_n_kl_bound, kl_divergence


def enumerate_best_of_n(pi: np.ndarray, r: np.ndarray, n: int) -> np.ndarray:
    """Exact distribution by enumerating all K^n ordered draws; ties pick uniformly among tied draws."""
    out = np.zeros(pi.size)
    for draw in itertools.product(range(pi.size), repeat=n):
        prob = float(np.prod(pi[list(draw)]))
        top = max(r[i] for i in draw)
        winners = [i for i in draw if r[i] == top]
        for i in winners:
            out[i] += prob / len(winners)
    return out


def test_distinct_rewards_top_probability() -> None:
    pi = np.array([0.5, 0.3, 0.2])
    r = np.array([0.0, 1.0, 2.0])
    dist, expected = best_of_n(pi, r, 4)
    assert dist[2] == pytest.approx(1 - (1 - 0.2) ** 4)
    assert dist.sum() == pytest.approx(1.0)
    assert expected == pytest.approx(float((dist * r).sum()))
    assert expected < r.max()


def test_n_equal_one_returns_the_policy() -> None:
    pi = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(best_of_n(pi, np.array([3.0, 1.0, 2.0]), 1)[0], pi)


def test_ties_split_in_proportion_to_pi() -> None:
    pi = np.array([0.5, 0.3, 0.2])
    r = np.array([1.0, 2.0, 2.0])
    dist, _ = best_of_n(pi, r, 2)
    group = 1 - 0.5**2
    np.testing.assert_allclose(dist, [0.25, group * 0.6, group * 0.4])
    np.testing.assert_allclose(dist, enumerate_best_of_n(pi, r, 2), rtol=1e-12)


def test_zero_probability_response_is_never_returned() -> None:
    dist, _ = best_of_n(np.array([0.6, 0.4, 0.0]), np.array([0.0, 1.0, 5.0]), 3)
    assert dist[2] == 0.0
    assert dist.sum() == pytest.approx(1.0)


def test_batch() -> None:
    pi = np.array([[0.5, 0.5], [0.9, 0.1]])
    r = np.array([[0.0, 1.0], [1.0, 0.0]])
    dist, exp_r = best_of_n(pi, r, 2)
    np.testing.assert_allclose(dist, [[0.25, 0.75], [0.99, 0.01]])
    np.testing.assert_allclose(exp_r, [0.75, 0.99])


def test_kl_is_below_the_continuous_bound() -> None:
    assert best_of_n_kl_bound(1) == 0.0
    assert best_of_n_kl_bound(4) == pytest.approx(math.log(4) - 0.75)
    pi = np.array([0.4, 0.3, 0.2, 0.1])
    r = np.array([0.1, 0.5, 0.2, 0.9])
    kl = best_of_n_kl(pi, r, 4)
    assert kl == pytest.approx(float(kl_divergence(best_of_n(pi, r, 4)[0], pi)), rel=1e-12)
    assert 0 < kl < best_of_n_kl_bound(4)


def test_errors() -> None:
    with pytest.raises(ValueError, match="n must be >= 1"):
        best_of_n([0.5, 0.5], [0.0, 1.0], 0)
    with pytest.raises(ValueError, match="rewards must have the shape of pi"):
        best_of_n([0.5, 0.5], [0.0], 2)
    with pytest.raises(ValueError, match="pi must sum to 1"):
        best_of_n([0.5, 0.6], [0.0, 1.0], 2)


@settings(deadline=None, max_examples=40)
@given(distributions(min_k=2, max_k=4), st.data(), st.integers(1, 4))
def test_matches_enumeration_including_ties(pi: np.ndarray, data: st.DataObject, n: int) -> None:
    r = np.array(data.draw(st.lists(st.integers(0, 2), min_size=pi.size, max_size=pi.size)), dtype=float)
    dist, _ = best_of_n(pi, r, n)
    np.testing.assert_allclose(dist, enumerate_best_of_n(pi, r, n), rtol=1e-9, atol=1e-15)
