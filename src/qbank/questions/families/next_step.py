"""F04/F05 (seed 3): how one gradient step on the logits changes each token's logit and probability.

Three forms: ``logits`` (single choice on the logit changes, the original seed item),
``statements`` (multiple response on the probability changes, with the D2 sign rule) and
``new_prob`` (numeric: the gold token's probability after the step).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import logit_gradient, remainder_sgd_step
from ..params import Choice, Dirichlet, Fixed, Reject, Remainder, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, fmt, multiple_response_item, numeric_item, option, shuffle, single_choice, tok, token_table, wording_index

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
        for i, *row in zip(idx, probs.tolist(), target.tolist(), new_named.tolist(), new_rest.tolist(), grad.tolist()):
            try:
                out[i] = _render(params[i], rngs[i], *row)
            except Reject as r:
                out[i] = r
    return out


def _render(p: NextStep, rng: np.random.Generator, probs: list[float], target: int, new_named: list[float],
            new_rest: float, grad: list[float]) -> tuple[object, dict[str, object]]:
    names = p.probs.names
    wrong = [i for i in range(len(names)) if i != target]
    top_wrong = max(wrong, key=probs.__getitem__)
    if probs[top_wrong] <= probs[target]:
        raise Reject("the gold token is the argmax")
    remainder = p.probs.remainder
    dp = [a - b for a, b in zip([*new_named, new_rest], [*probs, remainder])]
    if p.form != "logits" and min(abs(x) for x in dp) < 1e-4:
        raise Reject("a probability change is below 1e-4")
    change = [-p.lr * g for g in grad]
    gold, top = tok(p.gold), tok(names[top_wrong])
    rest = f"The remaining {fmt(remainder, 2)} is spread over many tokens, each tiny." if remainder else ""
    intro = (
        f"For *{p.prompt}* the correct first token is {gold}. The model gives:\n\n"
        f"{token_table([('probability', p.probs)])}\n\n{rest}\n\n"
        f"One step of gradient descent with learning rate $\\eta = {p.lr:g}$ is taken on the logits, on the "
        "cross-entropy loss of this prediction."
    )
    data = {"logit_change": dict(zip(names, change)), "new_probs": dict(zip(names, new_named)), "new_remainder": new_rest}
    step_lines = ", ".join(f"{tok(n)}: ${fmt(probs[i], 2)} \\to {fmt(new_named[i], 4)}$" for i, n in enumerate(names))
    d2 = (
        f"With $g = p - e_c$, the step gives $p'_j = p_j e^{{-\\eta g_j}}/S$ with $S = \\sum_k p_k e^{{-\\eta g_k}}$: {step_lines}"
        + (f", the remainder ${fmt(remainder, 2)} \\to {fmt(new_rest, 4)}$" if remainder else "")
        + ". The gold token always gains; a wrong token gains iff $p_j < \\tau_\\eta = -\\ln(S)/\\eta$."
    )
    if p.form == "new_prob":
        wrongs = [
            Wrong(probs[target] + p.lr * (1 - probs[target]), "M-PROP-DOWN",
                  "That adds the logit change $\\eta(1-p_c)$ to the probability; logit changes pass through the softmax."),
            Wrong(probs[target], "M-ONLY-CORRECT-MOVES", "The step does move the probabilities: the gold one rises."),
            Wrong(float(probs[target] * np.exp(p.lr * (1 - probs[target]))), "M-NO-RENORM",
                  "Multiplying by $e^{\\eta(1-p_c)}$ is right, but you must divide by $S$ to renormalise."),
        ]
        expl = d2 + f" So $p'({p.gold}) = {fmt(new_named[target], 4)}$."
        return numeric_item(intro + f"\n\nWhat is the probability of {gold} after the step?", new_named[target], wrongs, expl), data
    if p.form == "statements":
        ups = [i for i in wrong if dp[i] > 0]
        all_down = not ups and dp[-1] < 0 if remainder else not ups
        new_top = new_named.index(max(new_named))  # the first largest, as np.argmax
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
    # from three of about 92, 100 and 105 characters (_WORDINGS): the key's length says nothing.
    fields = {
        "gold": gold, "top": top, "up": fmt(change[target]), "down": fmt(-change[top_wrong]),
        "each": fmt(change[target] / (len(names) - 1)), "x": fmt(p.lr * (1 - probs[top_wrong])), "y": fmt(p.lr * probs[target]),
        "z": fmt(0.0),
    }
    content = f"{p.prompt}|{p.gold}|{p.lr}|" + "|".join(f"{n}:{v:.2f}" for n, v in zip(names, probs))
    options = []
    for k, (wordings, (feedback, misconception)) in enumerate(zip(_WORDINGS, _FEEDBACK)):
        text = wordings[wording_index(content, k, len(wordings))].format_map(fields)
        if misconception is None:
            options.append(option(text=text, correct=True, feedback=feedback))
        else:
            options.append(option(text=text, misconception=misconception, feedback=feedback))
    lines = ", ".join(f"{tok(n)}: ${fmt(change[i])}$" for i, n in enumerate(names))
    explanation = (
        f"With $p = \\mathrm{{softmax}}(z)$ and $L = -\\ln p_{{\\text{{gold}}}}$, $\\partial L/\\partial z = p - \\text{{onehot}}$. "
        f"The step $z' = z - \\eta (p - \\text{{onehot}})$ changes each logit by {lines}. "
        f"{gold} gains $\\eta(1 - p) = {fmt(change[target])}$; each wrong token loses $\\eta p_j$, so {top}, the most probable wrong token, loses the most."
    )
    stem = intro + "\n\nHow will the step change the logits for this prediction?"
    return single_choice({"stem": stem, "options": shuffle(options, rng), "explanation": explanation, "shuffle": True}), data


_WORDINGS = (
    ("The logit of {gold} rises by {up}, and each other logit falls by $\\eta p_j$, {top}'s the most (by {down}).",
     "The logit of {gold} rises by {up}, and each other token's logit falls by $\\eta p_j$, {top}'s the most (by {down}).",
     "The logit of {gold} rises by {up}, and every other token's logit falls by $\\eta p_j$, {top}'s by the most (by {down})."),
    ("The logit of {top} rises by {x} as the top prediction, while the logit of {gold} falls by {y}.",
     "The logit of {top} rises by {x} as the current top prediction, while the logit of {gold} falls by {y}.",
     "The logit of {top} rises by {x}, as it is the current top prediction, while the logit of {gold} falls by {y}."),
    ("Only the logit of {gold} changes, by {up}; the others get no gradient, so {top}'s moves by {z}.",
     "Only the logit of {gold} changes, rising by {up}; the others get no gradient, so {top}'s moves by {z}.",
     "Only the logit of {gold} changes, rising by {up}; the other tokens get no gradient, so {top}'s moves by {z}."),
    ("The logit of {gold} rises by {up}, and every other logit falls by the same amount, {each} each.",
     "The logit of {gold} rises by {up}, and every other token's logit falls by the same amount, {each} each.",
     "The logit of {gold} rises by {up}, and every other token's logit falls by one same amount, {each} for each."),
    ("The logit of {gold} falls by {up}, and each other logit rises by $\\eta p_j$, {top}'s the most (by {down}).",
     "The logit of {gold} falls by {up}, and each other token's logit rises by $\\eta p_j$, {top}'s the most (by {down}).",
     "The logit of {gold} falls by {up}, and every other token's logit rises by $\\eta p_j$, {top}'s by the most (by {down})."),
)
_FEEDBACK = (
    ("Right: the gradient on the logits is $p - \\text{onehot}$, and the step moves against it.", None),
    ("The loss looks only at the gold token; the current argmax gets the largest push *down* here.", "M-ARGMAX-UP"),
    ("Through the softmax every logit gets gradient $p_j$; the wrong ones are pushed down.", "M-ONLY-CORRECT"),
    ("Each wrong logit is pushed down by $\\eta p_j$, in proportion to its own probability.", "M-UNIFORM-PUSH"),
    ("Gradient descent moves *against* the gradient: $z' = z - \\eta (p - \\text{onehot})$.", "M-SIGN-FLIP"),
)
