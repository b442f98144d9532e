"""F04/F05 (seed 3): how one gradient step on the logits changes each token's logit and probability.

Three forms: ``logits`` (single choice on the logit changes, the original seed item),
``statements`` (multiple response on the probability changes, with the D2 sign rule) and
``new_prob`` (numeric: the gold token's probability after the step).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import logit_gradient, remainder_sgd_step
from ..items import Option, SingleChoiceContent
from ..params import Choice, Dirichlet, Fixed, Reject, Remainder, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, fmt, multiple_response_item, numeric_item, shuffle, tok, token_table, wording

_TOKENS = ("Je", "J'", "Le", "Mon")


class NextStep(FamilyParams):
    prompt: str = "Translate to French: I love to learn."
    gold: str = "J'"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.05, high=0.3)))]
    lr: Annotated[float, Draw(Choice(options=(0.1, 0.5, 1.0, 2.0)))]
    form: Annotated[Literal["logits", "statements", "new_prob"], Draw(Fixed(value="logits"))]


@family(
    "next-step",
    params=NextStep,
    summary="One gradient step on the logits: which logits and probabilities rise or fall, and by how much?",
    topics=("logit-gradient", "sgd-step"),
    bloom=("apply", "analyze"),
    item_types=("single_choice", "multiple_response", "numeric"),
)
def build(p: NextStep, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    out = build_many([p], [rng])[0]
    if isinstance(out, Reject):
        raise out
    return out


@batch_builder("next-step")
def build_many(params: list[NextStep], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item (or its Reject); the step and the gradients come from one engine call
    each per vocabulary size and learning rate."""
    out: list[object] = [None] * len(params)
    groups: dict[tuple[int, float], list[int]] = {}
    for i, p in enumerate(params):
        if p.gold not in p.probs.tokens:
            out[i] = Reject(f"the gold token {p.gold!r} is not listed")
        else:
            groups.setdefault((len(p.probs.tokens), p.lr), []).append(i)
    for (_, lr), idx in groups.items():
        probs = np.array([params[i].probs.probs for i in idx])
        rest = np.array([params[i].probs.remainder for i in idx])
        target = np.array([params[i].probs.names.index(params[i].gold) for i in idx])
        new_named, new_rest = remainder_sgd_step(probs, rest, target, lr)
        grad = logit_gradient(np.concatenate([probs, rest[:, None]], axis=-1), target)[:, : probs.shape[-1]]
        for k, i in enumerate(idx):
            try:
                out[i] = _render(params[i], rngs[i], probs[k], int(target[k]), new_named[k], float(new_rest[k]), grad[k])
            except Reject as r:
                out[i] = r
    return out


