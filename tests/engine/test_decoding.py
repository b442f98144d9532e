"""Temperature on probabilities, top-k and top-p (nucleus) sets, with their tie rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine_testing import distributions
from qbank.engine import (
    apply_temperature,
    entropy,
    expand_remainder,
    nucleus_remainder_count,
    renormalize_subset,
    softmax,
    top_k,
    top_p,
    top_p_mask,
    top_p_size,
)


class TestTemperature:
    P = np.array([0.5, 0.3, 0.15, 0.05])

    def test_equals_power_and_renormalise(self) -> None:
        for t in (0.5, 0.7, 1.5, 2.0):
            direct = self.P ** (1 / t) / (self.P ** (1 / t)).sum()
            np.testing.assert_allclose(apply_temperature(self.P, t), direct, rtol=1e-12)
            np.testing.assert_allclose(apply_temperature(self.P, t), softmax(np.log(self.P) / t), rtol=1e-12)

    def test_ratios_become_powers_and_argmax_is_kept(self) -> None:
        q = apply_temperature(self.P, 0.5)
        assert q[0] / q[1] == pytest.approx((0.5 / 0.3) ** 2)
        assert np.argmax(apply_temperature(self.P, 5.0)) == 0

    def test_low_temperature_sharpens_and_high_flattens(self) -> None:
        assert entropy(apply_temperature(self.P, 0.5)) < entropy(self.P) < entropy(apply_temperature(self.P, 2.0))

    def test_limits(self) -> None:
        np.testing.assert_array_equal(apply_temperature(self.P, 0), [1, 0, 0, 0])
        np.testing.assert_array_equal(apply_temperature([0.4, 0.4, 0.2], 0), [0.5, 0.5, 0])
        np.testing.assert_array_equal(apply_temperature([0.5, 0.5, 0.0], np.inf), [0.5, 0.5, 0.0])
        np.testing.assert_allclose(apply_temperature(self.P, 1e6), 0.25, rtol=1e-5)

    def test_zero_probability_stays_zero(self) -> None:
        assert apply_temperature([0.7, 0.3, 0.0], 2.0)[2] == 0.0

    def test_negative_temperature_raises(self) -> None:
        with pytest.raises(ValueError, match="temperature must be >= 0"):
            apply_temperature(self.P, -1.0)


class TestTopK:
    def test_descending_order_and_first_listed_wins_ties(self) -> None:
        p = np.array([0.1, 0.3, 0.2, 0.3, 0.1])
        np.testing.assert_array_equal(top_k(p, 2), [1, 3])
        np.testing.assert_array_equal(top_k(p, 4), [1, 3, 2, 0])  # 0 before 4 at the tie
        np.testing.assert_array_equal(top_k(np.array([[0.5, 0.5], [0.1, 0.9]]), 1), [[0], [1]])

    @pytest.mark.parametrize(("k", "message"), [(0, "k must be >= 1"), (6, "k must be <= the vocabulary size 5"), (2.0, "k must be an integer")])
    def test_bad_k_raises(self, k: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            top_k(np.full(5, 0.2), k)  # type: ignore[arg-type]


class TestTopP:
    def test_includes_the_token_that_crosses_p(self) -> None:
        p = np.array([0.1, 0.45, 0.25, 0.2])
        np.testing.assert_array_equal(top_p(p, 0.5), [1, 2])
        np.testing.assert_array_equal(top_p(p, 0.45), [1])
        np.testing.assert_array_equal(top_p(p, 1.0), [1, 2, 3, 0])

    def test_float_rounding_at_the_boundary_counts_as_reaching_p(self) -> None:
        # 0.6 + 0.3 = 0.8999999999999999 in floating point; it must still reach 0.9.
        np.testing.assert_array_equal(top_p([0.6, 0.3, 0.1], 0.9), [0, 1])

    def test_boundary_tie_admits_only_the_first_listed(self) -> None:
        np.testing.assert_array_equal(top_p([0.2, 0.4, 0.2, 0.2], 0.6), [1, 0])

    def test_zero_probability_tokens_never_enter_at_p_one(self) -> None:
        np.testing.assert_array_equal(top_p([0.5, 0.0, 0.5], 1.0), [0, 2])

    def test_batch_forms(self) -> None:
        p = np.array([[0.5, 0.4, 0.1], [0.2, 0.2, 0.6]])
        sets = top_p(p, 0.9)
        assert [s.tolist() for s in sets] == [[0, 1], [2, 0, 1]]
        np.testing.assert_array_equal(top_p_size(p, 0.9), [2, 3])
        np.testing.assert_array_equal(top_p_mask(p, 0.9), [[True, True, False], [True, True, True]])

    def test_renormalised_sampling_probability(self) -> None:
        p = np.array([0.1, 0.45, 0.25, 0.2])
        np.testing.assert_allclose(renormalize_subset(p, top_p_mask(p, 0.5)), [0, 0.45 / 0.7, 0.25 / 0.7, 0])
        with pytest.raises(ValueError, match="selects no probability mass"):
            renormalize_subset(p, np.zeros(4, bool))

    def test_seed_3_large_vocabulary_nucleus(self) -> None:
        # CONTENT.md F10: named .85 of a 50,000-token vocabulary, P = 0.9 -> 16,666 remainder tokens.
        named = np.array([0.35, 0.25, 0.15, 0.10])
        n = 50_000 - named.size
        assert nucleus_remainder_count(named, 0.15, n, 0.9) == 16_666
        assert top_p_size(expand_remainder(named, 0.15, n), 0.9) == named.size + 16_666
        assert nucleus_remainder_count(named, 0.15, n, 0.8) == 0

    def test_remainder_count_falls_back_when_remainder_tokens_outrank_named_ones(self) -> None:
        named = np.array([0.5, 0.01])
        expected = int((top_p(expand_remainder(named, 0.49, 7), 0.9) >= 2).sum())
        assert nucleus_remainder_count(named, 0.49, 7, 0.9) == expected == 6

    @pytest.mark.parametrize("p", [0.0, -0.1, 1.5, np.nan])
    def test_bad_p_raises(self, p: float) -> None:
        with pytest.raises(ValueError, match="p "):
            top_p([0.5, 0.5], p)

    @settings(deadline=None, max_examples=80)
    @given(distributions(min_k=1, max_k=12), st.floats(0.01, 1.0))
    def test_set_is_the_minimal_descending_prefix(self, p: np.ndarray, mass: float) -> None:
        idx = top_p(p, mass)
        kept = p[idx]
        assert np.all(np.diff(kept) <= 0)  # descending
        assert kept.sum() >= mass - 1e-9  # reaches P
        assert kept[:-1].sum() < mass - 1e-9  # dropping the last token falls short
        outside = np.setdiff1d(np.arange(p.size), idx)
        assert np.all(p[outside] <= kept.min())  # nothing outside beats anything inside
        np.testing.assert_array_equal(idx, top_k(p, idx.size))
