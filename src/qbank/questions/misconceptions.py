"""The misconception catalogue: every id a distractor may name, with what it means.

The ids and descriptions follow CONTENT.md section 5 (the glossary). A few ids at the end
name the wrong explanations and remedies of the preamble items (CONTENT.md sections 3 and
F21), which the glossary describes in prose but does not number.
"""

from __future__ import annotations

__all__ = ["MISCONCEPTIONS", "describe", "is_known"]

MISCONCEPTIONS: dict[str, str] = {
    "M-ARGMAX-PROB": "loss uses the model's top token instead of the gold token",
    "M-LOG-BASE10": "wrong log base",
    "M-NO-NEG": "forgets the minus sign",
    "M-PROB-AS-LOSS": "loss = 1 − p",
    "M-ENTROPY": "confuses entropy with cross-entropy",
    "M-FREE-RUN": "conditions on the model's own outputs during training (no teacher forcing)",
    "M-MEAN-VS-SUM": "per-token mean vs sum confusion",
    "M-PROB-AVG": "averages probabilities instead of log-probs",
    "M-ARGMAX": "sums the log of each step's max probability",
    "M-EOS": "omits <eos>",
    "M-ACCURACY": "equates lower loss with a correct argmax",
    "M-WRONG-MASS": "thinks one-hot CE depends on how the wrong mass is spread",
    "M-LINEAR-DIFF": "loss difference = probability difference",
    "M-SIGN": "higher p means higher loss",
    "M-AVG-PROB": "compares mean probabilities, not summed NLL",
    "M-LAST-TOKEN": "compares only the last token",
    "M-SIGN-FLIP": "gradient vs update direction",
    "M-PROB-GRAD": "derivative w.r.t. probability, not logit",
    "M-ONLY-CORRECT": "wrong logits get no gradient",
    "M-JACOBIAN-DIAG": "uses p(1−p)",
    "M-UNIFORM-PUSH": "equal push-down on the wrong logits",
    "M-ALL-WRONG-DOWN": "every wrong probability falls after a step",
    "M-ARGMAX-UP": "the argmax is reinforced",
    "M-ONLY-CORRECT-MOVES": "only p(gold) changes",
    "M-PROP-DOWN": "Δp_j = −ηp_j",
    "M-PPL-NO-MEAN": "exp of the total NLL",
    "M-PPL-ARITH": "mean of 1/p",
    "M-PPL-SEQ-AVG": "averages per-sequence perplexities",
    "M-PPL-BASE-MIX": "2^{nats}",
    "M-PPL-INV-MEANP": "1/mean p",
    "M-LS-K-1": "ε/(K−1) convention",
    "M-LS-ONLY-TARGET": "drops the uniform term",
    "M-LS-NOSMOOTH": "ignores ε",
    "M-LS-MIN-ZERO": "thinks the minimum loss is 0",
    "M-LS-GRAD-ONEHOT": "gradient ignores smoothing",
    "M-T-PROB-DIV": "divides probabilities by T",
    "M-T-MULT": "multiplies logits by T",
    "M-T-LINEAR": "p/T without renormalising",
    "M-GREEDY-OPTIMAL": "greedy = MAP",
    "M-SUM-NOT-PROD": "sequence score as a sum of probabilities",
    "M-SAMPLING-FIRST": "sequence probability = first-step probability",
    "M-TOPP-EXCLUSIVE": "stops before crossing P",
    "M-TOPP-UNSORTED": "accumulates in listed order",
    "M-TOPP-FLOOR": "keeps p ≥ 1−P",
    "M-NO-RENORM": "forgets to renormalise",
    "M-TOPK-INCLUDES-TIES": "keeps every token tied at the k-th value",
    "M-PER-EXAMPLE": "model reproduces each example",
    "M-UNIFORM": "uniform over seen tokens",
    "M-MAJORITY-ONLY": "MLE = mode",
    "M-GLOBAL-WHEN-GROUPED": "uses the global frequency for a model that separates groups",
    "M-GROUP-WHEN-GLOBAL": "uses the group frequency for a model that cannot separate groups",
    "M-EB-EQUAL": "free-running = teacher-forced accuracy",
    "M-EB-CASCADE": "one error dooms the rest",
    "M-MASK-INCLUDE-PROMPT": "prompt tokens in the loss",
    "M-MASK-DENOM-ALL": "divides by all tokens",
    "M-MASK-SEQ-MEAN": "averages per-sequence means when the token mean is asked",
    "M-MASK-TOKEN-MEAN": "takes the token mean when the per-sequence mean is asked",
    "M-MASK-NO-EOS": "drops <eos>",
    "M-BT-ABS": "σ(r_a)",
    "M-BT-RATIO": "r_a/(r_a+r_b)",
    "M-BT-SIGN": "reversed difference",
    "M-BT-LOSS-NOLOG": "1 − σ",
    "M-BT-SCALE": "thinks scaling the scores leaves P unchanged",
    "M-RANK-ADJACENT": "adjacent pairs only",
    "M-RANK-SUM": "sum instead of mean",
    "M-RANK-TOP-ONLY": "pairs with the top response only",
    "M-RANK-ORDER-FLIP": "reversed ranking",
    "M-KL-SIGN": "wrong sign on the KL term",
    "M-KL-REVERSE": "reverse KL",
    "M-OPT-NO-REF": "optimum ignores π_ref",
    "M-OPT-NO-BETA": "optimum ignores β",
    "M-KL-EVERY-TOKEN-REWARD": "RM score added at every token",
    "M-PPO-NO-MIN": "no min",
    "M-PPO-MAX": "max instead of min",
    "M-PPO-LOGRATIO": "log-ratio instead of ratio",
    "M-PPO-CLIP-PRODUCT": "clips ρA",
    "M-TD-NO-BASELINE": "advantage without −V(s)",
    "M-DPO-NO-REF": "drops the reference",
    "M-DPO-BETA-OUT": "β outside the log-sigmoid",
    "M-DPO-SIGN": "reversed margin",
    "M-DPO-INIT-ZERO": "thinks the initial loss is 0",
    "M-DPO-TOKEN-MEAN": "length-normalised log-ratios",
    "M-BON-AT-LEAST-ONCE": "1 − (1−π)^n",
    "M-BON-MAX": "expected reward = max",
    "M-BON-POWER": "π^n, renormalised",
    "M-BON-LINEAR": "n·π",
    "M-BON-KL-LOGN": "KL equals the continuous bound",
    # conceptual-only ids of the glossary
    "M-T-ARGMAX-CHANGE": "a high temperature can make another token the most likely",
    "M-T1-IS-GREEDY": "sampling at T = 1 is deterministic",
    "M-EB-EXACT-DIFF": "exact-match probability under sampling is below the teacher-forced product",
    "M-EB-FIRST-TOKEN": "exposure bias explains a wrong first token",
    "M-KL-BETA-DIR": "a larger β lets the policy move further",
    "M-PPO-GRAD-ALWAYS": "clipping only scales the gradient",
    # the common wrong explanations of the preamble (CONTENT.md section 3) ...
    "M-PRE-RLHF": "blames preference training (RLHF rewarded politeness) in a pure-SFT setting",
    "M-PRE-IGNORED": "thinks the ideal example was ignored or mis-weighted by a bug",
    "M-PRE-LENGTH": "thinks MLE prefers longer answers",
    "M-PRE-MEMORISED": "calls dataset-level aggregation memorisation of one example",
    "M-PRE-TEMPERATURE": "blames a high sampling temperature for a systematic preamble",
    "M-PRE-PRETRAINING": "blames pre-training alone, ignoring that the SFT data reinforces the preamble",
    "M-PRE-WRONG-ONLY": "thinks cross-entropy only penalises wrong tokens, so the preamble is never penalised",
    # ... and the remedies of F21 that do not follow from the mechanism
    "M-FIX-UPWEIGHT": "expects upweighting one example to fix a dataset-level effect reliably",
    "M-FIX-EPOCHS": "expects more epochs on the same data to remove the preamble",
    "M-FIX-TEMPERATURE": "expects a lower temperature to remove the mode rather than reinforce it",
    "M-FIX-MASK-PROMPT": "expects prompt masking to matter when the preamble is in the response",
    "M-FIX-SMOOTHING": "expects label smoothing to concentrate mass on the ideal answer",
    "M-FIX-EOS": "expects excluding <eos> to change the first token",
}


