"""GRPO advantages and objective, the k1/k2/k3 KL estimators, beam search, a gradient step
on a quadratic, top-1 accuracy, a one-feature Bradley-Terry fit and DPO's implicit reward.

Each function is checked against numbers worked by hand (in the comments) and against
brute force: enumeration of outcomes, explicit loops, finite differences.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest

from engine_testing import central_diff
from qbank.engine import (
    beam_search,
    fit_bradley_terry_weight,
    greedy_sequence,
    group_advantages,
    grpo_objective,
    implicit_reward,
    kl_divergence,
    kl_estimator_moments,
    kl_estimators,
    kl_regularized_optimum,
    log_partition,
    most_probable_sequence,
    perplexity,
    quadratic_gd_step,
    quadratic_loss,
    sequence_probabilities,
    stable_lr_limit,
    top1_accuracy,
)

SQRT3 = math.sqrt(3)


class TestGroupAdvantages:
    def test_one_success_in_four(self) -> None:
        # mean 0.25, deviations (0.75, -0.25 x3), variance 0.75/4 = 0.1875, sd = sqrt(3)/4
        a = group_advantages([1.0, 0.0, 0.0, 0.0])
        np.testing.assert_allclose(a, [SQRT3, -1 / SQRT3, -1 / SQRT3, -1 / SQRT3], rtol=1e-12)

    def test_centred_only(self) -> None:
        np.testing.assert_allclose(group_advantages([1.0, 0.0, 0.0, 0.0], scale=False), [0.75, -0.25, -0.25, -0.25])

    def test_shift_and_scale_invariant_zero_mean_unit_spread(self) -> None:
        rng = np.random.default_rng(1)
        r = rng.normal(size=(5, 6))
        a = group_advantages(r)
        np.testing.assert_allclose(group_advantages(3.0 * r + 7.0), a, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(a.mean(axis=-1), 0.0, atol=1e-12)
        np.testing.assert_allclose((a * a).mean(axis=-1), 1.0, rtol=1e-12)
        # each group on its own: the same as normalising row by row in a loop
        for row, arow in zip(r, a):
            mu, sd = row.mean(), math.sqrt(sum((x - row.mean()) ** 2 for x in row) / len(row))
            np.testing.assert_allclose(arow, (row - mu) / sd, rtol=1e-12)

    def test_a_group_with_equal_rewards_carries_no_signal(self) -> None:
        assert group_advantages([[0.7, 0.7, 0.7], [1.0, 0.0, 1.0]])[0].tolist() == [0.0, 0.0, 0.0]

    def test_bad_groups(self) -> None:
        with pytest.raises(ValueError, match="at least 2 responses"):
            group_advantages([1.0])
        with pytest.raises(ValueError, match="finite"):
            group_advantages([1.0, np.inf])


class TestGrpoObjective:
    def test_worked_group(self) -> None:
        # ratios 1.5, 0.5, 1, 1 with eps 0.2 and the advantages above:
        # 1.2 sqrt3 (clipped), 0.8 (-1/sqrt3) (pessimistic clip), -1/sqrt3 twice: mean 0.2/sqrt3
        adv = group_advantages([1.0, 0.0, 0.0, 0.0])
        new = np.log([0.3, 0.1, 0.2, 0.2])
        old = np.log([0.2, 0.2, 0.2, 0.2])
        assert float(grpo_objective(new, old, adv, 0.2)) == pytest.approx(0.2 / SQRT3, rel=1e-12)

    def test_matches_an_explicit_loop_and_the_k3_penalty(self) -> None:
        rng = np.random.default_rng(2)
        new, old, ref = (np.log(rng.uniform(0.05, 0.9, size=(3, 5))) for _ in range(3))
        adv = group_advantages(rng.normal(size=(3, 5)))
        got = grpo_objective(new, old, adv, 0.2, beta=0.1, logp_ref=ref)
        for g in range(3):
            terms = []
            for i in range(5):
                rho = math.exp(new[g, i] - old[g, i])
                clipped = min(max(rho, 0.8), 1.2)
                k3 = math.exp(ref[g, i] - new[g, i]) - 1 - (ref[g, i] - new[g, i])
                terms.append(min(rho * adv[g, i], clipped * adv[g, i]) - 0.1 * k3)
            assert got[g] == pytest.approx(sum(terms) / 5, rel=1e-12)

    def test_needs_the_reference_for_a_kl_penalty(self) -> None:
        with pytest.raises(ValueError, match="logp_ref"):
            grpo_objective([-1.0, -2.0], [-1.0, -2.0], [1.0, -1.0], 0.2, beta=0.1)


class TestKlEstimators:
    # pi = (0.5, 0.5), pi_ref = (0.25, 0.75): l = ln(ref/pi) = (ln 0.5, ln 1.5)
    PI, REF = np.array([0.5, 0.5]), np.array([0.25, 0.75])

    def test_worked_values(self) -> None:
        k1, k2, k3 = kl_estimators(np.log(self.PI), np.log(self.REF))
        np.testing.assert_allclose(k1, [0.693147180560, -0.405465108108], rtol=1e-11)
        np.testing.assert_allclose(k2, [0.240226506959, 0.082200976947], rtol=1e-11)
        np.testing.assert_allclose(k3, [0.193147180560, 0.094534891892], rtol=1e-11)

    def test_worked_moments(self) -> None:
        means, var, kl = kl_estimator_moments(self.PI, self.REF)
        # KL = 0.5 ln 2 + 0.5 ln(2/3) = 0.143841036226; E[k2] = (0.240227 + 0.082201)/2 = 0.161213741953
        # (bias 0.017372705727)
        assert float(kl) == pytest.approx(0.143841036226, rel=1e-11)
        np.testing.assert_allclose(means, [0.143841036226, 0.161213741953, 0.143841036226], rtol=1e-11)
        # two equally likely outcomes: Var = (half the gap)^2: k1 ((0.693147 + 0.405465)/2)^2 = 0.301737,
        # k2 ((0.240227 - 0.082201)/2)^2 = 0.006243, k3 ((0.193147 - 0.094535)/2)^2 = 0.002431
        np.testing.assert_allclose(var, [0.3017372402, 0.006243017034, 0.002431095869], rtol=1e-9)

    def test_k1_and_k3_are_unbiased_and_k3_never_negative_by_enumeration(self) -> None:
        rng = np.random.default_rng(3)
        for _ in range(20):
            p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
            means, var, kl = kl_estimator_moments(p, q)
            assert means[0] == pytest.approx(kl, rel=1e-10) and means[2] == pytest.approx(kl, rel=1e-10)
            assert means[1] != pytest.approx(kl, rel=1e-6)  # k2 is biased
            ks = kl_estimators(np.log(p), np.log(q))
            assert (ks[2] >= 0).all() and (ks[1] >= 0).all()
            # brute force: the same moments from an explicit sum over outcomes
            for j in range(3):
                m = sum(pi * k for pi, k in zip(p, ks[j]))
                assert means[j] == pytest.approx(m, rel=1e-12)
                assert var[j] == pytest.approx(sum(pi * (k - m) ** 2 for pi, k in zip(p, ks[j])), rel=1e-10, abs=1e-300)
            assert float(kl) == pytest.approx(float(kl_divergence(p, q)), rel=1e-15)

    def test_k3_keeps_its_digits_near_the_reference(self) -> None:
        # l = 1e-9: k3 = l^2/2 + l^3/6 = 5.0000000016667e-19, where expm1(l) - l has no digit left
        k3 = kl_estimators(np.array(-1e-9), np.array(0.0))[2]
        assert float(k3) == pytest.approx(5.0000000016667e-19, rel=1e-12)

    def test_bad_inputs(self) -> None:
        with pytest.raises(ValueError, match="log-probability"):
            kl_estimators(0.5, -1.0)
        with pytest.raises(ValueError, match="pi_ref is 0"):
            kl_estimator_moments([0.5, 0.5], [1.0, 0.0])


def _tree(spec: dict) -> dict:
    return {k: (p, None if child is None else _tree(child)) for k, (p, child) in spec.items()}


# Worked by hand in the test below: greedy 0.125 < beam-2 0.144 < MAP 0.15.
TREE = _tree({
    "a": (0.5, {"p": (0.5, {"1": (0.5, None), "2": (0.5, None)}), "q": (0.5, {"1": (0.6, None), "2": (0.4, None)})}),
    "b": (0.4, {"r": (0.9, {"1": (0.3, None), "2": (0.3, None), "3": (0.4, None)}), "s": (0.1, {"1": (1.0, None)})}),
    "c": (0.1, {"t": (1.0, {"1": (1.0, None)})}),
})
# Beam-2 keeps b z and b u (0.175 each) over a x (0.16) and loses greedy's path: 0.0875 < 0.16.
WORSE = _tree({
    "a": (0.4, {"x": (0.4, {"1": (1.0, None)}), "y": (0.3, {"1": (1.0, None)}), "v": (0.3, {"1": (1.0, None)})}),
    "b": (0.35, {"z": (0.5, {"1": (0.5, None), "2": (0.5, None)}), "u": (0.5, {"1": (0.5, None), "2": (0.5, None)})}),
    "c": (0.25, {"w": (1.0, {"1": (1.0, None)})}),
})


def _brute_beam(tree: dict, width: int) -> tuple[tuple[str, ...], float]:
    """Beam search by full enumeration of each depth's prefixes (uniform-depth trees)."""
    paths = sequence_probabilities(tree)
    depth = len(paths[0][0])
    keep = {()}
    for t in range(1, depth + 1):
        prefixes = {}
        for seq, _ in paths:
            if seq[: t - 1] in keep:
                node, prob = tree, 1.0
                for tok in seq[:t]:
                    prob *= node[tok][0]
                    node = node[tok][1]
                prefixes.setdefault(seq[:t], prob)
        ranked = sorted(prefixes.items(), key=lambda kv: -kv[1])  # dict order = listed order on ties
        keep = {s for s, _ in ranked[:width]}
    return max(((s, p) for s, p in paths if s in keep), key=lambda sp: sp[1])


