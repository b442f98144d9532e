"""Bradley-Terry, reward-model and ranking losses, DPO, PPO and the KL-regularised objective."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine_testing import central_diff, distributions
from qbank.engine import (
    bradley_terry,
    dpo_loss,
    dpo_loss_grad,
    expected_rlhf_objective,
    kl_regularized_optimum,
    kl_shaped_reward,
    ppo_clip_grad,
    ppo_clip_objective,
    ppo_ratio,
    ranking_loss,
    ranking_loss_grad,
    reward_model_loss,
    reward_model_loss_grad,
    rlhf_objective,
    td_advantage,
    token_level_rewards,
)

finite = st.floats(-50, 50)


class TestBradleyTerry:
    def test_value_shift_and_scale(self) -> None:
        assert bradley_terry(1.0, 0.0) == pytest.approx(1 / (1 + math.exp(-1)))
        assert bradley_terry(6.0, 5.0) == pytest.approx(float(bradley_terry(1.0, 0.0)))  # shift
        assert bradley_terry(2.0, 0.0) != pytest.approx(float(bradley_terry(1.0, 0.0)))  # scale
        assert bradley_terry(0.3, 0.3) == 0.5

    def test_stable_for_margins_of_800(self) -> None:
        assert bradley_terry(800.0, 0.0) == 1.0
        assert bradley_terry(-800.0, 0.0) == 0.0
        assert reward_model_loss(-400.0, 400.0) == pytest.approx(800.0, rel=1e-15)
        assert reward_model_loss(400.0, -400.0) == 0.0
        assert reward_model_loss(0.0, -30.0) == pytest.approx(math.exp(-30), rel=1e-12)

    def test_loss_gradient_matches_central_differences(self) -> None:
        r = np.array([0.7, -1.3])
        gw, gl = reward_model_loss_grad(*r)
        numeric = central_diff(lambda v: float(reward_model_loss(v[0], v[1])), r)
        np.testing.assert_allclose([gw, gl], numeric, atol=1e-9)
        assert gw == pytest.approx(-float(bradley_terry(-1.3, 0.7)))

    def test_rejects_non_finite_scores(self) -> None:
        with pytest.raises(ValueError, match="r_chosen must be finite"):
            bradley_terry(np.inf, 0.0)

    @settings(deadline=None, max_examples=60)
    @given(finite, finite)
    def test_loss_is_minus_log_probability_and_non_negative(self, a: float, b: float) -> None:
        loss = reward_model_loss(a, b)
        assert loss >= 0
        p = bradley_terry(a, b)
        if p > 0:
            assert loss == pytest.approx(-math.log(float(p)), rel=1e-12, abs=1e-15)
        assert float(bradley_terry(a, b) + bradley_terry(b, a)) == pytest.approx(1.0)


class TestRankingLoss:
    def test_mean_over_all_pairs(self) -> None:
        scores = np.array([0.5, 1.2, -0.4])
        ranking = [1, 0, 2]  # y2 > y1 > y3
        pairs = [(1, 0), (1, 2), (0, 2)]
        direct = np.mean([-math.log(1 / (1 + math.exp(-(scores[i] - scores[j])))) for i, j in pairs])
        assert ranking_loss(scores, ranking) == pytest.approx(direct, rel=1e-14)

    def test_two_responses_reduce_to_the_pairwise_loss(self) -> None:
        assert ranking_loss([0.1, 0.9], [1, 0]) == pytest.approx(float(reward_model_loss(0.9, 0.1)))

    def test_gradient_matches_central_differences(self) -> None:
        scores = np.array([[0.5, 1.2, -0.4, 0.0], [1.0, -1.0, 0.3, 2.0]])
        ranking = np.array([[1, 0, 3, 2], [3, 0, 2, 1]])
        numeric = central_diff(lambda v: float(ranking_loss(v, ranking).sum()), scores)
        np.testing.assert_allclose(ranking_loss_grad(scores, ranking), numeric, atol=1e-9)

    def test_bad_ranking_raises(self) -> None:
        with pytest.raises(ValueError, match="ranking must be a permutation"):
            ranking_loss([0.0, 1.0, 2.0], [0, 0, 1])
        with pytest.raises(ValueError, match="at least 2 responses"):
            ranking_loss([0.0], [0])


class TestDpo:
    def test_at_initialisation_loss_is_ln2_and_gradients_half_beta(self) -> None:
        loss, rw, rl = dpo_loss(-20.0, -25.0, -20.0, -25.0, 0.1)
        assert (loss, rw, rl) == (pytest.approx(math.log(2)), 0.0, 0.0)
        gw, gl = dpo_loss_grad(-20.0, -25.0, -20.0, -25.0, 0.1)
        assert (gw, gl) == (pytest.approx(-0.05), pytest.approx(0.05))

    def test_loss_can_fall_while_both_log_probs_fall(self) -> None:
        loss, rw, rl = dpo_loss(-21.0, -28.0, -20.0, -25.0, 0.5)
        assert rw == pytest.approx(-0.5) and rl == pytest.approx(-1.5)
        assert loss < math.log(2)

    def test_gradient_matches_central_differences(self) -> None:
        x = np.array([-12.0, -15.5])
        ref = (-11.0, -14.0)
        gw, gl = dpo_loss_grad(x[0], x[1], *ref, 0.5)
        numeric = central_diff(lambda v: float(dpo_loss(v[0], v[1], *ref, 0.5)[0]), x)
        np.testing.assert_allclose([gw, gl], numeric, atol=1e-9)

    @pytest.mark.parametrize(
        ("args", "message"),
        [((-1.0, -1.0, -1.0, -1.0, 0.0), "beta must be > 0"), ((0.5, -1.0, -1.0, -1.0, 0.1), "policy_chosen_logp must be a log-probability")],
    )
    def test_errors(self, args: tuple, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            dpo_loss(*args)

    @settings(deadline=None, max_examples=60)
    @given(st.lists(st.floats(-60, 0), min_size=4, max_size=4), st.sampled_from([0.05, 0.1, 0.5]))
    def test_swapping_chosen_and_rejected_flips_the_margin(self, lp: list[float], beta: float) -> None:
        loss, rw, rl = dpo_loss(lp[0], lp[1], lp[2], lp[3], beta)
        loss_s, rw_s, rl_s = dpo_loss(lp[1], lp[0], lp[3], lp[2], beta)
        u = rw - rl
        assert (rw_s, rl_s) == (rl, rw)
        assert float(loss_s - loss) == pytest.approx(float(u), abs=1e-9)
        assert loss >= 0
        assert (loss < math.log(2)) == (u > 0) or abs(u) < 1e-12


class TestPpo:
    @pytest.mark.parametrize(
        ("rho", "a", "objective", "grad"),
        [
            (1.5, 2.0, 2.4, 0.0),  # A > 0, rho > 1+eps: clipped, no gradient
            (0.5, 2.0, 1.0, 2.0),  # A > 0, rho < 1-eps: pessimistic, active
            (1.5, -2.0, -3.0, -2.0),  # A < 0, rho > 1+eps: pessimistic, active
            (0.5, -2.0, -1.6, 0.0),  # A < 0, rho < 1-eps: clipped, no gradient
            (1.1, 2.0, 2.2, 2.0),  # in range
        ],
    )
    def test_four_quadrants(self, rho: float, a: float, objective: float, grad: float) -> None:
        assert ppo_clip_objective(rho, a, 0.2) == pytest.approx(objective)
        assert ppo_clip_grad(rho, a, 0.2) == grad
        numeric = central_diff(lambda v: float(ppo_clip_objective(v[0], a, 0.2)), np.array([rho]))
        assert numeric[0] == pytest.approx(grad, abs=1e-7)

    def test_ratio_from_log_probs_and_td_advantage(self) -> None:
        assert ppo_ratio(math.log(0.3), math.log(0.2)) == pytest.approx(1.5)
        assert td_advantage(1.0, 2.0, 3.0, 0.9) == pytest.approx(1.0 + 0.9 * 3.0 - 2.0)

    def test_errors(self) -> None:
        with pytest.raises(ValueError, match="epsilon must lie in"):
            ppo_clip_objective(1.0, 1.0, 0.0)
        with pytest.raises(ValueError, match="ratio must be >= 0"):
            ppo_clip_objective(-1.0, 1.0, 0.2)
        with pytest.raises(ValueError, match="gamma must lie in"):
            td_advantage(0.0, 0.0, 0.0, 1.5)

    @settings(deadline=None, max_examples=60)
    @given(st.floats(0, 3), st.floats(-5, 5), st.sampled_from([0.1, 0.2, 0.3]))
    def test_objective_is_a_pessimistic_bound(self, rho: float, a: float, eps: float) -> None:
        obj = ppo_clip_objective(rho, a, eps)
        assert obj <= rho * a + 1e-12
        assert obj <= np.clip(rho, 1 - eps, 1 + eps) * a + 1e-12


class TestKlRegularised:
    PI_REF = np.array([0.5, 0.3, 0.2])
    R = np.array([0.2, 1.0, -0.5])

    def test_elementwise_objective_and_shaped_rewards(self) -> None:
        assert rlhf_objective(1.0, 0.4, 0.5) == pytest.approx(0.8)
        assert kl_shaped_reward(1.0, math.log(0.4), math.log(0.2), 0.5) == pytest.approx(1 - 0.5 * math.log(2))
        lp = np.log([0.5, 0.4, 0.9])
        lr = np.log([0.4, 0.5, 0.8])
        per_token = token_level_rewards(lp, lr, 1.2, 0.25)
        assert per_token.sum() == pytest.approx(float(kl_shaped_reward(1.2, lp.sum(), lr.sum(), 0.25)))
        assert per_token[0] == pytest.approx(-0.25 * math.log(0.5 / 0.4))

    def test_optimum_closed_form_equals_direct_objective(self) -> None:
        for beta in (0.1, 0.25, 1.0, 2.0):
            pi_star, value = kl_regularized_optimum(self.PI_REF, self.R, beta)
            direct = self.PI_REF * np.exp(self.R / beta)
            np.testing.assert_allclose(pi_star, direct / direct.sum(), rtol=1e-12)
            assert value == pytest.approx(float(expected_rlhf_objective(pi_star, self.PI_REF, self.R, beta)), rel=1e-12)
            # D4 inversion: r = beta ln(pi*/pi_ref) + beta ln Z.
            np.testing.assert_allclose(beta * np.log(pi_star / self.PI_REF) + value, self.R, atol=1e-12)

    def test_beta_limits(self) -> None:
        np.testing.assert_allclose(kl_regularized_optimum(self.PI_REF, self.R, 1e6)[0], self.PI_REF, atol=1e-5)
        np.testing.assert_allclose(kl_regularized_optimum(self.PI_REF, self.R, 1e-4)[0], [0, 1, 0], atol=1e-12)

    @settings(deadline=None, max_examples=40)
    @given(distributions(min_k=3, max_k=3, min_p=0.01), st.sampled_from([0.25, 0.5, 1.0, 2.0]))
    def test_no_policy_beats_the_optimum(self, pi: np.ndarray, beta: float) -> None:
        _, best = kl_regularized_optimum(self.PI_REF, self.R, beta)
        assert expected_rlhf_objective(pi, self.PI_REF, self.R, beta) <= best + 1e-12


def test_ranking_loss_counts_every_pair_once() -> None:
    k = 4
    scores = np.zeros(k)
    # With equal scores every pair contributes ln 2, so the mean is ln 2 whatever the ranking.
    assert ranking_loss(scores, [2, 0, 3, 1]) == pytest.approx(math.log(2))
    assert len(list(combinations(range(k), 2))) == 6
