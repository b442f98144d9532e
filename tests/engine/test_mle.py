"""Empirical MLE with shared parameters (D3) and the preamble simulation of CONTENT.md section 4."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from qbank.engine import empirical_mle, first_token, fit_first_token_model, preamble_dataset, prompt_type

COLORS = "List the primary colors"
DATA = preamble_dataset()


class TestEmpiricalMle:
    def test_normalises_counts_per_class(self) -> None:
        np.testing.assert_allclose(empirical_mle([[9, 1, 1, 1], [2, 2, 0, 0]]), [[0.75, 1 / 12, 1 / 12, 1 / 12], [0.5, 0.5, 0, 0]])

    @pytest.mark.parametrize(("w", "of", "red"), [(5, 0.563, 0.313), (9, 0.45, 0.45), (10, 0.429, 0.476), (20, 0.290, 0.645)])
    def test_weighted_colors_example_under_m1(self, w: float, of: float, red: float) -> None:
        # "list" counts Of 9, Sure 1, Here 1, Red 1 with the Red example weighted w:
        # p(Red) = w/(11+w), p(Of) = 9/(11+w) (CONTENT.md section 4).
        q = empirical_mle([9, 1, 1, w])
        # 9/16 = 0.5625 is published rounded half-up as 0.563, hence the half-unit tolerance.
        assert (q[0], q[3]) == (pytest.approx(of, abs=5e-4 + 1e-9), pytest.approx(red, abs=5e-4 + 1e-9))

    def test_errors(self) -> None:
        with pytest.raises(ValueError, match="counts must be >= 0"):
            empirical_mle([1, -1])
        with pytest.raises(ValueError, match="total 0"):
            empirical_mle([[0, 0], [1, 0]])


class TestDataset:
    def test_matches_the_published_counts(self) -> None:
        assert len(DATA) == 40
        assert Counter(prompt_type(p) for p, _ in DATA) == {"list": 12, "what": 10, "explain": 10, "translate": 8}
        assert Counter(first_token(r) for _, r in DATA) == {"Of": 27, "Sure": 7, "Here": 2, "The": 2, "Red": 1, "J'": 1}
        assert Counter(first_token(r) for p, r in DATA if prompt_type(p) == "list") == {"Of": 9, "Sure": 1, "Here": 1, "Red": 1}
        assert [p for p, r in DATA if first_token(r) == "Red"] == [COLORS]

    def test_first_token_keeps_apostrophes_distinct(self) -> None:
        assert first_token("J'ai un chien.") == "J'"
        assert first_token("J\u2019ai un chien.") == "J\u2019"
        assert first_token("Of course!") == "Of"
        with pytest.raises(ValueError, match="does not start with a word"):
            first_token("!!")


class TestPreambleSimulation:
    def test_m0_context_free_converges_to_the_marginal(self) -> None:
        fit = fit_first_token_model(DATA, features="context_free", steps=2000)
        assert round(fit.prob(COLORS, "Of"), 3) == 0.675
        assert round(fit.prob(COLORS, "Red"), 3) == 0.025
        assert fit.prob(COLORS, "Of") == pytest.approx(27 / 40, abs=1e-12)  # GD to 1e-16, as published

    def test_m1_per_type_after_20k_steps(self) -> None:
        fit = fit_first_token_model(DATA, features="prompt_type", steps=20_000)
        # CONTENT.md: GD 20k steps gives 0.75001 / 0.08324; the MLE is 0.750 / 0.0833.
        assert round(fit.prob(COLORS, "Of"), 5) == 0.75001
        assert round(fit.prob(COLORS, "Red"), 5) == 0.08324
        assert max(fit.tokens, key=lambda t: fit.prob(COLORS, t)) == "Of"

    def test_m1_with_the_colors_example_weighted_10_flips_greedy_to_red(self) -> None:
        w = np.ones(len(DATA))
        w[0] = 10.0
        fit = fit_first_token_model(DATA, features="prompt_type", steps=20_000, weights=w)
        assert (round(fit.prob(COLORS, "Of"), 3), round(fit.prob(COLORS, "Red"), 3)) == (0.429, 0.476)

    def test_first_step_gradient_lowers_red_even_for_the_colors_prompt(self) -> None:
        fit = fit_first_token_model(DATA, features="context_free", steps=1, lr=1.0)
        grad = dict(zip(fit.tokens, -fit.bias))  # b_1 = 0 - lr * grad
        assert round(grad["Of"], 3) == -0.508
        assert round(grad["Red"], 3) == 0.142
        own_pull = (1 / 6 - 1) / 40
        assert round(own_pull, 3) == -0.021
        assert fit.prob(COLORS, "Red") < 1 / 6

    def test_m2_learns_the_preamble_first_then_memorises_without_regularisation(self) -> None:
        steps = [1, 3, 10, 30, 100, 1000]
        fit = fit_first_token_model(DATA, features="bag_of_words", steps=1000, l2=0.0, checkpoints=steps)
        of = {s: fit.prob(COLORS, "Of", s) for s in steps}
        red = {s: fit.prob(COLORS, "Red", s) for s in steps}
        peak = max(steps, key=of.__getitem__)
        assert peak in (10, 30) and of[peak] > 0.6  # the shared preamble is learned first
        assert red[10] < 1 / 6  # Red falls below its initial 1/6
        assert red[1000] > 0.9 and of[1000] < 0.05  # then the lone example is memorised

    def test_m2_with_weight_decay_settles_at_the_preamble(self) -> None:
        fit = fit_first_token_model(DATA, features="bag_of_words", steps=3000, l2=0.1, checkpoints=[1000, 3000])
        assert fit.prob(COLORS, "Of", 1000) > 0.6 and fit.prob(COLORS, "Red", 1000) < 0.1
        assert fit.prob(COLORS, "Of", 3000) == pytest.approx(fit.prob(COLORS, "Of", 1000), abs=1e-3)

    def test_unseen_prompts_and_tokens(self) -> None:
        fit = fit_first_token_model(DATA, features="bag_of_words", steps=5)
        assert fit.prob("Zzz qqq", "Nope") == 0.0
        np.testing.assert_allclose(fit.probs("Zzz qqq"), fit.probs("Zzz qqq").sum() * np.exp(fit.bias) / np.exp(fit.bias).sum())
        with pytest.raises(ValueError, match="step 7 was not recorded"):
            fit.probs(COLORS, step=7)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"features": "deep"}, "features must be"),
            ({"lr": 0.0}, "lr must be > 0"),
            ({"l2": -1.0}, "l2 must be >= 0"),
            ({"steps": -1}, "steps must be >= 0"),
            ({"weights": [1.0, 2.0]}, "weights must be 40"),
        ],
    )
    def test_errors(self, kwargs: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            fit_first_token_model(DATA, **kwargs)

    def test_empty_dataset_raises(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            fit_first_token_model([])
