"""F13: exposure bias: expected correct positions under teacher forcing vs free running."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import exposure_bias
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, draw_probs, fmt, numeric_item

_VOCAB = ("the", "cat", "sat", "down", "up")


class ExposureBias(FamilyParams):
    ask: Annotated[Literal["teacher_forced", "free_running", "exact"], Draw(Choice(options=("teacher_forced", "free_running", "exact")))]
    length: Annotated[int, Draw(Choice(options=(3, 4)))]
    vocab: tuple[str, ...] = _VOCAB


@family(
    "exposure-bias",
    params=ExposureBias,
    summary="A first-order model: expected correct tokens with teacher forcing vs free running, and exact-match probability.",
    topics=("exposure-bias", "teacher-forcing"),
    bloom=("analyze",),
    item_types=("numeric",),
)
def build(p: ExposureBias, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    v = len(p.vocab)
    gold = [int(i) for i in rng.choice(v, p.length, replace=False)]
    start = draw_probs(rng, v, 1.0, min_prob=0.01)
    peak = round(float(rng.uniform(0.55, 0.9)), 2)
    start = np.round(np.where(np.arange(v) == gold[0], peak, start * (1 - peak) / (start.sum() - start[gold[0]])), 2)
    start[gold[0]] = round(1 - start.sum() + start[gold[0]], 2)
    trans = np.array([draw_probs(rng, v, 1.0, min_prob=0.0) for _ in range(v)])
    for a, b in zip(gold, gold[1:]):
        q = round(float(rng.uniform(0.55, 0.9)), 2)
        rest = np.round(trans[a] * (1 - q) / (trans[a].sum() - trans[a][b]), 2)
        rest[b] = 0
        rest[b] = round(1 - rest.sum(), 2)
        trans[a] = rest
    rows_ok = np.all(np.abs(trans.sum(axis=1) - 1) < 1e-9) and abs(start.sum() - 1) < 1e-9
    if not rows_ok or trans.min() < 0 or start.min() < 0:
        raise Reject("a rounded row is not a distribution")
    e_tf, e_fr, exact = (float(x) for x in exposure_bias(start, trans, gold))
    tf = [float(start[gold[0]])] + [float(trans[a][b]) for a, b in zip(gold, gold[1:])]
    cascade = float(np.cumprod(tf).sum())
    # Free-running accuracy at each position: the engine's expected count over growing prefixes, differenced.
    prefix_fr = [float(exposure_bias(start, trans, gold[: t + 1])[1]) for t in range(len(gold))]
    marginals = np.diff([0.0, *prefix_fr])
    names = list(p.vocab)
    head = "| previous \\ next | " + " | ".join(names) + " |\n|---|" + "---:|" * v + "\n"
    rows = "| (start) | " + " | ".join(fmt(x, 2) for x in start) + " |\n" + "\n".join(
        f"| {names[i]} | " + " | ".join(fmt(x, 2) for x in trans[i]) + " |" for i in range(v))
    stem = (f"A first-order model $P(y_t \\mid y_{{t-1}})$ over {v} tokens:\n\n{head}{rows}\n\n"
            "The gold sequence is " + " ".join(f"`{names[g]}`" for g in gold) + ".")
    if p.ask == "teacher_forced":
        key, q = e_tf, "With teacher forcing (each step sees the gold previous token), what is the expected number of positions where the sampled token is the gold one?"
        wrongs = [Wrong(e_fr, "M-EB-EQUAL", "That is the free-running count; with teacher forcing each step sees the gold token."),
                  Wrong(cascade, "M-EB-CASCADE", "Teacher-forced positions are scored independently: sum the gold probabilities.")]
    elif p.ask == "free_running":
        key, q = e_fr, "When the model feeds back its own sampled tokens, what is the expected number of positions that match the gold sequence?"
        wrongs = [Wrong(e_tf, "M-EB-EQUAL", "Teacher-forced accuracy overstates generation: the model conditions on its own samples."),
                  Wrong(cascade, "M-EB-CASCADE", "After an error a later token can still match the gold one.")]
    else:
        key, q = exact, "With what probability does free-running sampling reproduce the gold sequence exactly?"
        wrongs = [Wrong(float(np.prod(marginals)), "M-EB-EXACT-DIFF",
                        "That multiplies the free-running per-position accuracies; an exact match means every step was right, so each step "
                        "conditioned on the gold prefix and the probability is the teacher-forced product in both regimes."),
                  Wrong(e_fr / p.length, "M-EB-EQUAL", "That is the mean per-position accuracy, not the exact-match probability.")]
    expl = ("Teacher forcing: $E_{TF} = " + " + ".join(fmt(x, 2) for x in tf) + f" = {fmt(e_tf, 4)}$. Free running: "
            f"$E_{{FR}} = \\sum_t (sP^{{t-1}})[g_t] = {fmt(e_fr, 4)}$. Exact match in both regimes: $\\prod_t = {fmt(exact, 4)}$. "
            f"The gap {fmt(e_tf - e_fr, 4)} is the cost of exposure bias.")
    return numeric_item(stem + "\n\n" + q, key, wrongs, expl, decimals=3), {"e_tf": e_tf, "e_fr": e_fr, "exact": exact}