class TestBeamSearch:
    def test_worked_tree(self) -> None:
        assert greedy_sequence(TREE) == (("a", "p", "1"), pytest.approx(0.125))
        assert beam_search(TREE, 2) == (("b", "r", "3"), pytest.approx(0.144))
        assert beam_search(TREE, 3) == (("a", "q", "1"), pytest.approx(0.15))
        assert most_probable_sequence(TREE) == (("a", "q", "1"), pytest.approx(0.15))

    def test_a_wider_beam_can_do_worse_than_greedy(self) -> None:
        assert greedy_sequence(WORSE) == (("a", "x", "1"), pytest.approx(0.16))
        assert beam_search(WORSE, 2) == (("b", "z", "1"), pytest.approx(0.0875))

    def test_width_one_is_greedy_and_full_width_is_map(self) -> None:
        for tree in (TREE, WORSE):
            assert beam_search(tree, 1) == greedy_sequence(tree)
            assert beam_search(tree, len(sequence_probabilities(tree))) == most_probable_sequence(tree)

    def test_agrees_with_enumeration_on_random_trees(self) -> None:
        rng = np.random.default_rng(4)
        for _ in range(40):
            def node(depth: int) -> dict:
                k = int(rng.integers(2, 4))
                p = rng.dirichlet(np.ones(k))
                return {f"t{depth}{i}": (float(p[i]), None if depth == 3 else node(depth + 1)) for i in range(k)}
            tree = node(1)
            for width in (1, 2, 3, 5):
                assert beam_search(tree, width) == _brute_beam(tree, width)

    def test_finished_hypotheses_compete_on_probability(self) -> None:
        # "end" (0.3) finishes at depth 1 and beats every two-token continuation (at most 0.28)
        tree = {"end": (0.3, None), "go": (0.7, {"x": (0.4, None), "y": (0.35, None), "z": (0.25, None)})}
        assert beam_search(tree, 2) == (("end",), 0.3)
        assert beam_search(tree, 1) == (("go", "x"), pytest.approx(0.28))

    def test_bad_width(self) -> None:
        with pytest.raises(ValueError, match="width"):
            beam_search(TREE, 0)


