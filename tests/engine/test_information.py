"""Entropy and KL divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from engine_testing import distributions
from qbank.engine import entropy, kl_divergence


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
