"""F04: the gradient of the token loss with respect to every logit (g = p - e_c)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

import numpy as np

from ...engine import remainder_logit_gradient
from ..items import MultipartContent
from ..params import Choice, Dirichlet, Remainder, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, choice_item, distractor_reject, fmt, numeric_part, only, or_reject, pick_gold, tok, token_table, tolerance_note

_TOKENS = ("Je", "J'", "Le", "Mon", "Il")


class LogitGradient(FamilyParams):
    # any listed token may be the gold one, so the prompt must make each of them a true continuation
    # (after "Translate to French: I love to learn." only J' is)
    prompt: str = "Write a sentence in French:"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.05, high=0.3)))]
    gold_is_argmax: Annotated[bool, Draw(Choice(options=(True, False), weights=(1, 2)))]
    remainder_tokens: Annotated[int, Draw(Choice(options=(1, 2, 4, 5, 10)))]
    form: Annotated[Literal["vector", "largest_push"], Draw(Choice(options=("vector", "largest_push")))]


@family(
    "logit-gradient",
    params=LogitGradient,
    summary="dL/dz for every listed token, or which logit gets the largest push and in which direction.",
    topics=("logit-gradient", "cross-entropy"),
    bloom=("apply",),
    item_types=("multipart", "single_choice"),
)
def build(p: LogitGradient, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    return only(build_many([p], [rng]))  # type: ignore[return-value]


@batch_builder("logit-gradient")
def build_many(params: list[LogitGradient], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item; the gradients come from one engine call per vocabulary size and
    remainder split (the gold token is drawn first, as one by one)."""
    gold = [pick_gold(p.probs, p.gold_is_argmax, rng) for p, rng in zip(params, rngs)]
    grads: list[tuple[list[float], float]] = [([], 0.0)] * len(params)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, p in enumerate(params):
        groups.setdefault((len(p.probs.tokens), p.remainder_tokens), []).append(i)
    for (_, n_rest), idx in groups.items():
        g, g_rest = remainder_logit_gradient(
            np.array([params[i].probs.probs for i in idx]), np.array([params[i].probs.remainder for i in idx]),
            np.array([gold[i] for i in idx]), n_rest,
        )
        for i, row, rest in zip(idx, g.tolist(), g_rest.tolist()):
            grads[i] = (row, rest)
    return [or_reject(_render, p, rng, gold[i], *grads[i]) for i, (p, rng) in enumerate(zip(params, rngs))]


def _vector_wrongs(p: LogitGradient, c: int, g: list[float], g_rest: float) -> Iterator[tuple[float, list[tuple[float, str, str]]]]:
    """Each part's key and wrong values (the vector form): the listed tokens, then the remainder's tokens.

    Plain (value, misconception, feedback) tuples: most variants of this form are rejected on
    them, before any Wrong is needed.
    """
    probs = p.probs.probs
    n = len(probs)
    uniform = (1 - probs[c]) / (n - 1) if n > 1 else 0.0  # only the other tokens use it
    for i, pi in enumerate(probs):
        if i == c:
            wrongs = [(1.0 - pi, *_SIGN_FLIP), (-1 / pi, *_PROB_GRAD), (pi * (1 - pi), *_JACOBIAN)]
        else:
            wrongs = [(0.0 - pi, *_SIGN_FLIP), (0.0, *_PROB_GRAD), (pi * (1 - pi), *_JACOBIAN), (0.0, *_ONLY_CORRECT), (uniform, *_UNIFORM)]
        yield g[i], wrongs
    if p.probs.remainder:
        yield g_rest, [(p.probs.remainder, *_REST_UNIFORM), (0.0, *_REST_ONLY_CORRECT)]


_SIGN_FLIP = ("M-SIGN-FLIP", "That is $e_c - p$, the update direction $-g$, not the gradient.")
_PROB_GRAD = ("M-PROB-GRAD", "That is the derivative with respect to the probability, not the logit.")
_JACOBIAN = ("M-JACOBIAN-DIAG", "$p_j(1-p_j)$ is the softmax Jacobian's diagonal, not the loss gradient.")
_ONLY_CORRECT = ("M-ONLY-CORRECT", "Wrong logits get gradient $p_j$ through the softmax.")
_UNIFORM = ("M-UNIFORM-PUSH", "Each wrong logit is pushed in proportion to its own probability.")
_REST_UNIFORM = ("M-UNIFORM-PUSH", "The remainder's aggregate is R; each of its tokens gets R/N.")
_REST_ONLY_CORRECT = ("M-ONLY-CORRECT", "Every wrong logit gets gradient $p_j$, however small.")