def is_known(misconception: str) -> bool:
    """Is ``misconception`` in the catalogue?"""
    return misconception in MISCONCEPTIONS


def describe(misconception: str) -> str:
    """What the misconception ``misconception`` means.

    Raises:
        KeyError: naming the id, when it is not in the catalogue.
    """
    try:
        return MISCONCEPTIONS[misconception]
    except KeyError:
        raise KeyError(f"unknown misconception {misconception!r}") from None


# ---------------------------------------------------------------------------------------
# Alignment families added for issue 15 (GRPO, KL estimators, over-optimisation, beam
# search, DPO at the optimum and its reference/beta, length bias, padding masks, learning
# rate, perplexity vs accuracy). Kept in one block of its own, after the glossary's ids.
# ---------------------------------------------------------------------------------------
MISCONCEPTIONS.update({
    # GRPO
    "M-GRPO-NO-SCALE": "centres a GRPO reward on the group mean but forgets to divide by the group's spread",
    "M-GRPO-NO-CENTER": "divides a GRPO reward by the group's spread without subtracting the group mean",
    "M-GRPO-RAW-REWARD": "uses the raw reward as GRPO's advantage, with no group baseline",
    "M-GRPO-POOLED": "ranks responses across prompts by raw (or batch-pooled) reward instead of within each group",
    "M-GRPO-SUM": "sums the clipped terms over the group instead of averaging them",
    "M-GRPO-SCALE": "thinks scaling every reward in a group scales the group-normalised advantages",
    "M-GRPO-CRITIC": "thinks GRPO's advantages need a learned value model",
    # KL estimators
    "M-KLEST-RATIO-FLIP": "takes the log-ratio of a KL estimator upside down (ln π/π_ref instead of ln π_ref/π)",
    "M-KLEST-SAMPLE-IS-KL": "thinks one sample's KL estimate equals the KL itself",
    "M-KLEST-MIXUP": "confuses the formulas of the k1, k2 and k3 estimators",
    "M-KLEST-K2-UNBIASED": "thinks the k2 estimator (ℓ²/2) is unbiased",
    "M-KLEST-MEAN-AS-BIAS": "reports an estimator's mean as its bias, without subtracting the true KL",
    "M-KLEST-WRONG-SAMPLER": "averages a KL estimator under the reference instead of the sampling policy",
    "M-KLEST-K1-NONNEG": "thinks a single sample of k1 = -ℓ can never be negative",
    "M-KLEST-K3-ALWAYS-LOWER": "thinks k3 has a lower variance than k1 for every policy and reference",
    # reward over-optimisation (best-of-n)
    "M-BON-KL-N": "takes KL(best-of-n‖π) to be ln n (or above it)",
    "M-OVEROPT-PROXY-IS-TRUE": "reports the proxy (reward-model) score as the true reward",
    "M-OVEROPT-NO-SELECTION": "ignores the selection: takes best-of-n's true reward to be the policy's own",
    "M-OVEROPT-MONOTONE": "thinks optimising harder against a proxy reward always raises the true reward",
    # beam search
    "M-BEAM-IS-GREEDY": "thinks beam search returns what greedy decoding returns",
    "M-BEAM-OPTIMAL": "thinks beam search always returns the most probable sequence",
    "M-BEAM-GE-GREEDY": "thinks a beam always returns a sequence at least as probable as greedy's",
    # DPO at the optimum
    "M-IMPLICIT-NO-Z": "equates DPO's implicit reward with the reward, forgetting the shift β ln Z",
    "M-IMPLICIT-NO-BETA": "uses the log-ratio ln(π/π_ref) as the implicit reward, without β",
    "M-IMPLICIT-POLICY-RATIO": "compares policy probabilities instead of implicit rewards (ignores the reference)",
    "M-IMPLICIT-Z-MATTERS": "thinks β ln Z differs between responses, so DPO must estimate it",
    "M-IMPLICIT-Z-IS-KL": "takes β ln Z for the KL penalty",
    # DPO's reference and β
    "M-DPO-PUSH-WON": "thinks DPO pushes hardest on the pairs it already ranks right",
    "M-DPO-BETA-NOEFFECT": "thinks β cancels out of the DPO loss",
    "M-DPO-GRAD-STOPS": "thinks the DPO gradient vanishes once the margin is positive",
    "M-DPO-BETA-MONOTONE": "thinks a larger β always lowers the DPO loss",
    # length bias
    "M-LEN-NO-SCALE": "forgets to divide the fitted reward gap by the length difference",
    "M-LEN-ODDS": "matches the odds instead of the log-odds of a preference rate",
    "M-LEN-LINEAR": "treats a preference rate as linear in the reward gap",
    "M-LEN-SAME-RATE": "thinks a length-biased reward model prefers longer answers at the data's rate whatever the gap",
    "M-LEN-QUALITY": "reads a length correlation in preferences as proof that longer answers are better",
    "M-LEN-MORE-DATA": "expects more preference data of the same kind to remove a length bias",
    # masking padding
    "M-MASK-INCLUDE-PAD": "counts padding positions in the loss",
    "M-MASK-DENOM-PAD": "divides the masked loss by a count that includes padding",
    # learning rate too high
    "M-LR-ALWAYS-DESCENT": "thinks a gradient step always lowers the loss, whatever the learning rate",
    "M-LR-NO-SQUARE": "applies the per-step factor 1 - ηλ to a quadratic loss without squaring it",
    "M-LR-HALF-LIMIT": "puts the stable learning-rate limit at 1/λ_max (overshooting) instead of 2/λ_max",
    "M-LR-MIN-CURV": "sets the stable learning-rate limit by the smallest curvature",
    "M-LR-MEAN-CURV": "sets the stable learning-rate limit by the average curvature",
    "M-LR-BLAME-GRADIENT": "blames a rising loss on a wrong gradient sign rather than too large a step",
    # perplexity vs accuracy
    "M-PPL-ACC-SAME": "thinks lower perplexity always means higher top-1 accuracy",
    "M-PPL-ARGMAX": "judges perplexity by whether the top-ranked token is right",
    "M-ACC-CONFIDENCE": "judges accuracy by the gold token's probability rather than the top-ranked token",
    "M-PPL-HIGHER-BETTER": "reads both metrics backwards (higher perplexity as better)",
    "M-PPL-FROM-ACCURACY": "derives perplexity from accuracy (1/accuracy)",
})
