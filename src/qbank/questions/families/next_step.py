"""F05-style (seed 3): how one gradient step on the logits changes each token."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from ..items import Option, SingleChoiceContent
from ..params import Choice, Dirichlet, Reject, Remainder, TokenDistribution
from . import Draw, FamilyParams, family
from ._common import fmt, shuffle, tok, token_table
from ._maths import logit_gradient

_TOKENS = ("Je", "J'", "Le", "Mon")


class NextStep(FamilyParams):
    prompt: str = "Translate to French: I love to learn."
    gold: str = "J'"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.05, high=0.3)))]
    lr: Annotated[float, Draw(Choice(options=(0.1, 0.5, 1.0)))]


@family(
    "next-step",
    params=NextStep,
    summary="Which way does one gradient step move each token's logit, given p and the gold token?",
    topics=("logit-gradient", "sgd-step"),
    bloom=("apply",),
    item_types=("single_choice",),
)
def build(p: NextStep, rng: np.random.Generator) -> tuple[SingleChoiceContent, dict[str, object]]:
    names = p.probs.names
    if p.gold not in names:
        raise Reject(f"the gold token {p.gold!r} is not listed")
    probs = np.array(p.probs.probs)
    target = names.index(p.gold)
    grad = logit_gradient(probs, target)  # the listed tokens' entries of p - onehot
    wrong = [i for i in range(len(names)) if i != target]
    top_wrong = max(wrong, key=lambda i: probs[i])
    if probs[top_wrong] <= probs[target]:
        raise Reject("the gold token is the argmax")
    change = -p.lr * grad
    gold, top = tok(p.gold), tok(names[top_wrong])

    options = [
        Option(
            text=f"The logit of {gold} rises (by {fmt(change[target])}), and every other token's logit falls in "
            f"proportion to its own probability, {top}'s the most (by {fmt(-change[top_wrong])}).",
            correct=True,
            feedback="Right: the gradient on the logits is $p - \\text{onehot}$, and the step moves against it.",
        ),
        Option(
            text=f"The logit of {top} rises because it is the model's current top prediction; {gold} is reinforced only once it becomes the argmax.",
            misconception="M-ARGMAX-UP",
            feedback="The loss looks only at the gold token; the current argmax gets the largest push *down* here.",
        ),
        Option(
            text=f"Only the logit of {gold} changes; the other tokens receive no gradient because they are not the target.",
            misconception="M-ONLY-CORRECT",
            feedback="Through the softmax every logit gets gradient $p_j$; the wrong ones are pushed down.",
        ),
        Option(
            text=f"The logit of {gold} rises and every other token's logit falls by the same amount.",
            misconception="M-UNIFORM-PUSH",
            feedback="Each wrong logit is pushed down by $\\eta p_j$, in proportion to its own probability.",
        ),
        Option(
            text=f"The logit of {gold} falls and the others rise, since parameters move along the gradient $p - \\text{{onehot}}$.",
            misconception="M-SIGN-FLIP",
            feedback="Gradient descent moves *against* the gradient: $z' = z - \\eta (p - \\text{onehot})$.",
        ),
    ]
    rest = f" The remaining {fmt(p.probs.remainder, 2)} is spread over many tokens, each tiny." if p.probs.remainder else ""
    stem = (
        f"For *{p.prompt}* the correct first token is {gold}. The model gives:\n\n"
        f"{token_table([('probability', p.probs)])}\n\n{rest.strip()}\n\n"
        f"One step of gradient descent with learning rate $\\eta = {p.lr:g}$ is taken on the cross-entropy loss "
        "for this prediction. How will the step change the logits for this prediction?"
    )
    lines = ", ".join(f"{tok(n)}: ${fmt(change[i])}$" for i, n in enumerate(names))
    explanation = (
        f"With $p = \\mathrm{{softmax}}(z)$ and $L = -\\ln p_{{\\text{{gold}}}}$, $\\partial L/\\partial z = p - \\text{{onehot}}$. "
        f"The step $z' = z - \\eta (p - \\text{{onehot}})$ changes each logit by {lines}. "
        f"{gold} gains $\\eta(1 - p) = {fmt(change[target])}$; each wrong token loses $\\eta p_j$, so {top}, the most probable wrong token, loses the most."
    )
    return SingleChoiceContent(stem=stem, options=shuffle(options, rng), explanation=explanation), {
        "logit_change": {n: float(change[i]) for i, n in enumerate(names)},
    }