class TestQuadraticStep:
    def test_worked_step_that_raises_the_loss(self) -> None:
        # curvatures (1, 4), start (1, 1), minimum 0: L = 2.5; eta = 0.6 multiplies the distances by
        # 0.4 and -1.4, so L' = (0.16 + 4 * 1.96) / 2 = 4.0; eta = 0.5 (= 2/4) gives (0.25 + 4) / 2 = 2.125
        lam, w, ws = np.array([1.0, 4.0]), np.array([1.0, 1.0]), np.zeros(2)
        assert float(quadratic_loss(w, ws, lam)) == 2.5
        new, loss = quadratic_gd_step(w, ws, lam, 0.6)
        np.testing.assert_allclose(new, [0.4, -1.4])
        assert float(loss) == pytest.approx(4.0)
        assert float(quadratic_gd_step(w, ws, lam, 0.5)[1]) == pytest.approx(2.125)
        assert float(stable_lr_limit(lam)) == 0.5

    def test_the_step_is_minus_lr_times_the_finite_difference_gradient(self) -> None:
        rng = np.random.default_rng(5)
        lam, w, ws = rng.uniform(0.5, 5, 3), rng.normal(size=3), rng.normal(size=3)
        g = central_diff(lambda x: float(quadratic_loss(x, ws, lam)), w)
        new, loss = quadratic_gd_step(w, ws, lam, 0.3)
        np.testing.assert_allclose(new, w - 0.3 * g, rtol=1e-7, atol=1e-9)
        assert float(loss) == pytest.approx(float(quadratic_loss(w - 0.3 * g, ws, lam)), rel=1e-7)

    def test_the_limit_is_where_some_start_first_gets_worse(self) -> None:
        # brute force over a grid of rates and random starts
        rng = np.random.default_rng(6)
        lam, ws = np.array([0.5, 2.0, 3.2]), np.zeros(3)
        starts = np.vstack([rng.normal(size=(200, 3)), np.eye(3)])
        limit = float(stable_lr_limit(lam))
        for eta in np.linspace(0.05, 1.2, 47):
            before = quadratic_loss(starts, np.zeros_like(starts), np.broadcast_to(lam, starts.shape))
            after = quadratic_gd_step(starts, np.zeros_like(starts), np.broadcast_to(lam, starts.shape), float(eta))[1]
            rises = bool((after > before * (1 + 1e-12)).any())
            assert rises == (eta > limit + 1e-12), eta