def _render(p: LogitGradient, rng: np.random.Generator, c: int, g: list[float], g_rest: float) -> tuple[object, dict[str, object]]:
    names = p.probs.names
    probs = p.probs.probs
    n_rest = p.remainder_tokens
    if p.form != "largest_push":
        # The parts' numbers first: a variant whose distractor the tolerance would accept is
        # rejected before any text is made (as numeric_part would reject it, part by part).
        parts_wrongs = []
        for key, wrongs in _vector_wrongs(p, c, g, g_rest):
            if (reject := distractor_reject(key, wrongs)) is not None:
                raise reject
            parts_wrongs.append((key, wrongs))
    gold = tok(names[c])
    others = "one other token" if n_rest == 1 else f"{n_rest} other tokens"
    spread = (f"The remaining {fmt(p.probs.remainder, 2)} {'is' if n_rest == 1 else 'is spread evenly over'} {others}."
              if p.probs.remainder else "")
    intro = (
        f"For *{p.prompt}* the gold next token is {gold}; the model gives\n\n{token_table([('probability', p.probs)])}\n\n"
        f"{spread}\n\nThe loss is $L = -\\ln p({names[c]})$ with $p = \\mathrm{{softmax}}(z)$."
    )
    explanation = (
        "$\\partial L/\\partial z_j = p_j - [j = c]$: " + ", ".join(f"{tok(n)}: ${fmt(g[i])}$" for i, n in enumerate(names))
        + (f", {'the other token' if n_rest == 1 else f'each of the {n_rest} other tokens'}: ${fmt(g_rest)}$" if p.probs.remainder else "")
        + f". The entries sum to 0; the gold logit gets $p_c - 1 = {fmt(g[c])}$, the largest in size."
    )
    data = {"gradient": dict(zip(names, g)), "gradient_rest_each": g_rest}
    if p.form == "largest_push":
        wrong = [i for i in range(len(names)) if i != c]
        top = max(wrong, key=lambda i: probs[i])
        key = f"The logit of {gold}: its gradient is {fmt(g[c], 2)}, so gradient descent raises it."
        wrongs = [
            Wrong(f"The logit of {tok(names[top])}: its gradient is {fmt(g[top], 2)}, the largest, so gradient descent raises it.", "M-SIGN-FLIP",
                  "A positive gradient means descent *lowers* the logit, and the gold gradient is larger in size."),
            Wrong(f"The logit of {gold}: its gradient is {fmt(g[c], 2)}, so gradient descent lowers it.", "M-SIGN-FLIP",
                  "Descent moves against the gradient: a negative gradient raises the logit."),
            Wrong(f"The logit of {gold}: its gradient is {fmt(-1 / probs[c], 2)} ($-1/p$), so gradient descent raises it.", "M-PROB-GRAD",
                  "$-1/p$ is the derivative with respect to the probability, not the logit."),
            Wrong(f"Every wrong logit is pushed down equally, by {fmt((1 - probs[c]) / (len(names) - 1 + (n_rest if p.probs.remainder else 0)), 3)} each, and {gold} up.", "M-UNIFORM-PUSH",
                  "Each wrong logit is pushed in proportion to its own probability $p_j$."),
            Wrong(f"Only the logit of {gold} gets a gradient ({fmt(g[c], 2)}); the others get none.", "M-ONLY-CORRECT",
                  "Every logit gets gradient $p_j$ through the softmax."),
        ]
        stem = intro + "\n\nWhich logit receives the largest push from one gradient-descent step, and in which direction?"
        return choice_item(stem, key, "Right: $|p_c - 1| = \\sum_{j\\ne c} p_j$ exceeds every wrong $p_j$.", wrongs, rng, explanation), data
    labels = [f"t{i + 1}" for i in range(len(names))]
    parts = [numeric_part(labels[i], f"$\\partial L/\\partial z$ for {tok(n)}", key, [Wrong(*w) for w in wrongs])
             for i, (n, (key, wrongs)) in enumerate(zip(names, parts_wrongs))]
    if p.probs.remainder:
        key, wrongs = parts_wrongs[-1]
        parts.append(numeric_part("rest", f"$\\partial L/\\partial z$ for {'the other token' if n_rest == 1 else f'each one of the {n_rest} other tokens'}",
                                  key, [Wrong(*w) for w in wrongs]))
    stem = intro + "\n\nGive $\\partial L/\\partial z$ for every token below. " + tolerance_note(3) + " (per entry)"
    return MultipartContent(stem=stem, parts=tuple(parts), explanation=explanation), data
