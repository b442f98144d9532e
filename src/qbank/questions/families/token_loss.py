"""F01: the cross-entropy loss on one token, from probabilities or from logits, in nats or bits."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import cross_entropy, cross_entropy_from_logits, entropy
from ..params import Choice, Dirichlet, Remainder, TokenDistribution
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item, pick_gold, tok, token_table

_TOKENS = ("Paris", "Lyon", "the", "a", "Marseille")


class TokenLoss(FamilyParams):
    prompt: str = "The capital of France is"
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
    names = p.probs.names
    c = pick_gold(p.probs, p.gold_is_argmax, rng)
    gold = tok(names[c])
    scale = np.log(2) if p.unit == "bits" else 1.0
    log = "\\log_2" if p.unit == "bits" else "\\ln"
    if p.given == "logits":
        # The stem shows logits to 2 decimals; every number is computed from those shown values.
        full = np.append(p.probs.probs, p.probs.remainder) if p.probs.remainder else np.array(p.probs.probs)
        z = np.round(np.log(full) - np.log(full).mean(), 2)
        shown_names = names + (["(one other token)"] if p.probs.remainder else [])
        table = "| token | logit |\n|---|---:|\n" + "\n".join(f"| {tok(n) if i < len(names) else n} | {fmt(v, 2)} |" for i, (n, v) in enumerate(zip(shown_names, z)))
        q = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        loss = float(cross_entropy_from_logits(z, c)) / scale
        intro = f"For the prompt *{p.prompt}* the gold next token is {gold}. The model's logits over the whole vocabulary are:\n\n{table}"
        how = f"$L = \\mathrm{{logsumexp}}(z) - z_c = {fmt(float(cross_entropy_from_logits(z, c)), 4)}$ nats"
    else:
        q = np.append(p.probs.probs, p.probs.remainder)
        loss = float(cross_entropy(q, c)) / scale
        intro = f"For the prompt *{p.prompt}* the gold next token is {gold}. The model's next-token distribution is:\n\n{token_table([('probability', p.probs)])}"
        how = f"$L = -{log} p({names[c]}) = -{log} {fmt(q[c], 2)}$"
    pc, top = float(q[c]), float(q[: len(names)].max())
    unit_word = "bits (log base 2)" if p.unit == "bits" else "nats (natural log)"
    wrongs = [
        Wrong(-np.log(top) / scale, "M-ARGMAX-PROB", "That is the loss of the model's top token; the loss uses the gold token's probability."),
        Wrong(-np.log10(pc), "M-LOG-BASE10", f"That uses $\\log_{{10}}$; the stem asks for {p.unit}."),
        Wrong(np.log(pc) / scale, "M-NO-NEG", "A log-probability is negative; the loss is its negation."),
        Wrong(1 - pc, "M-PROB-AS-LOSS", "$1 - p$ is not the cross-entropy; the loss is $-\\log p$."),
        Wrong(float(entropy(q)) / scale, "M-ENTROPY", "That is the entropy of the model's distribution, not the cross-entropy with the one-hot target."),
    ]
    stem = f"{intro}\n\nWhat is the training (cross-entropy) loss for this token, in {unit_word}?"
    explanation = f"With a one-hot target only the gold token counts: {how} = {fmt(loss, 3)}" + (
        f" (the softmax of the logits gives $p({names[c]}) = {fmt(pc, 4)}$)." if p.given == "logits" else ".")
    return numeric_item(stem, loss, wrongs, explanation), {"loss": loss, "gold": names[c]}
