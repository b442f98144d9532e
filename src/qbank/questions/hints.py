"""Hints by topic: what to recall for an item that carries no hint of its own.

A family item's numbers change with every variant, so its hint is the idea or formula the
topic rests on, never a step towards this variant's answer. ``qbank practice`` shows an
item's own ``hint`` first and falls back to :func:`hint_for`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TOPIC_HINTS", "hint_for"]

TOPIC_HINTS: dict[str, str] = {
    "cross-entropy": "With a one-hot target the loss on a token is $-\\ln p_{\\text{gold}}$: only the gold "
                     "token's probability counts, and a higher probability means a lower loss.",
    "training-states": "Work out each state's loss $-\\ln p_{\\text{gold}}$; only the gold token's "
                       "probability enters it.",
    "logit-gradient": "The gradient of the cross-entropy with respect to the logits is $p - y$: "
                      "$p_{\\text{gold}} - 1$ on the gold token and $p_j$ on every other token.",
    "sgd-step": "A step moves the logits by $-\\eta\\,(p - y)$; put the new logits through the softmax "
                "to get the new probabilities.",
    "sft": "Fine-tuning minimises the cross-entropy of every response token given the gold prefix, "
           "summed over the whole dataset, with one set of parameters shared by every prompt.",
    "preamble-effect": "Ask what the loss rewards at the first response token across the whole dataset: "
                       "every example pulls the same shared parameters towards its own first token.",
    "mle": "Maximum likelihood matches the model's probabilities to the frequencies in the training data, "
           "within each context the model can tell apart.",
    "teacher-forcing": "In training every step is conditioned on the gold prefix, never on the model's "
                       "own earlier predictions.",
    "exposure-bias": "At inference the model conditions on its own outputs, which it never did in "
                     "training, so an early mistake changes every later context.",
    "sequence-nll": "A sequence's negative log-likelihood is the sum of $-\\ln p$ of each gold token given "
                    "the gold prefix, the end-of-sequence token included.",
    "perplexity": "Perplexity is $\\exp$ of the mean negative log-likelihood per token, in nats, with the "
                  "tokens of every sequence pooled.",
    "label-smoothing": "The smoothed target mixes the one-hot target with a uniform spread; the stem "
                       "states the convention, so read how it places $\\varepsilon$ before you compute.",
    "temperature": "Temperature divides the logits by $T$ before the softmax: $p_i \\propto e^{z_i / T}$.",
    "top-k": "Keep the $k$ most probable tokens and renormalise them so they sum to one.",
    "top-p": "Sort by probability, keep the smallest set whose cumulative probability reaches $P$, "
             "then renormalise.",
    "decoding": "A sequence's probability is the product of its step probabilities; the best token at "
                "each step need not make the best sequence.",
    "greedy": "Greedy decoding takes the most probable token at each step; compare whole-sequence "
              "probabilities, products of the steps.",
    "sampling": "Sampling draws each token from the model's distribution; a sequence's probability is the "
                "product of its token probabilities.",
    "loss-masking": "Only response tokens enter the loss: prompt and padding tokens are masked, and a mean "
                    "divides by the number of tokens that are kept.",
    "reward-model": "A reward model is trained on pairs: $P(a \\succ b) = \\sigma(r_a - r_b)$, with loss "
                    "$-\\ln \\sigma(r_{\\text{chosen}} - r_{\\text{rejected}})$.",
    "bradley-terry": "$P(a \\succ b) = \\sigma(r_a - r_b) = 1 / (1 + e^{-(r_a - r_b)})$: only the "
                     "difference of the scores matters.",
    "rlhf": "RLHF maximises the expected reward minus $\\beta$ times the KL divergence from the reference "
            "model.",
    "kl-penalty": "$\\mathrm{KL}(\\pi \\,\\|\\, \\pi_{\\text{ref}}) = \\sum_y \\pi(y) \\ln "
                  "\\frac{\\pi(y)}{\\pi_{\\text{ref}}(y)}$, and the penalty subtracts $\\beta$ times it.",
    "ppo": "PPO takes the smaller of $\\rho A$ and $\\text{clip}(\\rho, 1-\\epsilon, 1+\\epsilon)\\,A$, "
           "where $\\rho = \\pi_\\theta / \\pi_{\\text{old}}$.",
    "dpo": "DPO compares how far the policy moved from the reference on the chosen and on the rejected "
           "response: $-\\ln \\sigma(\\beta[\\Delta_{\\text{chosen}} - \\Delta_{\\text{rejected}}])$ with "
           "$\\Delta = \\ln \\pi_\\theta - \\ln \\pi_{\\text{ref}}$.",
    "best-of-n": "Best-of-$n$ returns the highest-reward of $n$ independent samples; the top response is "
                 "missed only if all $n$ samples miss it.",
}


def hint_for(item: Any) -> str | None:
    """The item's own hint, else the hint of its first topic that has one, else None."""
    if item.hint:
        return str(item.hint)
    return next((TOPIC_HINTS[t] for t in item.tags.topics if t in TOPIC_HINTS), None)
