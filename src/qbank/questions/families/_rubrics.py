"""Rubrics of the open-response families, with their cue patterns.

The patterns are calibrated against hand-graded answers kept as test data
(tests/grader/data); change them together with that calibration.
"""

from __future__ import annotations

from ..rubric import Cap, Criterion, Rubric

__all__ = ["PREAMBLE_RUBRIC"]

# The rubric of CONTENT.md section 3. Cues are case-insensitive regular expressions.
PREAMBLE_RUBRIC = Rubric(
    criteria=(
        Criterion(
            id="C1", title="Token-level decomposition", weight=25,
            description="The loss is a sum of per-token negative log-likelihoods over all examples; the first "
            "response token is its own prediction problem, and the ideal answer adds one term for its first token.",
            cues=(
                r"per[- ]?token", r"each (response )?token", r"token[- ]by[- ]token", r"every token",
                r"sum(med|s)? (of|over) .{0,40}(log|loss|nll|term)", r"log[- ]?likelihood", r"\bnll\b",
                r"cross[- ]?entropy", r"each position", r"(first|next)[- ]token (prediction|probabilit|distribution|term|loss)",
                r"separate (classification|prediction)",
            ),
            # wrong explanation 8 of CONTENT.md: naming cross-entropy while misreading it
            contradictions=(r"only penali[sz]\w* (the )?wrong", r"penali[sz]\w* only (the )?wrong"),
            feedback_met="You explain that the objective is a sum of per-token log-losses, so the first token is its own prediction.",
            feedback_missed="Say how the MLE objective decomposes: a sum of $-\\ln p(y_t \\mid x, y_{<t})$ over every token of every response, so the first token is a separate prediction.",
        ),
        Criterion(
            id="C2", title="Shared parameters aggregate the dataset", weight=25,
            description="One set of parameters serves every prompt; gradients from all examples add up, so many "
            "preamble-initial responses outweigh the single direct one.",
            cues=(
                r"shar(e|ed|es|ing) (the )?(same )?(parameters|weights|model|representation)", r"same (parameters|weights)",
                r"generali[sz]", r"(gradients?|updates?|terms?) (add|sum|accumulate|combine)", r"outnumber|outweigh|outvot|overwhelm|dominat",
                r"(across|over) (the )?(whole |entire )?(data ?set|training (set|data)|examples|prompts)", r"many (other )?(examples|responses)",
            ),
            feedback_met="You explain that shared parameters let the many preamble examples outweigh the one direct answer.",
            feedback_missed="Explain the role of shared parameters: one model serves every prompt, and the gradients of the many preamble examples outweigh the single 'Red' example.",
        ),
        Criterion(
            id="C3", title="MLE matches the aggregate data distribution", weight=20,
            description="The optimum matches the empirical first-token frequencies among contexts the model cannot tell "
            "apart; greedy decoding then picks the mode.",
            cues=(
                r"(match|imitat|reproduc|mimic|fit)\w* (the )?(data|empirical|training|aggregate|average)", r"frequen",
                r"\baverage\b", r"\bmode\b", r"most (likely|probable|common|frequent)", r"greedy", r"empirical", r"\bmajority\b",
            ),
            feedback_met="You say that maximum likelihood reproduces the dataset's first-token frequencies, and decoding picks the mode.",
            feedback_missed="Add that the MLE optimum reproduces the data's first-token frequencies for similar prompts, so the preamble is the most probable first token and greedy decoding emits it.",
        ),
        Criterion(
            id="C4", title="Why the content is still right", weight=15,
            description="Later tokens are conditioned on the prefix and on the prompt, so the correct content follows the preamble.",
            cues=(
                r"condition\w* on", r"teacher[- ]forc", r"still (knows|gets|produces|gives|answers)", r"after (the |emitting |it (says|writes) )?(preamble|of course)",
                r"(content|colou?rs?|answer) (is|are) still", r"continu\w* (is|are|with)", r"prefix",
            ),
            # exposure bias (conditioning on its own outputs) is a wrong explanation, not C4
            contradictions=(r"(its|their) own (outputs?|generations?|errors?|mistakes?|(generated|sampled) tokens)",),
            feedback_met="You explain why the correct colours still follow the preamble.",
            feedback_missed="Explain why the content is still right: after the preamble, later tokens are conditioned on the prompt and the prefix.",
        ),
        Criterion(
            id="C5", title="A prediction or remedy that follows", weight=15,
            description="Rebalance or filter the SFT data, use preference optimisation, upweight with care, or predict the same effect on similar prompts.",
            cues=(
                r"(remov|rebalanc|filter|fewer|rewrit|clean|reduc)\w* .{0,40}(preamble|of course|data)",
                # preference training as a remedy, not "it was trained with RLHF" (wrong explanation 1)
                r"(\bdpo\b|\brlhf\b|preference)\W+(\w+\W+){0,8}?(direct|without (the )?preamble|shorter|pairs|prefer)",
                r"prefer\w* (the )?direct",
                r"up-?weight", r"other (\w+ ){0,3}(prompts|questions|instructions|requests)",
                r"same (effect|preamble|behaviou?r) (should|will|would|to) (appear|show|happen|occur)",
            ),
            contradictions=(r"(lower|reduc|decreas)\w* (the )?(sampling )?temperature",),
            feedback_met="You give a remedy or prediction that follows from the mechanism.",
            feedback_missed="Finish with a consequence: e.g. fewer preambles in the SFT data, or preference data that favours direct answers.",
        ),
    ),
    caps=(Cap(unless=("C1", "C2"), max_score=0.4, reason="Without the per-token, shared-parameter mechanism the answer earns at most 40%."),),
    required_for_full=("C1", "C2", "C3"),
)
