"""Cross-entropy, sequence NLL, perplexity, SFT masking and label smoothing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine_testing import batched_logits, distributions
from qbank.engine import (
    corpus_perplexity,
    cross_entropy,
    cross_entropy_from_logits,
    entropy,
    label_smoothing_loss,
    label_smoothing_min_loss,
    perplexity,
    sequence_nll,
    sft_loss,
    smoothed_target,
    softmax,
)


class TestCrossEntropy:
    def test_is_minus_log_of_the_gold_probability(self) -> None:
        p = [0.35, 0.25, 0.15, 0.10, 0.15]  # last entry: "(all other tokens)"
        assert cross_entropy(p, 1) == pytest.approx(-math.log(0.25), rel=1e-15)
        assert cross_entropy(p, 1) / math.log(2) == pytest.approx(2.0, rel=1e-15)  # bits

    def test_seed_2_values(self) -> None:
        # CONTENT.md F03: L_A = 1.8971 (p_c = .15), L_B = 1.3863 (p_c = .25), dL = 0.5108.
        la = cross_entropy([0.40, 0.15, 0.30, 0.15], 1)
        lb = cross_entropy([0.45, 0.25, 0.20, 0.10], 1)
        assert round(float(la), 4) == 1.8971
        assert round(float(lb), 4) == 1.3863
        assert round(float(la - lb), 4) == 0.5108

    def test_probability_one_gives_zero_and_zero_gives_inf(self) -> None:
        assert cross_entropy([0.0, 1.0], 1) == 0.0
        assert cross_entropy([0.0, 1.0], 0) == np.inf

    def test_batch_with_integer_targets(self) -> None:
        p = np.array([[0.5, 0.5], [0.1, 0.9], [0.8, 0.2]])
        np.testing.assert_allclose(cross_entropy(p, np.array([0, 1, 1])), -np.log([0.5, 0.9, 0.2]), rtol=1e-15)

    def test_from_logits_is_exact_for_huge_logits(self) -> None:
        z = np.array([1e4, -1e4, 0.0])
        assert cross_entropy_from_logits(z, 2) == pytest.approx(1e4, rel=1e-15)
        assert cross_entropy_from_logits(z, 0) == 0.0

    @pytest.mark.parametrize(
        ("probs", "target", "message"),
        [
            ([0.5, 0.6], 0, "probs must sum to 1"),
            ([1.1, -0.1], 0, "probs contains negative"),
            ([0.5, 0.5], 2, r"target out of range: indices must lie in \[0, 2\)"),
            ([0.5, 0.5], -1, "target out of range"),
            ([0.5, 0.5], 1.0, "target must be an integer"),
            ([0.5, 0.5], True, "target must be an integer"),
            ([[0.5, 0.5]], [0, 1], "target has shape"),
        ],
    )
    def test_invalid_inputs_raise(self, probs: object, target: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            cross_entropy(probs, target)

    def test_off_by_1e_9_is_accepted_and_more_is_not_unless_renormalising(self) -> None:
        assert np.isfinite(cross_entropy([0.5, 0.5 + 5e-10], 0))
        with pytest.raises(ValueError, match="renormalize=True"):
            cross_entropy([0.5, 0.5 + 1e-8], 0)
        assert cross_entropy([1.0, 3.0], 0, renormalize=True) == pytest.approx(math.log(4))

    @settings(deadline=None, max_examples=60)
    @given(batched_logits(), st.data())
    def test_is_non_negative_and_agrees_with_logit_form(self, z: np.ndarray, data: st.DataObject) -> None:
        t = data.draw(hnp.arrays(np.int64, z.shape[:-1], elements=st.integers(0, z.shape[-1] - 1)))
        from_logits = cross_entropy_from_logits(z, t)
        assert np.all(from_logits >= 0)
        np.testing.assert_allclose(cross_entropy(softmax(z), t), from_logits, rtol=1e-9, atol=1e-12)


class TestSequences:
    def test_sequence_nll_is_the_sum_and_perplexity_exp_of_the_mean(self) -> None:
        p = np.array([0.5, 0.25, 0.8, 0.9])
        assert sequence_nll(p) == pytest.approx(-np.log(p).sum(), rel=1e-15)
        assert perplexity(p) == pytest.approx(np.exp(-np.log(p).mean()), rel=1e-15)
        assert math.exp(-sequence_nll(p)) == pytest.approx(np.prod(p), rel=1e-12)

    def test_uniform_model_has_perplexity_equal_to_vocabulary_size(self) -> None:
        assert perplexity(np.full(6, 1 / 50_000)) == pytest.approx(50_000, rel=1e-12)
        assert perplexity(np.ones(3)) == 1.0

    def test_mask_excludes_positions_even_with_zero_probability(self) -> None:
        p = np.array([0.0, 0.1, 0.5, 0.25])
        m = np.array([False, False, True, True])
        assert sequence_nll(p, m) == pytest.approx(-np.log([0.5, 0.25]).sum())
        assert perplexity(p, m) == pytest.approx(math.exp(-np.log([0.5, 0.25]).mean()))

    def test_batch_of_sequences_with_leading_axes(self) -> None:
        p = np.array([[0.5, 0.5, 0.5], [0.1, 1.0, 1.0]])
        np.testing.assert_allclose(sequence_nll(p), [3 * math.log(2), math.log(10)])

    def test_corpus_perplexity_is_token_weighted(self) -> None:
        seqs = [np.array([0.5, 0.5]), np.array([0.1, 0.2, 0.3, 0.4])]
        allp = np.concatenate(seqs)
        assert corpus_perplexity(seqs) == pytest.approx(math.exp(-np.log(allp).mean()), rel=1e-14)
        seq_avg = np.mean([perplexity(s) for s in seqs])  # M-PPL-SEQ-AVG differs
        assert abs(corpus_perplexity(seqs) - seq_avg) > 0.1

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (lambda: sequence_nll([0.5, 1.5]), r"token_probs must lie in \[0, 1\]"),
            (lambda: sequence_nll([0.5, 0.5], [1, 0]), "mask must be a boolean array"),
            (lambda: sequence_nll([0.5, 0.5], [True]), "mask has shape"),
            (lambda: perplexity([0.5, 0.5], [False, False]), "mask keeps no position"),
            (lambda: corpus_perplexity([]), "at least one sequence"),
            (lambda: sequence_nll(0.5), "sequence axis"),
        ],
    )
    def test_invalid_inputs_raise(self, call: object, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            call()  # type: ignore[operator]


class TestSftLoss:
    P = np.array([[0.1, 0.2, 0.9, 0.8, 0.7], [0.3, 0.6, 0.5, 1.0, 1.0]])
    # Sequence 1: 2 prompt tokens, 3 response tokens (last is <eos>). Sequence 2: 1 prompt,
    # 2 response tokens, then padding.
    M = np.array([[False, False, True, True, True], [False, True, True, False, False]])

    def test_reductions(self) -> None:
        nl1 = -np.log([0.9, 0.8, 0.7])
        nl2 = -np.log([0.6, 0.5])
        assert sft_loss(self.P, self.M, "sum") == pytest.approx(nl1.sum() + nl2.sum())
        assert sft_loss(self.P, self.M, "token_mean") == pytest.approx((nl1.sum() + nl2.sum()) / 5)
        assert sft_loss(self.P, self.M, "sequence_mean") == pytest.approx((nl1.mean() + nl2.mean()) / 2)

    def test_errors(self) -> None:
        with pytest.raises(ValueError, match="reduction must be"):
            sft_loss(self.P, self.M, "mean")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="mask is required"):
            sft_loss(self.P, None)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="no position in some sequence"):
            sft_loss(self.P, np.zeros_like(self.M).astype(bool) | [True, False, False, False, False] * np.array([[1], [0]], bool), "sequence_mean")


class TestLabelSmoothing:
    def test_target_follows_the_pytorch_convention(self) -> None:
        np.testing.assert_allclose(smoothed_target(4, 2, 0.1), [0.025, 0.025, 0.925, 0.025])
        q = smoothed_target(5, np.array([0, 4]), 0.2)
        assert q.shape == (2, 5)
        np.testing.assert_allclose(q.sum(axis=-1), 1.0)

    def test_loss_decomposes_into_gold_and_mean_terms(self) -> None:
        p = np.array([0.5, 0.2, 0.2, 0.1])
        eps = 0.1
        direct = -(smoothed_target(4, 0, eps) * np.log(p)).sum()
        formula = (1 - eps) * -np.log(p[0]) + eps * np.mean(-np.log(p))
        assert label_smoothing_loss(p, 0, eps) == pytest.approx(direct, rel=1e-14)
        assert label_smoothing_loss(p, 0, eps) == pytest.approx(formula, rel=1e-14)

    def test_minimum_is_the_entropy_of_the_target_and_positive(self) -> None:
        q = smoothed_target(5, 3, 0.1)
        assert label_smoothing_min_loss(5, 0.1) == pytest.approx(float(entropy(q)), rel=1e-14)
        assert label_smoothing_loss(q, 3, 0.1) == pytest.approx(label_smoothing_min_loss(5, 0.1), rel=1e-14)
        assert q[3] == pytest.approx(1 - 0.1 + 0.1 / 5)
        assert label_smoothing_min_loss(5, 0.1) > 0
        assert label_smoothing_loss([0.0, 1.0], 1, 0.1) == np.inf

    def test_eps_zero_is_plain_cross_entropy(self) -> None:
        p = [0.3, 0.7]
        assert label_smoothing_loss(p, 1, 0.0) == pytest.approx(float(cross_entropy(p, 1)))
        assert label_smoothing_loss([0.0, 1.0], 1, 0.0) == 0.0

    def test_bad_eps_raises(self) -> None:
        with pytest.raises(ValueError, match=r"eps must lie in \[0, 1\]"):
            smoothed_target(4, 0, 1.5)

    @settings(deadline=None, max_examples=40)
    @given(distributions(min_p=0.001), st.floats(0, 1), st.data())
    def test_smoothed_loss_is_at_least_its_minimum(self, p: np.ndarray, eps: float, data: st.DataObject) -> None:
        t = data.draw(st.integers(0, p.size - 1))
        assert label_smoothing_loss(p, t, eps) >= label_smoothing_min_loss(p.size, eps) - 1e-12
