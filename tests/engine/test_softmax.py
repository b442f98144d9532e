"""softmax, log_softmax, logsumexp and logits_from_probs: definitions, limits, stability, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.engine import log_softmax, logits_from_probs, logsumexp, softmax

from engine_testing import batched_logits, distributions


def direct_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum()


def test_softmax_matches_the_direct_formula() -> None:
    z = np.array([2.0, 1.0, 0.1, -1.5])
    np.testing.assert_allclose(softmax(z), direct_softmax(z), rtol=1e-12)


def test_softmax_batch_equals_rows_computed_one_by_one() -> None:
    z = np.random.default_rng(1).normal(size=(3, 4, 7))
    out = softmax(z)
    for idx in np.ndindex(3, 4):
        np.testing.assert_allclose(out[idx], direct_softmax(z[idx]), rtol=1e-12)


def test_logits_of_plus_minus_1e4_are_exact() -> None:
    z = np.array([1e4, -1e4, 0.0])
    p = softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(log_softmax(z), [0.0, -2e4, -1e4], rtol=1e-15)
    assert logsumexp(z) == pytest.approx(1e4, rel=1e-15)


def test_200k_vocabulary_sums_to_one() -> None:
    z = np.random.default_rng(2).normal(0, 5, size=(2, 200_000))
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.log(p[0, :5]), log_softmax(z)[0, :5], rtol=1e-10)


def test_masked_minus_inf_logit_gets_probability_zero() -> None:
    p = softmax([0.0, -np.inf, 0.0])
    np.testing.assert_array_equal(p, [0.5, 0.0, 0.5])
    assert log_softmax([0.0, -np.inf])[1] == -np.inf


def test_temperature_matches_scaled_logits() -> None:
    z = np.array([1.0, 0.5, -0.3])
    np.testing.assert_allclose(softmax(z, temperature=2.0), direct_softmax(z / 2.0), rtol=1e-12)
    np.testing.assert_allclose(softmax(z, temperature=0.5), direct_softmax(z / 0.5), rtol=1e-12)


def test_temperature_zero_is_one_hot_and_ties_split_evenly() -> None:
    np.testing.assert_array_equal(softmax([1.0, 3.0, 2.0], temperature=0), [0, 1, 0])
    np.testing.assert_array_equal(softmax([3.0, 1.0, 3.0], temperature=0), [0.5, 0, 0.5])
    np.testing.assert_array_equal(
        softmax([[3.0, 3.0, 3.0], [0.0, 1.0, 0.0]], temperature=0), [[1 / 3] * 3, [0, 1, 0]]
    )


def test_temperature_zero_is_the_limit_of_small_temperatures() -> None:
    z = np.array([2.0, 1.0, 2.0, -1.0])
    np.testing.assert_allclose(softmax(z, temperature=1e-3), softmax(z, temperature=0), atol=1e-12)


def test_temperature_infinity_is_uniform_over_unmasked_tokens() -> None:
    np.testing.assert_array_equal(softmax([5.0, -np.inf, 0.0, 1.0], temperature=np.inf), [1 / 3, 0, 1 / 3, 1 / 3])


@pytest.mark.parametrize(
    ("logits", "kwargs", "message"),
    [
        ([1.0, np.nan], {}, "logits contains NaN"),
        ([1.0, np.inf], {}, r"logits contains \+inf"),
        ([-np.inf, -np.inf], {}, "no finite logit"),
        (1.0, {}, "at least one axis"),
        (np.zeros((2, 0)), {}, "empty vocabulary"),
        ([1.0, 2.0], {"temperature": -1.0}, "temperature must be >= 0"),
        (["a", "b"], {}, "logits must be numeric"),
    ],
)
def test_invalid_inputs_raise_naming_the_argument(logits: object, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        softmax(logits, **kwargs)


def test_logits_from_probs_round_trips_through_softmax() -> None:
    p = np.array([0.35, 0.25, 0.15, 0.10, 0.15])
    np.testing.assert_allclose(softmax(logits_from_probs(p)), p, rtol=1e-14)


def test_logits_from_probs_refuses_zero_unless_told_what_to_do() -> None:
    with pytest.raises(ValueError, match="zero_logit"):
        logits_from_probs([0.5, 0.5, 0.0])
    z = logits_from_probs([0.5, 0.5, 0.0], zero_logit=-np.inf)
    assert z[2] == -np.inf
    np.testing.assert_array_equal(softmax(z), [0.5, 0.5, 0.0])
    assert logits_from_probs([0.5, 0.5, 0.0], zero_logit=-1e4)[2] == -1e4
    with pytest.raises(ValueError, match="zero_logit must not be"):
        logits_from_probs([1.0, 0.0], zero_logit=np.inf)


@pytest.mark.parametrize(
    ("probs", "message"),
    [([0.6, 0.5], "probs must sum to 1"), ([1.2, -0.2], "negative probabilities")],
)
def test_logits_from_probs_checks_the_distribution(probs: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        logits_from_probs(probs)


@settings(deadline=None, max_examples=60)
@given(batched_logits(), st.floats(-50, 50))
def test_softmax_is_a_distribution_and_shift_invariant(z: np.ndarray, c: float) -> None:
    p = softmax(z)
    assert p.shape == z.shape
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + c), p, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(np.exp(log_softmax(z)), p, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(logsumexp(z), np.log(np.exp(z).sum(axis=-1)), rtol=1e-9, atol=1e-12)


@settings(deadline=None, max_examples=40)
@given(distributions())
def test_logits_from_probs_is_log_up_to_a_constant(p: np.ndarray) -> None:
    z = logits_from_probs(p)
    np.testing.assert_allclose(z, np.log(p), rtol=1e-15)
    np.testing.assert_allclose(softmax(z + 3.0), p, rtol=1e-12)