def _render(p: NextStep, rng: np.random.Generator, probs: np.ndarray, target: int, new_named: np.ndarray,
            new_rest: float, grad: np.ndarray) -> tuple[object, dict[str, object]]:
    names = p.probs.names
    wrong = [i for i in range(len(names)) if i != target]
    top_wrong = max(wrong, key=lambda i: probs[i])
    if probs[top_wrong] <= probs[target]:
        raise Reject("the gold token is the argmax")
    change = -p.lr * grad
    gold, top = tok(p.gold), tok(names[top_wrong])
    rest = f"The remaining {fmt(p.probs.remainder, 2)} is spread over many tokens, each tiny." if p.probs.remainder else ""
    intro = (
        f"For *{p.prompt}* the correct first token is {gold}. The model gives:\n\n"
        f"{token_table([('probability', p.probs)])}\n\n{rest}\n\n"
        f"One step of gradient descent with learning rate $\\eta = {p.lr:g}$ is taken on the logits, on the "
        "cross-entropy loss of this prediction."
    )
    dp = np.append(new_named, new_rest) - np.append(probs, p.probs.remainder)
    data = {"logit_change": {n: float(change[i]) for i, n in enumerate(names)},
            "new_probs": {n: float(new_named[i]) for i, n in enumerate(names)}, "new_remainder": new_rest}
    step_lines = ", ".join(f"{tok(n)}: ${fmt(probs[i], 2)} \\to {fmt(new_named[i], 4)}$" for i, n in enumerate(names))
    d2 = (
        f"With $g = p - e_c$, the step gives $p'_j = p_j e^{{-\\eta g_j}}/S$ with $S = \\sum_k p_k e^{{-\\eta g_k}}$: {step_lines}"
        + (f", the remainder ${fmt(p.probs.remainder, 2)} \\to {fmt(new_rest, 4)}$" if p.probs.remainder else "")
        + ". The gold token always gains; a wrong token gains iff $p_j < \\tau_\\eta = -\\ln(S)/\\eta$."
    )
    if p.form == "new_prob":
        if min(abs(dp)) < 1e-4:
            raise Reject("a probability change is below 1e-4")
        wrongs = [
            Wrong(float(probs[target] + p.lr * (1 - probs[target])), "M-PROP-DOWN",
                  "That adds the logit change $\\eta(1-p_c)$ to the probability; logit changes pass through the softmax."),
            Wrong(float(probs[target]), "M-ONLY-CORRECT-MOVES", "The step does move the probabilities: the gold one rises."),
            Wrong(float(probs[target] * np.exp(p.lr * (1 - probs[target]))), "M-NO-RENORM",
                  "Multiplying by $e^{\\eta(1-p_c)}$ is right, but you must divide by $S$ to renormalise."),
        ]
        expl = d2 + f" So $p'({p.gold}) = {fmt(new_named[target], 4)}$."
        return numeric_item(intro + f"\n\nWhat is the probability of {gold} after the step?", float(new_named[target]), wrongs, expl), data
    if p.form == "statements":
        if min(abs(dp)) < 1e-4:
            raise Reject("a probability change is below 1e-4")
        ups = [i for i in wrong if dp[i] > 0]
        all_down = not ups and dp[-1] < 0 if p.probs.remainder else not ups
        new_top = int(np.argmax(new_named))
        statements = [
            (f"The probability of {gold} rises, even though {top} is the current argmax.", True,
             "Right: the gold token always gains after a step.", None),
            (f"The logit of every token except {gold} falls, {top}'s by the most.", True,
             "Right: wrong logits change by $-\\eta p_j$, largest for the most probable wrong token.", None),
            (f"The probability of {top} rises, because the step reinforces the current top prediction.", False,
             "The loss only looks at the gold token; the argmax gets the largest push down.", "M-ARGMAX-UP"),
            (f"Only the probability of {gold} changes.", False,
             "All probabilities share one normaliser, so every one of them moves.", "M-ONLY-CORRECT-MOVES"),
            (f"The probability of {top} falls by exactly $\\eta p = {fmt(p.lr * probs[top_wrong], 3)}$.", False,
             f"$-\\eta p_j$ is the change of the *logit*; the probability changes by {fmt(dp[top_wrong], 4)}.", "M-PROP-DOWN"),
        ]
        if all_down:
            statements.append(("Every probability except the gold token's falls after this step.", True,
                               "Right here: $\\tau_\\eta$ is below every wrong probability, so all of them fall.", None))
        else:
            up = tok(names[ups[0]]) if ups else "the remaining tokens"
            statements.append(("Every probability except the gold token's falls after this step.", False,
                               f"Not here: {up} gains, because one wrong token dominates and the freed mass is shared out.",
                               "M-ALL-WRONG-DOWN"))
        if new_top == target:
            statements.append((f"After this one step {gold} is the most probable token.", True,
                               f"Right: ${fmt(new_named[target], 3)}$ is now the largest.", None))
        stem = intro + "\n\nWhich statements are true? Select all that apply."
        return multiple_response_item(stem, statements, rng, d2, n_options=5), data
    # The same form for every option, each with the step's numbers, and each drawing its wording
    # from three of about 92, 100 and 105 characters: the key's length says nothing.
    up, down = fmt(change[target]), fmt(-change[top_wrong])
    each = fmt(change[target] / (len(names) - 1))
    x, y, z = fmt(p.lr * (1 - probs[top_wrong])), fmt(p.lr * probs[target]), fmt(0.0)
    texts = [
        (f"The logit of {gold} rises by {up}, and each other logit falls by $\\eta p_j$, {top}'s the most (by {down}).",
         f"The logit of {gold} rises by {up}, and each other token's logit falls by $\\eta p_j$, {top}'s the most (by {down}).",
         f"The logit of {gold} rises by {up}, and every other token's logit falls by $\\eta p_j$, {top}'s by the most (by {down})."),
        (f"The logit of {top} rises by {x} as the top prediction, while the logit of {gold} falls by {y}.",
         f"The logit of {top} rises by {x} as the current top prediction, while the logit of {gold} falls by {y}.",
         f"The logit of {top} rises by {x}, as it is the current top prediction, while the logit of {gold} falls by {y}."),
        (f"Only the logit of {gold} changes, by {up}; the others get no gradient, so {top}'s moves by {z}.",
         f"Only the logit of {gold} changes, rising by {up}; the others get no gradient, so {top}'s moves by {z}.",
         f"Only the logit of {gold} changes, rising by {up}; the other tokens get no gradient, so {top}'s moves by {z}."),
        (f"The logit of {gold} rises by {up}, and every other logit falls by the same amount, {each} each.",
         f"The logit of {gold} rises by {up}, and every other token's logit falls by the same amount, {each} each.",
         f"The logit of {gold} rises by {up}, and every other token's logit falls by one same amount, {each} for each."),
        (f"The logit of {gold} falls by {up}, and each other logit rises by $\\eta p_j$, {top}'s the most (by {down}).",
         f"The logit of {gold} falls by {up}, and each other token's logit rises by $\\eta p_j$, {top}'s the most (by {down}).",
         f"The logit of {gold} falls by {up}, and every other token's logit rises by $\\eta p_j$, {top}'s by the most (by {down})."),
    ]
    content = f"{p.prompt}|{p.gold}|{p.lr}|" + "|".join(f"{n}:{v:.2f}" for n, v in zip(names, probs))
    text = [wording(content, k, t) for k, t in enumerate(texts)]
    options = [
        Option(text=text[0], correct=True,
               feedback="Right: the gradient on the logits is $p - \\text{onehot}$, and the step moves against it."),
        Option(text=text[1], misconception="M-ARGMAX-UP",
               feedback="The loss looks only at the gold token; the current argmax gets the largest push *down* here."),
        Option(text=text[2], misconception="M-ONLY-CORRECT",
               feedback="Through the softmax every logit gets gradient $p_j$; the wrong ones are pushed down."),
        Option(text=text[3], misconception="M-UNIFORM-PUSH",
               feedback="Each wrong logit is pushed down by $\\eta p_j$, in proportion to its own probability."),
        Option(text=text[4], misconception="M-SIGN-FLIP",
               feedback="Gradient descent moves *against* the gradient: $z' = z - \\eta (p - \\text{onehot})$."),
    ]
    lines = ", ".join(f"{tok(n)}: ${fmt(change[i])}$" for i, n in enumerate(names))
    explanation = (
        f"With $p = \\mathrm{{softmax}}(z)$ and $L = -\\ln p_{{\\text{{gold}}}}$, $\\partial L/\\partial z = p - \\text{{onehot}}$. "
        f"The step $z' = z - \\eta (p - \\text{{onehot}})$ changes each logit by {lines}. "
        f"{gold} gains $\\eta(1 - p) = {fmt(change[target])}$; each wrong token loses $\\eta p_j$, so {top}, the most probable wrong token, loses the most."
    )
    stem = intro + "\n\nHow will the step change the logits for this prediction?"
    return SingleChoiceContent(stem=stem, options=shuffle(options, rng), explanation=explanation, shuffle=True), data
