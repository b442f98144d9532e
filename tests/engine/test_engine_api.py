"""The public surface of qbank.engine: names, docstrings, conventions."""

from __future__ import annotations

import inspect

import qbank.engine as engine

PUBLIC = {
    "softmax", "log_softmax", "logsumexp", "logits_from_probs",
    "cross_entropy", "cross_entropy_from_logits", "sequence_nll", "perplexity", "corpus_perplexity",
    "sft_loss", "smoothed_target", "label_smoothing_loss", "label_smoothing_min_loss",
    "logit_gradient", "softmax_cross_entropy_grad", "sgd_step", "probability_change",
    "probability_change_signs", "change_threshold", "small_step_threshold", "SIGN_TOL",
    "largest_remainder_round", "expand_remainder", "remainder_logit_gradient", "remainder_sgd_step",
    "apply_temperature", "top_k", "top_p", "top_p_mask", "top_p_size", "renormalize_subset",
    "nucleus_remainder_count", "TOP_P_TOL",
    "Tree", "sequence_probabilities", "greedy_sequence", "most_probable_sequence", "exposure_bias",
    "constant_tail_entropy", "entropy", "kl_divergence",
    "sigmoid", "softplus", "bradley_terry", "reward_model_loss", "reward_model_loss_grad",
    "ranking_loss", "ranking_loss_grad", "dpo_loss", "dpo_loss_grad", "ppo_ratio",
    "ppo_clip_objective", "ppo_clip_grad", "td_advantage", "rlhf_objective", "kl_shaped_reward",
    "token_level_rewards", "expected_rlhf_objective", "kl_regularized_optimum",
    "best_of_n", "best_of_n_kl", "best_of_n_kl_bound",
    "empirical_mle", "first_token", "prompt_type", "preamble_dataset", "FirstTokenFit",
    "fit_first_token_model",
    "group_advantages", "grpo_objective", "kl_estimators", "kl_estimator_moments", "beam_search",
    "quadratic_loss", "quadratic_gd_step", "stable_lr_limit", "top1_accuracy",
    "fit_bradley_terry_weight", "implicit_reward", "log_partition",
}  # fmt: skip


def test_all_pins_the_public_names() -> None:
    assert set(engine.__all__) == PUBLIC
    assert len(engine.__all__) == len(PUBLIC)
    for name in PUBLIC:
        assert hasattr(engine, name), name


def test_every_public_function_documents_formula_and_users() -> None:
    for name in engine.__all__:
        obj = getattr(engine, name)
        if not inspect.isfunction(obj) or name in {"first_token", "prompt_type", "preamble_dataset"}:
            continue
        doc = inspect.getdoc(obj) or ""
        assert "Formula:" in doc and ":math:" in doc, f"{name} lacks a one-line LaTeX formula"
        assert "Used by:" in doc, f"{name} does not say which families use it"


def test_engine_imports_nothing_from_the_rest_of_qbank() -> None:
    import pathlib
    import re

    root = pathlib.Path(engine.__file__).parent
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+qbank", text, re.M), path.name
