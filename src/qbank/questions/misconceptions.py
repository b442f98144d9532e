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
