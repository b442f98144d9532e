"""Perplexity vs top-1 accuracy: two models on the same text, where the two metrics can disagree."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import perplexity, top1_accuracy
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, choice_item, fmt, numeric_item, tok

_TOKENS = ("the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "it", "was", "red", "big", "and", "then",
           "sun", "hot", "we", "saw", "old", "car", "new", "box")


class PplVsAccuracy(FamilyParams):
    positions: Annotated[int, Draw(Choice(options=(4, 5, 6)))]
    ask: Annotated[Literal["ppl", "compare", "statements"], Draw(Choice(options=("ppl", "compare", "statements")))]


def _model(rng: np.random.Generator, t: int, confident: bool) -> np.ndarray:
    """(T, 3) distributions with the gold token in column 0: confident and sometimes badly wrong, or hedging."""
    rows = []
    miss = int(rng.integers(t))
    for i in range(t):
        if confident:
            top = int(rng.integers(70, 96)) / 100
            gold_top = i != miss
        else:
            top = int(rng.integers(38, 56)) / 100
            gold_top = rng.random() < 0.45
        if gold_top:
            second = int(rng.integers(1, int(round((1 - top) * 100)))) / 100
            rows.append([top, second, round(1 - top - second, 2)])
        else:
            gold = int(rng.integers(1, int(round((1 - top) * 100)))) / 100 if confident else int(rng.integers(20, int(round(top * 100)))) / 100
            rows.append([gold, top, round(1 - top - gold, 2)])
    p = np.array(rows)
    if (p <= 0).any() or (p[:, 1:].max(axis=1) == p[:, 0]).any() or (p[:, 1] == p[:, 2]).any():
        raise Reject("a zero or tied probability")
    return p


@family(
    "ppl-vs-accuracy",
    params=PplVsAccuracy,
    summary="Perplexity vs top-1 accuracy: two models on the same tokens, where the lower-perplexity model need not be the more accurate.",
    topics=("perplexity", "evaluation"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "single_choice", "multiple_response"),
)
@with_hint(
    "Top-one accuracy asks whether the gold token is ranked first; perplexity is $\\exp$ of the mean $-\\ln p(\\text{gold})$ and uses the gold probabilities only."
)
def build(p: PplVsAccuracy, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    t = p.positions
    confident_first = rng.random() < 0.5
    models = {"A": _model(rng, t, confident_first), "B": _model(rng, t, not confident_first)}
    gold = np.zeros(t, dtype=int)
    acc = {m: float(top1_accuracy(v, gold)) for m, v in models.items()}
    ppl = {m: float(perplexity(v[:, 0])) for m, v in models.items()}
    if acc["A"] == acc["B"] or abs(ppl["A"] - ppl["B"]) < 0.05:
        raise Reject("a tie on one metric")
    words = [_TOKENS[int(i)] for i in rng.permutation(len(_TOKENS))[: 3 * t]]
    rows = []
    for i in range(t):
        g = words[3 * i]
        tops = {m: (g if int(np.argmax(v[i])) == 0 else words[3 * i + int(np.argmax(v[i]))]) for m, v in models.items()}
        rows.append(f"| {i + 1} | {tok(g)} | {fmt(models['A'][i, 0], 2)} | {tok(tops['A'])} | {fmt(models['B'][i, 0], 2)} | {tok(tops['B'])} |")
    table = ("| position | gold token | A: p(gold) | A: top token | B: p(gold) | B: top token |\n|---|---|---:|---|---:|---|\n" + "\n".join(rows))
    stem = (f"Two language models read the same {t}-token text. For each position, the probability each gave the gold next token "
            f"and the token it ranked first:\n\n{table}\n\nTop-1 accuracy counts the positions whose top token is the gold one; "
            "perplexity is $\\exp(-\\frac1T\\sum_t \\ln p_t(\\text{gold}))$.")
    summary = "; ".join(f"model {m}: accuracy {int(round(acc[m] * t))}/{t}, perplexity {fmt(ppl[m], 3)}" for m in models)
    data = {"accuracy": acc, "perplexity": ppl}
    if p.ask == "ppl":
        m = "A" if rng.random() < 0.5 else "B"
        g = models[m][:, 0]
        key = ppl[m]
        wrongs = [
            Wrong(1 / float(g.mean()), "M-PPL-INV-MEANP", "Perplexity averages the log-probabilities, not the probabilities."),
            Wrong(float((1 / g).mean()), "M-PPL-ARITH", "The arithmetic mean of $1/p$ is not the geometric mean that perplexity is."),
            Wrong(float(np.exp(-np.log(g).sum())), "M-PPL-NO-MEAN", f"Divide the total negative log-likelihood by the {t} tokens before exponentiating."),
            Wrong(1 / acc[m] if acc[m] else np.inf, "M-PPL-FROM-ACCURACY", "Perplexity comes from the gold probabilities, not from how often the top token is right."),
        ]
        expl = (f"Mean $-\\ln p$ for model {m}: " + " + ".join(fmt(-np.log(x), 4) for x in g) + f", over {t}: {fmt(float(-np.log(g).mean()), 4)}; "
                f"$\\exp$ gives {fmt(key, 4)}.")
        return numeric_item(stem + f"\n\nWhat is model {m}'s perplexity on this text?", key, wrongs, expl), data
    if p.ask == "compare":
        hi_acc = max(acc, key=acc.get)
        lo_ppl = min(ppl, key=ppl.get)
        other = {"A": "B", "B": "A"}

        def says(a: str, q: str) -> str:
            # one form for all four options: only the two letters differ
            return f"Model {a} has the higher accuracy; model {q} has the lower perplexity."
        expl = summary + "."
        wrongs = [
            Wrong(says(hi_acc, other[lo_ppl]), "M-PPL-ARGMAX",
                  f"Perplexity follows the gold probabilities, not the top tokens: model {lo_ppl} has the lower one ({fmt(ppl[lo_ppl], 3)})."),
            Wrong(says(other[hi_acc], lo_ppl), "M-ACC-CONFIDENCE",
                  f"Accuracy counts top-1 hits: model {hi_acc} has {int(round(acc[hi_acc] * t))} of {t}, however confident the other is."),
            Wrong(says(other[hi_acc], other[lo_ppl]), "M-PPL-HIGHER-BETTER",
                  f"Both verdicts are reversed: {summary}."),
        ]
        return choice_item(stem + "\n\nWhich statement is right?", says(hi_acc, lo_ppl), f"Right: {summary}.", wrongs, rng, expl), data
    conf = "A" if confident_first else "B"
    other_m = "B" if conf == "A" else "A"
    g = models[conf][:, 0]
    go = models[other_m][:, 0]
    miss = int(np.argmin(g))
    add = float(-np.log(g[miss]) / t)
    pairs = [
        Pair(f"Model {conf}'s perplexity on this text is {{}}.", signed(ppl[conf]), signed(1 / float(g.mean())),
             f"Right: $\\exp$ of the mean $-\\ln p$.", "Perplexity averages log-probabilities, not probabilities.", "M-PPL-INV-MEANP"),
        Pair(f"Model {other_m}'s perplexity on this text is {{}}.", signed(ppl[other_m]), signed(float((1 / go).mean())),
             f"Right: $\\exp$ of the mean $-\\ln p$.", "The mean of $1/p$ is not the geometric mean perplexity is.", "M-PPL-ARITH"),
        Pair(f"Model {conf}'s top-1 accuracy on this text is {{}}.", signed(acc[conf]), signed(float(g.mean())),
             "Right: the share of positions whose top token is the gold one.", "That is the mean gold probability; accuracy counts top-1 hits.", "M-ACC-CONFIDENCE"),
        Pair(f"Model {conf}'s miss at position {miss + 1} adds {{}} to its log-perplexity.", signed(add), signed(add * t),
             f"Right: $-\\ln {fmt(g[miss], 2)}/{t}$.", f"Divide by the {t} positions: log-perplexity is a mean.", "M-PPL-NO-MEAN"),
    ]
    return paired_item(stem + "\n\nWhich statements are true?", pairs, rng, summary + "."), data