class TestTop1Accuracy:
    def test_worked_and_with_perplexity(self) -> None:
        # gold at 0, 1, 0; argmaxes 0, 0, 0 (tie at row 3 goes to the first): accuracy 2/3
        probs = np.array([[0.7, 0.2, 0.1], [0.5, 0.3, 0.2], [0.4, 0.4, 0.2]])
        assert float(top1_accuracy(probs, np.array([0, 1, 0]))) == pytest.approx(2 / 3)
        # perplexity of the gold probabilities 0.7, 0.3, 0.4: (0.7 * 0.3 * 0.4)^(-1/3) = 0.084^(-1/3) = 2.28336
        assert float(perplexity([0.7, 0.3, 0.4])) == pytest.approx(2.28336, rel=1e-5)

    def test_batched(self) -> None:
        probs = np.array([[[0.6, 0.4], [0.1, 0.9]], [[0.2, 0.8], [0.3, 0.7]]])
        np.testing.assert_allclose(top1_accuracy(probs, np.array([[0, 1], [0, 0]])), [1.0, 0.0])


class TestBradleyTerryWeight:
    def test_one_kind_of_pair_is_logit_over_the_difference(self) -> None:
        # a preferred 75 times in 100 with d = 2: w = ln(0.75/0.25)/2 = ln 3 / 2 = 0.5493061443
        assert float(fit_bradley_terry_weight([2.0], [75.0], [100.0])) == pytest.approx(math.log(3) / 2, rel=1e-12)

    def test_the_fit_maximises_the_likelihood_by_brute_force(self) -> None:
        d, n, tot = np.array([1.0, 3.0, -2.0]), np.array([6.0, 9.0, 2.0]), np.array([10.0, 12.0, 10.0])
        w = float(fit_bradley_terry_weight(d, n, tot))

        def loglik(x: np.ndarray) -> float:
            z = float(x[0]) * d
            return float((n * -np.logaddexp(0, -z) + (tot - n) * -np.logaddexp(0, z)).sum())

        assert central_diff(loglik, np.array([w]))[0] == pytest.approx(0.0, abs=1e-7)
        grid = np.linspace(w - 1, w + 1, 2001)
        assert max(grid, key=lambda x: loglik(np.array([x]))) == pytest.approx(w, abs=1e-3)

    def test_separable_data_has_no_finite_fit(self) -> None:
        with pytest.raises(ValueError, match="separable"):
            fit_bradley_terry_weight([1.0, 2.0], [5.0, 3.0], [5.0, 3.0])


class TestImplicitReward:
    def test_worked_optimum(self) -> None:
        # ref (0.5, 0.5), rewards (0, ln 3), beta 1: Z = 0.5 + 1.5 = 2, pi* = (0.25, 0.75),
        # implicit rewards ln(0.25/0.5) = -ln 2 and ln(0.75/0.5) = ln 3 - ln 2: r - beta ln Z
        ref, r = np.array([0.5, 0.5]), np.array([0.0, math.log(3)])
        assert float(log_partition(ref, r, 1.0)) == pytest.approx(math.log(2), rel=1e-15)
        star, _ = kl_regularized_optimum(ref, r, 1.0)
        np.testing.assert_allclose(implicit_reward(np.log(star), np.log(ref), 1.0), r - math.log(2), rtol=1e-12, atol=1e-15)

    def test_equals_reward_minus_beta_ln_z_for_any_beta(self) -> None:
        rng = np.random.default_rng(7)
        for beta in (0.1, 0.5, 2.0):
            ref, r = rng.dirichlet(np.ones(4)), rng.uniform(-1, 2, 4)
            star, jstar = kl_regularized_optimum(ref, r, beta)
            lz = float(log_partition(ref, r, beta))
            assert float(jstar) == pytest.approx(beta * lz, rel=1e-12)
            np.testing.assert_allclose(implicit_reward(np.log(star), np.log(ref), beta), r - beta * lz, atol=1e-12)
            # brute force: ln Z as a plain sum
            assert lz == pytest.approx(math.log(sum(a * math.exp(b / beta) for a, b in zip(ref, r))), rel=1e-12)
