"""F04 as a matching item: pair each token with its entry of dL/dz (g = p - e_c).

The choices are the gradient entries of the named tokens, rounded to the two decimals the
probabilities have, plus one left-over value: what a misconception gives for the gold entry,
drawn from four (``_LEFT_OVERS``: the sign-flipped 1 - p_c, the derivative -1/p_c with respect
to the probability, the Jacobian diagonal p_c(1 - p_c), or 0 as if a logit got no gradient). Drawing
it keeps the left-over from being predictably the largest value, the only positive one or the
longest text. The item records it as a matching distractor with its misconception, so the
grader reports it, and the explanation names it.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np

from ...engine import logit_gradient
from ..items import MatchingContent, MatchingDistractor, letter
from ..params import Choice, Dirichlet, Reject, Remainder, TokenDistribution
from . import Draw, FamilyParams, family
from ._common import fmt, pick_gold, tok, token_table

_TOKENS = ("Je", "J'", "Le", "Mon")
# (misconception, value of the gold entry under it, feedback, what the explanation calls it)
_LEFT_OVERS = (
    ("M-SIGN-FLIP", lambda pc: 1.0 - pc,
     "That is $1 - p_c$, the gold entry with its sign flipped: the update direction $-g$, not the gradient.",
     "$1 - p_c$, the gold entry with its sign flipped (the direction a descent step moves the logit)"),
    ("M-PROB-GRAD", lambda pc: -1.0 / pc,
     "That is $-1/p_c$, the derivative of the loss with respect to the probability, not the logit.",
     "$-1/p_c$, the derivative with respect to the probability instead of the logit"),
    ("M-JACOBIAN-DIAG", lambda pc: pc * (1.0 - pc),
     "That is $p_c(1 - p_c)$, the softmax Jacobian's diagonal, not the gradient of the loss.",
     "$p_c(1 - p_c)$, the softmax Jacobian's diagonal"),
    ("M-ONLY-CORRECT", lambda pc: 0.0,
     "No listed token has a zero gradient: every logit gets $p_j - [j = c]$ through the softmax.",
     "0, as if some logits received no gradient"),
)


class GradientMatching(FamilyParams):
    # any listed token may be the gold one, so the prompt must make each of them a true continuation
    # (after "Translate to French: I love to learn." only J' is)
    prompt: str = "Write a sentence in French:"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.05, high=0.3)))]
    gold_is_argmax: Annotated[bool, Draw(Choice(options=(True, False), weights=(1, 2)))]


@family(
    "logit-gradient-match",
    params=GradientMatching,
    summary="Matching: pair each token with its gradient entry dL/dz; one misconception's gold entry is left over.",
    topics=("logit-gradient", "cross-entropy"),
    bloom=("apply",),
    item_types=("matching",),
)
def build(p: GradientMatching, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    names = p.probs.names
    probs = np.array(p.probs.probs)
    c = pick_gold(p.probs, p.gold_is_argmax, rng)
    # the remainder as one slot: the named tokens' entries do not depend on how it is split
    g = logit_gradient(np.append(probs, p.probs.remainder), c)[: len(names)]
    code, value_of, feedback, called = _LEFT_OVERS[int(rng.integers(len(_LEFT_OVERS)))]
    extra = float(value_of(float(probs[c])))
    values = [*g.tolist(), extra]
    texts = [fmt(v, 2) for v in values]
    if len(set(texts)) < len(texts):
        raise Reject("two gradient entries (or the left-over value) are equal at 2 decimals")
    order = rng.permutation(len(values))  # order[pos] = which value is shown at position pos
    position = {int(v): pos for pos, v in enumerate(order)}
    choices = tuple(texts[int(v)] for v in order)
    answer = tuple(position[i] for i in range(len(names)))
    left_over = letter(position[len(names)]).lower()
    gold = tok(names[c])
    stem = (
        f"For *{p.prompt}* the gold next token is {gold}; the model gives\n\n{token_table([('probability', p.probs)])}\n\n"
        f"The remaining {fmt(p.probs.remainder, 2)} is spread over many tokens, each tiny. The loss is "
        f"$L = -\\ln p({names[c]})$ with $p = \\mathrm{{softmax}}(z)$.\n\n"
        "Match each token to its entry of the gradient $\\partial L/\\partial z$. One value is left over."
    )
    explanation = (
        "$\\partial L/\\partial z_j = p_j - [j = c]$: every wrong token's entry is its own probability, and the gold "
        f"token's is $p_c - 1 = {fmt(g[c], 2)}$. So "
        + ", ".join(f"{tok(n)} ({i + 1}) matches {letter(answer[i]).lower()} ({texts[i]})" for i, n in enumerate(names))
        + f". The left-over value {left_over} ({fmt(extra, 2)}) is {called}."
    )
    content = MatchingContent(stem=stem, prompts=tuple(tok(n) for n in names), choices=choices, answer=answer,
                              scoring="partial", explanation=explanation,
                              distractors=(MatchingDistractor(choice=position[len(names)], misconception=code, feedback=feedback),))
    return content, {"gradient": {n: float(g[i]) for i, n in enumerate(names)}, "left_over": extra}
