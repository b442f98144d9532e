"""The engine at the edges: probabilities near 0 or 1 keep full relative precision.

Reference values come from mpmath at 200 bits on the very same float inputs, so the
only error measured is the engine's. "Full precision" here means within a few units in
the last place (ULP = 2.2e-16 relative).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from qbank.engine import (
    cross_entropy_from_logits,
    dpo_loss,
    entropy,
    kl_divergence,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
    softmax_cross_entropy_grad,
    softplus,
)

mp.mp.prec = 200
ULP = 2.0**-52


def _rel(got: float, exact: mp.mpf) -> float:
    return float(abs(mp.mpf(float(got)) - exact) / abs(exact))


def _exact_log_softmax(z: np.ndarray) -> list[mp.mpf]:
    # relative to the max, with log1p: 200 bits would not resolve ln(1 + e^-300) otherwise
    zs = [mp.mpf(float(v)) for v in z]
    k = int(np.argmax(z))
    tail = mp.fsum(mp.exp(v - zs[k]) for j, v in enumerate(zs) if j != k)
    return [(v - zs[k]) - mp.log1p(tail) for v in zs]


class TestCrossEntropyOfANearCertainPrediction:
    def test_the_issue_example_is_log1p_of_2_e_minus_30(self) -> None:
        # Worked by hand: lse([30, 0, 0]) - 30 = ln(1 + 2 e^-30) = 2e^-30 - 2e^-60 + ... = 1.8715e-13.
        exact = mp.log1p(2 * mp.exp(-30))
        assert float(exact) == pytest.approx(1.8715245937678e-13, rel=1e-12)
        got = float(cross_entropy_from_logits([30.0, 0.0, 0.0], 0))
        assert _rel(got, exact) < 2 * ULP
        # the naive lse(z) - z_c, which the engine used to compute, is 0.6 % off
        naive = float(logsumexp([30.0, 0.0, 0.0])) - 30.0
        assert _rel(naive, exact) > 1e-3

    def test_the_fused_loss_and_log_softmax_agree_to_the_last_digits(self) -> None:
        exact = mp.log1p(2 * mp.exp(-30))
        loss, grad = softmax_cross_entropy_grad(np.array([[30.0, 0.0, 0.0]]), np.array([0]))
        assert _rel(loss[0], exact) < 2 * ULP
        assert _rel(-log_softmax([30.0, 0.0, 0.0])[0], exact) < 2 * ULP
        # the gradient on the gold logit is p_c - 1 = -(1 - p_c): rounded to the spacing of 1 near 1
        assert grad[0, 0] == pytest.approx(-float(2 * mp.exp(-30) / (1 + 2 * mp.exp(-30))), abs=ULP)

    @pytest.mark.parametrize("gap", [5.0, 20.0, 30.0, 36.7, 50.0, 300.0, 700.0])
    @pytest.mark.parametrize("vocab", [2, 3, 6])
    def test_every_log_probability_of_a_dominant_logit_row(self, gap: float, vocab: int) -> None:
        rng = np.random.default_rng(int(gap * 10) + vocab)
        z = np.concatenate([[gap + rng.uniform(-1, 1)], rng.uniform(-2, 2, vocab - 1)])
        z = rng.permutation(z)
        exact = _exact_log_softmax(z)
        ls = log_softmax(z)
        for c in range(vocab):
            if exact[c] < -700:
                continue  # e^-700: the loss is huge and exact; nothing near 0 to lose
            assert _rel(-ls[c], -exact[c]) < 4 * ULP, (c, ls[c])
            assert _rel(cross_entropy_from_logits(z, c), -exact[c]) < 4 * ULP, c
        loss, _ = softmax_cross_entropy_grad(np.tile(z, (vocab, 1)), np.arange(vocab))
        for c in range(vocab):
            if exact[c] >= -700:
                assert _rel(loss[c], -exact[c]) < 4 * ULP, c

    def test_batched_rows_are_each_exact(self) -> None:
        z = np.array([[[30.0, 0.0, 0.0], [0.0, 40.0, -1.0]], [[1.0, 2.0, 3.0], [-5.0, 25.0, 25.0]]])
        t = np.array([[0, 1], [2, 1]])
        got = cross_entropy_from_logits(z, t)
        for idx in np.ndindex(t.shape):
            exact = -_exact_log_softmax(z[idx])[t[idx]]
            assert _rel(got[idx], exact) < 4 * ULP, idx

    def test_ties_at_the_maximum_and_masked_tokens(self) -> None:
        # two tied maxima: ln 2 exactly; a masked -inf token changes nothing
        assert float(cross_entropy_from_logits([3.0, 3.0, -np.inf], 1)) == pytest.approx(math.log(2), rel=ULP)
        assert float(logsumexp([-np.inf, 0.0])) == 0.0
        assert log_softmax([-np.inf, 0.0]).tolist() == [-np.inf, 0.0]

    def test_softmax_itself_is_unchanged_bit_for_bit(self) -> None:
        # the probabilities still come from max/subtract/exp/sum/scale (existing items stay identical)
        rng = np.random.default_rng(0)
        z = rng.normal(size=(50, 7)) * 10
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m)
        expected = e * (1.0 / e.sum(axis=1, keepdims=True))
        assert np.array_equal(softmax(z), expected)


class TestSigmoidAndLogSigmoid:
    def test_sigmoid_keeps_full_relative_precision_from_minus_708_to_40(self) -> None:
        # below -708 the value is subnormal, where no float has full relative precision
        xs = np.concatenate([np.linspace(-708, 40, 2001), np.linspace(-40, -20, 801)])
        got = sigmoid(xs)
        worst = max(_rel(g, 1 / (1 + mp.exp(-mp.mpf(float(x))))) for g, x in zip(got, xs))
        # before: exp(-softplus(-x)) lost up to 16 ulps (3.6e-15 near x = -33.3)
        assert worst < 4 * ULP

    @pytest.mark.parametrize("u", [-800.0, -40.0, -1e-8, 0.0, 1e-8, 35.0, 40.0, 700.0])
    def test_the_dpo_loss_is_softplus_of_the_negative_margin_at_any_margin(self, u: float) -> None:
        # beta = 1; the margin is u up to the rounding of the log-probs, so compare at the margin it got
        loss, rw, rl = dpo_loss(-1000.0 + max(u, 0.0), -1000.0 - min(u, 0.0), -1000.0, -1000.0, 1.0)
        margin = float(rw - rl)
        assert margin == pytest.approx(u, rel=1e-6, abs=1e-300)
        assert _rel(loss, mp.log1p(mp.exp(-mp.mpf(margin)))) < 4 * ULP
        assert _rel(softplus(-u), mp.log1p(mp.exp(-mp.mpf(u)))) < 4 * ULP


class TestEntropyAndKlNearCertainty:
    def test_zero_log_zero_is_zero(self) -> None:
        assert float(entropy([1.0, 0.0, 0.0])) == 0.0
        assert float(kl_divergence([1.0, 0.0], [0.5, 0.5])) == pytest.approx(math.log(2), rel=ULP)
        assert float(kl_divergence([0.5, 0.5], [1.0, 0.0])) == np.inf

    def test_entropy_of_a_near_one_hot_distribution(self) -> None:
        p = np.array([1 - 1e-12, 1e-12])
        exact = -sum(mp.mpf(v) * mp.log(mp.mpf(v)) for v in p)
        assert _rel(entropy(p), exact) < 4 * ULP

    @pytest.mark.parametrize("delta", [2.0**-10, 2.0**-20, 2.0**-30])
    def test_kl_of_nearly_equal_distributions(self, delta: float) -> None:
        # dyadic values, so both rows sum to exactly 1 as floats and the exact KL is that of the floats
        p = np.array([0.5, 0.25, 0.25])
        q = p + np.array([delta, -delta / 2, -delta / 2])
        assert p.sum() == q.sum() == 1.0
        exact = mp.fsum(mp.mpf(a) * mp.log(mp.mpf(a) / mp.mpf(b)) for a, b in zip(p, q))
        # about 2 delta^2: 2e-18 for delta = 2^-30, where p ln p - p ln q has no digit left
        assert _rel(kl_divergence(p, q), exact) < 8 * ULP
        assert _rel(kl_divergence(q, p), mp.fsum(mp.mpf(b) * mp.log(mp.mpf(b) / mp.mpf(a)) for a, b in zip(p, q))) < 8 * ULP

    def test_kl_far_apart_and_batched(self) -> None:
        p = np.array([[0.999999, 1e-6, 0.0], [0.2, 0.3, 0.5]])
        q = np.array([[1e-9, 0.5, 0.499999999], [0.21, 0.29, 0.5]])
        got = kl_divergence(p, q)
        for i in range(2):
            exact = mp.fsum(mp.mpf(a) * mp.log(mp.mpf(a) / mp.mpf(b)) for a, b in zip(p[i], q[i]) if a > 0)
            assert _rel(got[i], exact) < 8 * ULP, i


class TestSmallStepsAndDominantRewards:
    @pytest.mark.parametrize("lr", [1e-8, 1e-4, 0.1, 0.4, 2.0])
    def test_the_change_threshold_keeps_its_digits_for_small_steps(self, lr: float) -> None:
        from qbank.engine import change_threshold

        # dyadic, so the floats sum to exactly 1 (otherwise their rounding, 1e-16 / lr, is the answer's error);
        # gold index 1: tau_1 = sum p^2 - p_c = 0.3359375 - 0.25 = 0.0859375
        p = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
        assert p.sum() == 1.0
        g = [mp.mpf(float(x)) for x in p]
        g[1] -= 1
        s = mp.fsum(mp.mpf(float(x)) * mp.exp(-mp.mpf(lr) * gk) for x, gk in zip(p, g))
        exact = -mp.log(s) / lr
        # before: m + log(sum) cancelled two O(1) terms: 2.3e-7 relative at lr = 1e-8, 3e-14 at 0.1
        assert _rel(change_threshold(p, 1, lr), exact) < 64 * ULP

    def test_beta_ln_z_when_one_response_dominates(self) -> None:
        from qbank.engine import kl_regularized_optimum, log_partition

        ref, r = np.array([0.5, 0.25, 0.25]), np.array([0.0, -40.0, -40.0])
        # Z = 0.5 + 0.5 e^-40, beta ln Z = ln 0.5 + ln(1 + e^-40): the tail survives only through log1p
        exact = mp.log(mp.mpf(0.5) + mp.mpf(0.5) * mp.exp(-40))
        assert _rel(kl_regularized_optimum(ref, r, 1.0)[1], exact) < 4 * ULP
        assert _rel(log_partition(ref, r, 1.0), exact) < 4 * ULP
        ref2, r2 = np.array([1 - 2.0**-40, 2.0**-40]), np.array([0.0, 1.0])
        exact2 = mp.log(mp.mpf(1 - 2.0**-40) + mp.mpf(2.0**-40) * mp.e)  # about 1.56e-12
        assert _rel(kl_regularized_optimum(ref2, r2, 1.0)[1], exact2) < 4 * ULP
