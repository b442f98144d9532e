"""Every distractor names a misconception that CONTENT.md lists for its own family.

The table is CONTENT.md section 2 (each family's "Distractors" list) plus the conceptual
ids of section 5 that belong to the same family; a distractor tagged with another family's
misconception (or a near miss) fails here, with the option or value that carries it.
"""

from __future__ import annotations

import pytest

from qbank.questions import builtin_bank

from family_testing import variants

ALLOWED: dict[str, set[str]] = {
    "token-loss": {"M-ARGMAX-PROB", "M-LOG-BASE10", "M-NO-NEG", "M-PROB-AS-LOSS", "M-ENTROPY"},
    "sequence-nll": {"M-FREE-RUN", "M-MEAN-VS-SUM", "M-PROB-AVG", "M-ARGMAX", "M-EOS"},
    "compare-states": {"M-WRONG-MASS", "M-ACCURACY", "M-LINEAR-DIFF", "M-SIGN", "M-AVG-PROB", "M-LAST-TOKEN"},
    "logit-gradient": {"M-SIGN-FLIP", "M-PROB-GRAD", "M-ONLY-CORRECT", "M-JACOBIAN-DIAG", "M-UNIFORM-PUSH"},
    # F05 also asks about the logit changes (F04's ids) and the unnormalised new probability
    "next-step": {"M-ALL-WRONG-DOWN", "M-ARGMAX-UP", "M-ONLY-CORRECT-MOVES", "M-PROP-DOWN",
                  "M-SIGN-FLIP", "M-ONLY-CORRECT", "M-UNIFORM-PUSH", "M-NO-RENORM"},
    "perplexity": {"M-PPL-NO-MEAN", "M-PPL-ARITH", "M-PPL-SEQ-AVG", "M-PPL-BASE-MIX", "M-PPL-INV-MEANP"},
    "label-smoothing": {"M-LS-K-1", "M-LS-ONLY-TARGET", "M-LS-NOSMOOTH", "M-LS-MIN-ZERO", "M-LS-GRAD-ONEHOT"},
    "temperature": {"M-T-PROB-DIV", "M-T-MULT", "M-T-LINEAR", "M-T-ARGMAX-CHANGE"},
    "temperature-order": {"M-T-PROB-DIV", "M-T-MULT", "M-T-LINEAR", "M-T-ARGMAX-CHANGE"},
    "greedy-vs-sampling": {"M-GREEDY-OPTIMAL", "M-SUM-NOT-PROD", "M-SAMPLING-FIRST", "M-T1-IS-GREEDY"},
    "nucleus": {"M-TOPP-EXCLUSIVE", "M-TOPP-UNSORTED", "M-TOPP-FLOOR", "M-NO-RENORM", "M-TOPK-INCLUDES-TIES"},
    "preamble-mle": {"M-PER-EXAMPLE", "M-UNIFORM", "M-MAJORITY-ONLY", "M-GLOBAL-WHEN-GROUPED", "M-GROUP-WHEN-GLOBAL",
                     "M-SIGN-FLIP"},
    "exposure-bias": {"M-EB-EQUAL", "M-EB-CASCADE", "M-EB-EXACT-DIFF", "M-EB-FIRST-TOKEN"},
    "loss-masking": {"M-MASK-INCLUDE-PROMPT", "M-MASK-DENOM-ALL", "M-MASK-SEQ-MEAN", "M-MASK-TOKEN-MEAN", "M-MASK-NO-EOS"},
    "bradley-terry": {"M-BT-ABS", "M-BT-RATIO", "M-BT-SIGN", "M-BT-LOSS-NOLOG", "M-BT-SCALE"},
    "ranking-loss": {"M-RANK-ADJACENT", "M-RANK-SUM", "M-RANK-TOP-ONLY", "M-RANK-ORDER-FLIP"},
    "kl-rlhf": {"M-KL-SIGN", "M-KL-REVERSE", "M-OPT-NO-REF", "M-OPT-NO-BETA", "M-KL-EVERY-TOKEN-REWARD", "M-KL-BETA-DIR"},
    "ppo-clip": {"M-PPO-NO-MIN", "M-PPO-MAX", "M-PPO-LOGRATIO", "M-PPO-CLIP-PRODUCT", "M-TD-NO-BASELINE", "M-PPO-GRAD-ALWAYS"},
    "dpo": {"M-DPO-NO-REF", "M-DPO-BETA-OUT", "M-DPO-SIGN", "M-DPO-INIT-ZERO", "M-DPO-TOKEN-MEAN"},
    "best-of-n": {"M-BON-AT-LEAST-ONCE", "M-BON-MAX", "M-BON-POWER", "M-BON-LINEAR", "M-BON-KL-LOGN"},
    "preamble-open": set(),
    "preamble-fixes": {"M-FIX-UPWEIGHT", "M-FIX-EPOCHS", "M-FIX-TEMPERATURE", "M-FIX-MASK-PROMPT", "M-FIX-SMOOTHING", "M-FIX-EOS"},
    # F04 as a matching item: the left-over choice is the gold entry under one of F04's misconceptions
    "logit-gradient-match": {"M-SIGN-FLIP", "M-PROB-GRAD", "M-JACOBIAN-DIAG", "M-ONLY-CORRECT"},
    # F20's worked example (a tie on reward) as a multipart item
    "best-of-n-table": {"M-BON-AT-LEAST-ONCE", "M-BON-MAX", "M-BON-POWER", "M-BON-LINEAR"},
    # F12's multiple-choice twin: the eight wrong explanations of CONTENT.md section 3
    "preamble-explain-choice": {"M-PRE-RLHF", "M-PRE-IGNORED", "M-PRE-LENGTH", "M-PRE-MEMORISED", "M-EB-FIRST-TOKEN",
                                "M-PRE-TEMPERATURE", "M-PRE-PRETRAINING", "M-PRE-WRONG-ONLY"},
    "token-gradient-match": {"M-SIGN-FLIP", "M-PROB-GRAD", "M-ONLY-CORRECT", "M-JACOBIAN-DIAG", "M-UNIFORM-PUSH"},
    # issue 15's alignment families (not in CONTENT.md's catalogue; their ids are in misconceptions.py's last block)
    "grpo": {"M-GRPO-NO-SCALE", "M-GRPO-NO-CENTER", "M-GRPO-RAW-REWARD", "M-GRPO-POOLED", "M-GRPO-SUM", "M-GRPO-SCALE",
             "M-GRPO-CRITIC", "M-PPO-NO-MIN", "M-PPO-MAX", "M-PPO-LOGRATIO", "M-PPO-GRAD-ALWAYS"},
    "kl-estimators": {"M-KLEST-RATIO-FLIP", "M-KLEST-SAMPLE-IS-KL", "M-KLEST-MIXUP", "M-KLEST-K2-UNBIASED", "M-KLEST-MEAN-AS-BIAS",
                      "M-KLEST-WRONG-SAMPLER", "M-KLEST-K1-NONNEG", "M-KLEST-K3-ALWAYS-LOWER"},
    "overoptimisation": {"M-BON-KL-LOGN", "M-BON-KL-N", "M-KL-REVERSE", "M-BON-MAX", "M-BON-LINEAR", "M-OVEROPT-PROXY-IS-TRUE",
                         "M-OVEROPT-NO-SELECTION", "M-OVEROPT-MONOTONE"},
    "beam-search": {"M-BEAM-IS-GREEDY", "M-BEAM-OPTIMAL", "M-BEAM-GE-GREEDY", "M-GREEDY-OPTIMAL", "M-SUM-NOT-PROD", "M-SAMPLING-FIRST"},
    "dpo-optimum": {"M-IMPLICIT-NO-Z", "M-IMPLICIT-NO-BETA", "M-IMPLICIT-POLICY-RATIO", "M-IMPLICIT-Z-MATTERS", "M-IMPLICIT-Z-IS-KL",
                    "M-DPO-NO-REF", "M-BT-ABS"},
    "dpo-reference": {"M-DPO-NO-REF", "M-DPO-PUSH-WON", "M-DPO-BETA-OUT", "M-DPO-BETA-NOEFFECT", "M-DPO-INIT-ZERO", "M-DPO-GRAD-STOPS",
                      "M-DPO-BETA-MONOTONE", "M-KL-BETA-DIR"},
    "length-bias": {"M-LEN-NO-SCALE", "M-LEN-ODDS", "M-LEN-LINEAR", "M-LEN-SAME-RATE", "M-LEN-QUALITY", "M-LEN-MORE-DATA"},
    "padding-mask": {"M-MASK-INCLUDE-PAD", "M-MASK-DENOM-PAD", "M-MASK-INCLUDE-PROMPT", "M-MASK-NO-EOS"},
    "lr-too-high": {"M-LR-ALWAYS-DESCENT", "M-LR-NO-SQUARE", "M-LR-HALF-LIMIT", "M-LR-MIN-CURV", "M-LR-MEAN-CURV", "M-LR-BLAME-GRADIENT",
                    "M-SIGN-FLIP"},
    "ppl-vs-accuracy": {"M-PPL-ACC-SAME", "M-PPL-ARGMAX", "M-ACC-CONFIDENCE", "M-PPL-HIGHER-BETTER", "M-PPL-FROM-ACCURACY",
                        "M-PPL-INV-MEANP", "M-PPL-ARITH", "M-PPL-NO-MEAN"},
}

SEEDS = 300


def _tags(item):
    """(misconception, what carries it) for every wrong option, distractor and true/false part."""
    specs = item.parts if item.type == "multipart" else (item,)
    for spec in specs:
        for o in getattr(spec, "options", ()):
            if not o.correct:
                yield o.misconception, o.text
        for d in getattr(spec, "distractors", ()):
            yield d.misconception, getattr(d, "value", getattr(d, "text", getattr(d, "choice", None)))
        if spec.type == "true_false" and spec.misconception:
            yield spec.misconception, spec.prompt if hasattr(spec, "prompt") else spec.stem


def test_every_family_is_in_the_table():
    from qbank.questions.families import all_families

    assert {f.name for f in all_families()} <= set(ALLOWED)


def test_distractors_name_their_own_family_misconceptions(template_id):
    family = builtin_bank()[template_id].family
    if family is None:
        pytest.skip("static item: no family")
    for item in variants(template_id, SEEDS):
        for code, what in _tags(item):
            assert code in ALLOWED[family], f"{item.id}: {what!r} is tagged {code}, not one of {family}'s misconceptions"
