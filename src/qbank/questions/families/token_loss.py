"""F01: the cross-entropy loss on one token, from probabilities or from logits, in nats or bits."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from ...engine import cross_entropy, cross_entropy_from_logits, entropy
from ..params import Choice, Dirichlet, Reject, Remainder, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, fmt, numeric_item, only, or_reject, tok, token_table

_TOKENS = ("Paris", "Lyon", "the", "a", "Marseille")


class TokenLoss(FamilyParams):
    prompt: str = "The capital of France is"
    true_tokens: tuple[str, ...] = Field(
        default=("Paris", "the", "a"),
        description="The listed tokens that continue the prompt truthfully; the gold token is one of them.",
    )
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.0, high=0.3)))]
    gold_is_argmax: Annotated[bool, Draw(Choice(options=(True, False)))]
    unit: Annotated[Literal["nats", "bits"], Draw(Choice(options=("nats", "bits"), weights=(3, 1)))]
    given: Annotated[Literal["probs", "logits"], Draw(Choice(options=("probs", "logits"), weights=(3, 1)))]


@family(
    "token-loss",
    params=TokenLoss,
    summary="The cross-entropy training loss on one next token, from its probabilities or logits.",
    topics=("cross-entropy",),
    bloom=("remember", "apply"),
    item_types=("numeric",),
)
def build(p: TokenLoss, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    return only(build_many([p], [rng]))  # type: ignore[return-value]


def _pick_gold(p: TokenLoss, rng: np.random.Generator) -> int | None:
    """The gold index: the argmax or a uniformly chosen other token, among the tokens that continue
    the prompt truthfully (a training text says "The capital of France is Paris", never "... Marseille");
    None when no listed token fits."""
    probs = p.probs.probs
    top = probs.index(max(probs))  # the first largest, as np.argmax
    true = [i for i, n in enumerate(p.probs.tokens) if n in p.true_tokens]
    if p.gold_is_argmax:
        return top if top in true else None
    others = [i for i in true if i != top]
    return int(others[int(rng.integers(len(others)))]) if others else None


def _prepare(p: TokenLoss, rng: np.random.Generator) -> tuple[int | None, np.ndarray | list[float]]:
    """The gold index (the only use of the generator) and the vector the engine scores:
    logits rounded to the 2 decimals the stem shows, or the probabilities plus remainder."""
    c = _pick_gold(p, rng)
    if p.given == "logits":
        full = np.array([*p.probs.probs, p.probs.remainder] if p.probs.remainder else p.probs.probs)
        return c, np.round(np.log(full) - np.log(full).mean(), 2)
    return c, [*p.probs.probs, p.probs.remainder]


# ln 2, as numpy computes it: a loss in bits is the loss in nats divided by it
_LN2 = float(np.log(2))


@batch_builder("token-loss")
def build_many(params: list[TokenLoss], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item; the losses and entropies of the batch come from one engine call per vector shape,
    and the logarithms of the distractors from one numpy call each."""
    prepared = [_prepare(p, rng) for p, rng in zip(params, rngs)]
    loss_nats = [0.0] * len(params)
    ent = [0.0] * len(params)
    q_all: list[list[float]] = [[]] * len(params)
    groups: dict[tuple[bool, int], list[int]] = {}
    for i, (p, (c, v)) in enumerate(zip(params, prepared)):
        if c is not None:
            groups.setdefault((p.given == "logits", len(v)), []).append(i)
    for (logits, _), idx in groups.items():
        v = np.array([prepared[i][1] for i in idx])
        c = np.array([prepared[i][0] for i in idx])
        if logits:
            losses = cross_entropy_from_logits(v, c)
            e = np.exp(v - v.max(axis=-1, keepdims=True))
            q = e / e.sum(axis=-1, keepdims=True)
        else:
            losses = cross_entropy(v, c)
            q = v
        for i, loss, h, row in zip(idx, losses.tolist(), entropy(q).tolist(), q.tolist()):
            loss_nats[i], ent[i], q_all[i] = loss, h, row
    # the gold token's and the top token's probabilities, and the logarithms the distractors need
    ok = [i for g in groups.values() for i in g]
    pc = [q_all[i][prepared[i][0]] for i in ok]  # type: ignore[index]
    top = [max(q_all[i][: len(params[i].probs.tokens)]) for i in ok]
    logs = dict(zip(ok, zip(np.log(top).tolist(), np.log10(pc).tolist(), np.log(pc).tolist())))
    return [or_reject(_render, p, c, v, q_all[i], loss_nats[i], ent[i], logs[i]) if c is not None
            else Reject(f"no listed token that continues {p.prompt!r} truthfully fits gold_is_argmax={p.gold_is_argmax}")
            for i, (p, (c, v)) in enumerate(zip(params, prepared))]


