"""Logit gradient (D1), the fused hot path, and what one SGD step does to probabilities (D2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine_testing import batched_logits, central_diff, distributions
from qbank.engine import (
    SIGN_TOL,
    change_threshold,
    cross_entropy_from_logits,
    label_smoothing_loss,
    logit_gradient,
    probability_change,
    probability_change_signs,
    sgd_step,
    small_step_threshold,
    softmax,
    softmax_cross_entropy_grad,
)

SEED3 = np.array([0.35, 0.25, 0.15, 0.10, 0.15])  # Je, J', Le, Mon, rest-as-one-token
JP = 1  # gold: J'


class TestLogitGradient:
    def test_is_p_minus_onehot(self) -> None:
        np.testing.assert_allclose(logit_gradient(SEED3, JP), [0.35, -0.75, 0.15, 0.10, 0.15], rtol=1e-15)

    @pytest.mark.parametrize("eps", [0.0, 0.1, 0.2])
    def test_matches_central_differences(self, eps: float) -> None:
        z = np.array([1.2, -0.3, 0.5, 2.0, -1.0])
        analytic = logit_gradient(softmax(z), 3, label_smoothing=eps)
        numeric = central_diff(lambda v: float(label_smoothing_loss(softmax(v), 3, eps)), z)
        np.testing.assert_allclose(analytic, numeric, atol=1e-8)

    def test_smoothing_subtracts_the_smoothed_target(self) -> None:
        p = np.array([0.5, 0.3, 0.2])
        np.testing.assert_allclose(logit_gradient(p, 0, 0.3), p - [0.8, 0.1, 0.1], rtol=1e-14)

    def test_zero_at_certainty(self) -> None:
        np.testing.assert_array_equal(logit_gradient([0.0, 1.0, 0.0], 1), [0.0, 0.0, 0.0])

    def test_200k_vocabulary(self) -> None:
        p = softmax(np.random.default_rng(0).normal(size=200_000))
        g = logit_gradient(p, 123)
        assert abs(g.sum()) < 1e-12
        assert g[123] == pytest.approx(p[123] - 1)

    def test_bad_smoothing_raises(self) -> None:
        with pytest.raises(ValueError, match="label_smoothing must lie"):
            logit_gradient([0.5, 0.5], 0, label_smoothing=-0.1)

    @settings(deadline=None, max_examples=60)
    @given(batched_logits(), st.floats(0, 1), st.data())
    def test_sums_to_zero_and_gold_gets_the_largest_push(self, z: np.ndarray, eps: float, data: st.DataObject) -> None:
        t = data.draw(hnp.arrays(np.int64, z.shape[:-1], elements=st.integers(0, z.shape[-1] - 1)))
        p = softmax(z)
        g = logit_gradient(p, t)
        np.testing.assert_allclose(g.sum(axis=-1), 0.0, atol=1e-12)
        gold = np.take_along_axis(g, t[..., None], axis=-1)[..., 0]
        assert np.all(gold <= 0)
        assert np.all(np.abs(gold)[..., None] >= np.abs(g) - 1e-12)
        np.testing.assert_allclose(logit_gradient(p, t, eps).sum(axis=-1), 0.0, atol=1e-12)


class TestFused:
    def test_agrees_with_the_separate_functions(self) -> None:
        rng = np.random.default_rng(3)
        z = rng.normal(0, 4, size=(2, 3, 1000))
        t = rng.integers(0, 1000, size=(2, 3))
        loss, grad = softmax_cross_entropy_grad(z, t)
        np.testing.assert_allclose(loss, cross_entropy_from_logits(z, t), rtol=1e-12)
        np.testing.assert_allclose(grad, logit_gradient(softmax(z), t), atol=1e-15)

    def test_gradient_matches_central_differences(self) -> None:
        z = np.array([[0.3, -1.2, 2.2], [1.0, 1.0, -4.0]])
        t = np.array([2, 0])
        _, grad = softmax_cross_entropy_grad(z, t)
        numeric = central_diff(lambda v: float(softmax_cross_entropy_grad(v, t)[0].sum()), z)
        np.testing.assert_allclose(grad, numeric, atol=1e-8)

    def test_extreme_and_masked_logits(self) -> None:
        loss, grad = softmax_cross_entropy_grad(np.array([1e4, -1e4, -np.inf]), np.array(1))
        assert loss == pytest.approx(2e4, rel=1e-15)
        np.testing.assert_array_equal(grad, [1.0, -1.0, 0.0])

    @pytest.mark.parametrize("bad", [[0.0, np.nan], [0.0, np.inf], [-np.inf, -np.inf]])
    def test_rejects_nan_inf_and_empty_rows(self, bad: list[float]) -> None:
        with pytest.raises(ValueError, match="logits contain NaN"):
            softmax_cross_entropy_grad(np.array([[0.0, 1.0], bad]), np.array([0, 0]))

    def test_rejects_bad_target(self) -> None:
        with pytest.raises(ValueError, match="target out of range"):
            softmax_cross_entropy_grad(np.zeros((2, 3)), np.array([0, 3]))


class TestSgdStep:
    def test_new_logits_are_exactly_z_minus_lr_grad(self) -> None:
        z = np.log(SEED3)
        new_z, new_p = sgd_step(z, JP, 1.0)
        g = logit_gradient(softmax(z), JP)
        np.testing.assert_array_equal(new_z, z - 1.0 * g)
        np.testing.assert_allclose(new_p, softmax(z - g), rtol=1e-15)

    def test_seed_3_one_token_variant(self) -> None:
        # CONTENT.md D2: "others 0.15" as one token, eta = 1 -> J' 0.4706, rest 0.1148.
        _, p = sgd_step(np.log(SEED3), JP, 1.0)
        assert round(p[JP], 4) == 0.4706
        assert round(p[4], 4) == 0.1148

    @pytest.mark.parametrize("lr", [0.0, -0.1, np.nan, np.inf])
    def test_lr_must_be_positive_and_finite(self, lr: float) -> None:
        with pytest.raises(ValueError, match="lr"):
            sgd_step([0.0, 1.0], 0, lr)
        with pytest.raises(ValueError, match="lr"):
            probability_change_signs([0.5, 0.5], 0, lr)


class TestSignRule:
    def test_exact_change_matches_a_direct_step(self) -> None:
        for lr in (0.1, 0.5, 1.0, 2.0):
            _, p_new = sgd_step(np.log(SEED3), JP, lr)
            np.testing.assert_allclose(probability_change(SEED3, JP, lr), p_new - SEED3, atol=1e-15)

    def test_seed_3_everything_but_gold_falls(self) -> None:
        np.testing.assert_array_equal(probability_change_signs(SEED3, JP, 1.0), [-1, 1, -1, -1, -1])
        # Spread thin, the remainder does not count in sum p^2: tau_1 = .2175 - .25.
        thin = np.concatenate([SEED3[:4], np.full(100_000, 0.15 / 100_000)])
        assert small_step_threshold(thin, JP) == pytest.approx(-0.0325, abs=1e-6)

    def test_a_dominant_wrong_token_lets_small_wrong_tokens_gain(self) -> None:
        p = np.array([0.8, 0.1, 0.06, 0.04])  # gold 1; token 0 dominates
        signs = probability_change_signs(p, 1, 0.5)
        np.testing.assert_array_equal(signs, [-1, 1, 1, 1])
        tau = change_threshold(p, 1, 0.5)
        assert 0.06 < tau < 0.8

    def test_zero_probability_and_certain_gold_give_zero_signs(self) -> None:
        np.testing.assert_array_equal(probability_change_signs([0.0, 1.0, 0.0], 1, 1.0), [0, 0, 0])
        np.testing.assert_array_equal(probability_change_signs([0.0, 0.5, 0.5], 1, 1.0), [0, 1, -1])

    def test_rule_depends_on_eta_on_a_zipf_vocabulary(self) -> None:
        # CONTENT.md D2: on a flat 50k Zipf vocabulary tau_1 > 0 but tau_1.0 < 0.
        p = 1.0 / np.arange(1, 50_001)
        p /= p.sum()
        gold = 10
        assert small_step_threshold(p, gold) > 0
        assert change_threshold(p, gold, 1.0) < 0
        small_gain = probability_change_signs(p, gold, 0.01)[-1]
        big = probability_change_signs(p, gold, 1.0)[-1]
        assert (small_gain, big) == (1, -1)

    def test_small_step_limit_matches_first_order_formula(self) -> None:
        p = np.array([0.5, 0.2, 0.2, 0.1])
        eta = 1e-5
        tau1 = small_step_threshold(p, 1)
        d = probability_change(p, 1, eta)
        wrong = np.array([0, 2, 3])
        np.testing.assert_allclose(d[wrong], -eta * p[wrong] * (p[wrong] - tau1), rtol=1e-4)
        gold_first_order = eta * 0.2 * ((1 - 0.2) ** 2 + (p[wrong] ** 2).sum())
        assert d[1] == pytest.approx(gold_first_order, rel=1e-4)
        assert change_threshold(p, 1, eta) == pytest.approx(tau1, abs=1e-5)

    @settings(deadline=None, max_examples=100)
    @given(distributions(min_k=2, max_k=10), st.sampled_from([0.05, 0.1, 0.5, 1.0, 2.0, 5.0]), st.data())
    def test_threshold_rule_predicts_every_sign(self, p: np.ndarray, lr: float, data: st.DataObject) -> None:
        c = data.draw(st.integers(0, p.size - 1))
        assume(0 < p[c] < 1)
        d = probability_change(p, c, lr)
        signs = probability_change_signs(p, c, lr)
        tau = change_threshold(p, c, lr)
        assert signs[c] == 1
        assert abs(d.sum()) < 1e-12
        for j in range(p.size):
            if j == c or abs(d[j]) <= SIGN_TOL:
                continue
            assert signs[j] == (1 if p[j] < tau else -1)
