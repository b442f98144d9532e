"""qbank.engine: the NumPy maths behind every key, distractor and worked solution.

Pure functions over float64 arrays; every function accepts one example or a batch
(leading axes), with the vocabulary / response set on the last axis. Module map:

* ``softmax``: softmax, log_softmax, logsumexp, logits_from_probs
* ``losses``: cross-entropy, sequence NLL, perplexity, SFT masking, label smoothing
* ``gradients``: logit gradient, fused softmax+CE+grad, SGD step and the sign rule
* ``distributions``: largest-remainder rounding and the "(all other tokens)" bucket
* ``decoding``: temperature, top-k, top-p
* ``sequences``: greedy vs most probable sequence on a tree, exposure bias
* ``information``: entropy (also of a vector with a constant tail), KL divergence
* ``preference``: Bradley-Terry, ranking loss, DPO, PPO, KL-regularised RLHF
* ``best_of_n``: best-of-n distribution, expected reward and KL
* ``mle``: empirical MLE, the first-token preamble simulation
* ``grpo``: group-relative advantages and the GRPO objective
* ``kl_estimators``: the k1, k2, k3 estimators of KL and their exact moments
* ``beam``: beam search on a probability tree
* ``optim``: a gradient step on a quadratic loss, the stable learning-rate limit
* ``evaluation``: top-1 accuracy (next to perplexity)
* ``preference_fit``: Bradley-Terry fit on one feature, DPO's implicit reward, ln Z

Modules whose names start with an underscore are internal.
"""

from .beam import beam_search
from .best_of_n import best_of_n, best_of_n_kl, best_of_n_kl_bound
from .decoding import (
    TOP_P_TOL,
    apply_temperature,
    nucleus_remainder_count,
    renormalize_subset,
    top_k,
    top_p,
    top_p_mask,
    top_p_size,
)
from .distributions import expand_remainder, largest_remainder_round, remainder_logit_gradient, remainder_sgd_step
from .gradients import (
    SIGN_TOL,
    change_threshold,
    logit_gradient,
    probability_change,
    probability_change_signs,
    sgd_step,
    small_step_threshold,
    softmax_cross_entropy_grad,
)
from .evaluation import top1_accuracy
from .grpo import group_advantages, grpo_objective
from .information import constant_tail_entropy, entropy, kl_divergence
from .kl_estimators import kl_estimator_moments, kl_estimators
from .losses import (
    corpus_perplexity,
    cross_entropy,
    cross_entropy_from_logits,
    label_smoothing_loss,
    label_smoothing_min_loss,
    perplexity,
    sequence_nll,
    sft_loss,
    smoothed_target,
)
from .optim import quadratic_gd_step, quadratic_loss, stable_lr_limit
from .preference_fit import fit_bradley_terry_weight, implicit_reward, log_partition
from .mle import FirstTokenFit, empirical_mle, first_token, fit_first_token_model, preamble_dataset, prompt_type
from .preference import (
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
    sigmoid,
    softplus,
    td_advantage,
    token_level_rewards,
)
from .sequences import Tree, exposure_bias, greedy_sequence, most_probable_sequence, sequence_probabilities
from .softmax import log_softmax, logits_from_probs, logsumexp, softmax

__all__ = [
    # softmax
    "softmax",
    "log_softmax",
    "logsumexp",
    "logits_from_probs",
    # losses
    "cross_entropy",
    "cross_entropy_from_logits",
    "sequence_nll",
    "perplexity",
    "corpus_perplexity",
    "sft_loss",
    "smoothed_target",
    "label_smoothing_loss",
    "label_smoothing_min_loss",
    # gradients
    "logit_gradient",
    "softmax_cross_entropy_grad",
    "sgd_step",
    "probability_change",
    "probability_change_signs",
    "change_threshold",
    "small_step_threshold",
    "SIGN_TOL",
    # distributions
    "largest_remainder_round",
    "expand_remainder",
    "remainder_logit_gradient",
    "remainder_sgd_step",
    # decoding
    "apply_temperature",
    "top_k",
    "top_p",
    "top_p_mask",
    "top_p_size",
    "renormalize_subset",
    "nucleus_remainder_count",
    "TOP_P_TOL",
    # sequences
    "Tree",
    "sequence_probabilities",
    "greedy_sequence",
    "most_probable_sequence",
    "exposure_bias",
    # information
    "constant_tail_entropy",
    "entropy",
    "kl_divergence",
    # preference
    "sigmoid",
    "softplus",
    "bradley_terry",
    "reward_model_loss",
    "reward_model_loss_grad",
    "ranking_loss",
    "ranking_loss_grad",
    "dpo_loss",
    "dpo_loss_grad",
    "ppo_ratio",
    "ppo_clip_objective",
    "ppo_clip_grad",
    "td_advantage",
    "rlhf_objective",
    "kl_shaped_reward",
    "token_level_rewards",
    "expected_rlhf_objective",
    "kl_regularized_optimum",
    # best of n
    "best_of_n",
    "best_of_n_kl",
    "best_of_n_kl_bound",
    # mle
    "empirical_mle",
    "first_token",
    "prompt_type",
    "preamble_dataset",
    "FirstTokenFit",
    "fit_first_token_model",
    # grpo, kl estimators
    "group_advantages",
    "grpo_objective",
    "kl_estimators",
    "kl_estimator_moments",
    # beam search
    "beam_search",
    # optimisation
    "quadratic_loss",
    "quadratic_gd_step",
    "stable_lr_limit",
    # evaluation
    "top1_accuracy",
    # preference data and implicit rewards
    "fit_bradley_terry_weight",
    "implicit_reward",
    "log_partition",
]