def _render(p: TokenLoss, c: int, v: np.ndarray | list[float], q: list[float], loss_nats: float, ent: float,
            logs: tuple[float, float, float]) -> tuple[object, dict[str, object]]:
    names = p.probs.names
    gold = tok(names[c])
    bits = p.unit == "bits"
    scale = _LN2 if bits else 1.0
    log = "\\log_2" if bits else "\\ln"
    loss = loss_nats / scale
    ln_top, log10_pc, ln_pc = logs
    if p.given == "logits":
        # The stem shows logits to 2 decimals; every number is computed from those shown values.
        shown_names = names + (["(one other token)"] if p.probs.remainder else [])
        table = "| token | logit |\n|---|---:|\n" + "\n".join(f"| {tok(n) if i < len(names) else n} | {fmt(x, 2)} |" for i, (n, x) in enumerate(zip(shown_names, v.tolist())))  # type: ignore[union-attr]
        intro = f"For the prompt *{p.prompt}* the gold next token is {gold}. The model's logits over the whole vocabulary are:\n\n{table}"
        how = f"$L = \\mathrm{{logsumexp}}(z) - z_c = {fmt(loss_nats, 4)}$ nats"
    else:
        intro = f"For the prompt *{p.prompt}* the gold next token is {gold}. The model's next-token distribution is:\n\n{token_table([('probability', p.probs)])}"
        how = f"$L = -{log} p({names[c]}) = -{log} {fmt(q[c], 2)}$"
    pc = q[c]
    unit_word = "bits (log base 2)" if bits else "nats (natural log)"
    wrongs = [
        Wrong(-ln_top / scale, "M-ARGMAX-PROB", "That is the loss of the model's top token; the loss uses the gold token's probability."),
        Wrong(-log10_pc, "M-LOG-BASE10", _BASE10_FEEDBACK[p.unit]),
        Wrong(ln_pc / scale, "M-NO-NEG", "A log-probability is negative; the loss is its negation."),
        Wrong(1 - pc, "M-PROB-AS-LOSS", "$1 - p$ is not the cross-entropy; the loss is $-\\log p$."),
    ]
    if p.given == "logits" or not p.probs.remainder:
        # With "(all other tokens)" as one row the entropy is not given: the row is many tokens, not one.
        wrongs.append(Wrong(ent / scale, "M-ENTROPY", "That is the entropy of the model's distribution, not the cross-entropy with the one-hot target."))
    stem = f"{intro}\n\nWhat is the training (cross-entropy) loss for this token, in {unit_word}?"
    explanation = f"With a one-hot target only the gold token counts: {how} = {fmt(loss, 3)}" + (
        f" (the softmax of the logits gives $p({names[c]}) = {fmt(pc, 4)}$)." if p.given == "logits" else ".")
    return numeric_item(stem, loss, wrongs, explanation), {"loss": loss, "gold": names[c]}


_BASE10_FEEDBACK = {unit: f"That uses $\\log_{{10}}$; the stem asks for {unit}." for unit in ("nats", "bits")}
