"""Entropy and KL divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from engine_testing import distributions
from qbank.engine import constant_tail_entropy, entropy, kl_divergence, label_smoothing_min_loss, smoothed_target


def test_entropy_of_uniform_is_log_k_in_any_base() -> None:
    assert entropy(np.full(8, 1 / 8)) == pytest.approx(math.log(8))
    assert entropy(np.full(8, 1 / 8), base=2) == pytest.approx(3.0)


def test_zero_probabilities_contribute_nothing() -> None:
    assert entropy([1.0, 0.0]) == 0.0
    assert entropy([0.5, 0.5, 0.0]) == pytest.approx(math.log(2))


def test_kl_direct_and_infinite_cases() -> None:
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.5, 0.3])
    assert kl_divergence(p, q) == pytest.approx(float((p * np.log(p / q)).sum()), rel=1e-14)
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))
    assert kl_divergence(p, p) == 0.0


def test_errors() -> None:
    with pytest.raises(ValueError, match="p and q must have the same shape"):
        kl_divergence([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="q must sum to 1"):
        kl_divergence([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="base must not be 1"):
        entropy([1.0], base=1)


@settings(deadline=None, max_examples=60)
@given(distributions(min_k=3, max_k=3), distributions(min_k=3, max_k=3))
def test_kl_is_non_negative_and_zero_only_at_equality(p: np.ndarray, q: np.ndarray) -> None:
    k = kl_divergence(p, q)
    assert k >= 0
    assert entropy(p) <= math.log(3) + 1e-12
    # Cross-entropy decomposition H(p, q) = H(p) + KL(p || q).
    assert float(-(p * np.log(q)).sum()) == pytest.approx(float(entropy(p) + k), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 64, 127, 128, 129, 1000, 4097, 60000])
@pytest.mark.parametrize("base", [None, 2.0])
def test_a_constant_tail_entropy_is_the_entropy_of_the_full_vector_bit_for_bit(n, base) -> None:
    for first in (0.95, 0.5, 0.1 + 0.2, 1e-9, 0.0):
        rest = (1.0 - first) / (n - 1) if n > 1 else 0.0
        if n == 1:
            first = 1.0
        full = np.full(n, rest)
        full[0] = first
        assert constant_tail_entropy(first, rest, n, base) == float(entropy(full, base))


@pytest.mark.parametrize("off", [0.0, 0.5e-9, 0.99e-9, 0.99999e-9, 1e-9, 1.00001e-9, 1.01e-9, 2e-9, -0.99999e-9, -1.00001e-9])
def test_a_constant_tail_entropy_checks_the_sum_as_entropy_does_at_the_tolerance_edge(off) -> None:
    for n in (2, 9, 1000, 60000):
        rest = 0.3 / (n - 1)
        first = 0.7 + off
        full = np.full(n, rest)
        full[0] = first
        try:
            want = float(entropy(full))
        except ValueError as exc:
            with pytest.raises(ValueError, match="sum to 1") as info:
                constant_tail_entropy(first, rest, n)
            assert str(info.value) == str(exc)
        else:
            assert constant_tail_entropy(first, rest, n) == want


def test_a_constant_tail_entropy_refuses_what_entropy_refuses() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        constant_tail_entropy(0.5, 0.1, 3)
    with pytest.raises(ValueError, match="negative"):
        constant_tail_entropy(1.2, -0.1, 3)
    with pytest.raises(ValueError, match="n must be >= 1"):
        constant_tail_entropy(1.0, 0.0, 0)


@pytest.mark.parametrize("eps", [0.05, 0.1, 0.2, 0.37, 1.0, 1e-6, 0.0])
def test_the_smallest_smoothed_loss_is_the_entropy_of_the_full_smoothed_target_bit_for_bit(eps) -> None:
    """label_smoothing_min_loss sums the terms of a constant-tail vector; every K of a
    vocabulary up to 3,000 and a sample above give what the K-long computation gives."""
    for k in [*range(1, 3000), *range(3000, 200_000, 4999)]:
        q = smoothed_target(k, 0, eps)
        nz = q[q > 0]
        assert label_smoothing_min_loss(k, eps) == float(-(nz * np.log(nz)).sum()), k


def test_the_pairwise_sum_of_a_constant_tail_is_numpys_sum_bit_for_bit() -> None:
    import random

    from qbank.engine.information import pairwise_sum_first

    rnd = random.Random(7)
    # every length up to 3,000 (all the block and halving cases), then a sample up to 70,000
    for n in [*range(1, 3001), *rnd.sample(range(3001, 70_000), 400), 8192, 8193, 16384, 65536, 65537]:
        a, b = -rnd.random(), -rnd.random() * 10.0 ** -rnd.randint(0, 6)
        v = np.full(n, b)
        v[0] = a
        assert pairwise_sum_first(a, b, n) == float(np.sum(v)), n
