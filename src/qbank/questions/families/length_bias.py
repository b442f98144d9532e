"""Length bias in preference data: the length-only reward model Bradley-Terry fits, and what it implies."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import fit_bradley_terry_weight, sigmoid
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, fmt, numeric_item


class LengthBias(FamilyParams):
    gap: Annotated[int, Draw(Choice(options=(50, 80, 150, 200, 250)))]
    ask: Annotated[Literal["fit", "predict", "statements"], Draw(Choice(options=("fit", "predict", "statements")))]


@family(
    "length-bias",
    params=LengthBias,
    summary="Length bias: the Bradley-Terry weight a length-only reward model fits to preference data, its predictions, and the remedies.",
    topics=("reward-model", "bradley-terry", "reward-hacking"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "multiple_response"),
)
@with_hint(
    "Under Bradley-Terry the preference rate is $\\sigma$ of the reward gap, so a fitted weight is the log-odds of the rate divided by the feature gap."
)
def build(p: LengthBias, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    d = p.gap
    total = int(rng.choice([200, 400, 500, 800, 1000]))
    frac = int(rng.integers(56, 86)) / 100
    wins = int(round(frac * total))
    f = wins / total
    w = float(fit_bradley_terry_weight([d / 100], [wins], [total]))  # reward per 100 tokens
    stem = (f"In a preference data set, every one of {total} pairs compares two answers whose lengths differ by {d} tokens; "
            f"labellers preferred the longer answer in {wins} pairs. A reward model that sees only length, "
            "$r(y) = w\\cdot\\mathrm{len}(y)/100$, is fitted by maximum likelihood under Bradley-Terry, "
            "$P(a \\succ b) = \\sigma(r(a) - r(b))$.")
    logit = float(np.log(f / (1 - f)))
    base = f"$\\sigma(w\\cdot {d}/100) = {fmt(f, 3)}$, so $w = \\mathrm{{logit}}({fmt(f, 3)})\\cdot 100/{d} = {fmt(logit, 4)}\\cdot{fmt(100 / d, 4)} = {fmt(w, 4)}$."
    data = {"w": w}
    if p.ask == "fit":
        wrongs = [
            Wrong(logit, "M-LEN-NO-SCALE", f"$\\mathrm{{logit}}(f) = {fmt(logit, 4)}$ is the reward gap for a {d}-token difference; per 100 tokens divide by {d}/100."),
            Wrong(f / (1 - f) * 100 / d, "M-LEN-ODDS", "Bradley-Terry matches the *log*-odds $\\ln(f/(1-f))$, not the odds."),
            Wrong((f - 0.5) * 100 / d, "M-LEN-LINEAR", "The preference rate is $\\sigma$ of the reward gap, not linear in it: invert the sigmoid."),
        ]
        return numeric_item(stem + "\n\nWhat is the fitted weight $w$ (reward per 100 tokens)?", w, wrongs, base), data
    if p.ask == "predict":
        extra = int(rng.choice([x for x in (25, 50, 100, 150, 200, 300) if x != d]))
        key = float(sigmoid(w * extra / 100))
        wrongs = [
            Wrong(f, "M-LEN-SAME-RATE", f"{fmt(f, 3)} is the rate for a {d}-token gap; the reward gap grows with the length gap."),
            Wrong(0.5, "M-LEN-QUALITY", "The model sees only length: equal quality does not make it a coin flip."),
            Wrong(float(sigmoid(w)), "M-LEN-NO-SCALE", f"$w$ is per 100 tokens: the gap is $w\\cdot{extra}/100$."),
        ]
        expl = base + f" For a {extra}-token gap: $\\sigma({fmt(w, 4)}\\cdot{extra}/100) = \\sigma({fmt(w * extra / 100, 4)}) = {fmt(key, 4)}$."
        return numeric_item(stem + f"\n\nTwo new answers are equally good, but one is {extra} tokens longer. With what probability does the "
                            "fitted reward model prefer the longer one?", key, wrongs, expl), data
    other = int(rng.choice([x for x in (50, 100, 200, 300) if x != d]))
    p_other = float(sigmoid(w * other / 100))
    equal = int(rng.choice([x for x in (40, 120, 250) if x != d]))
    pairs = [
        Pair("The fitted weight is $w$ = {} per 100 tokens.", signed(w), signed(logit),
             "Right: the log-odds of the rate, per 100 tokens of gap.", f"That is the reward gap for {d} tokens; per 100 tokens divide by {d}/100.", "M-LEN-NO-SCALE"),
        Pair(f"It prefers an answer {other} tokens longer with probability {{}}.", signed(p_other), signed(f),
             f"Right: $\\sigma({fmt(w, 3)}\\cdot{other}/100)$.", "The reward gap grows with the length gap: the rate does not carry over.", "M-LEN-SAME-RATE"),
        Pair(f"Of two equally good answers {equal} tokens apart, it picks the longer with probability {{}}.",
             signed(float(sigmoid(w * equal / 100))), signed(0.5),
             "Right: it sees only length.", "It sees only length: equal quality is no coin flip for it.", "M-LEN-QUALITY"),
        Pair(f"It prefers an answer {d} tokens longer with probability {{}}.", signed(f), signed(f / (1 + f)),
             "Right: with one kind of pair the fit reproduces the observed rate.", "Bradley-Terry matches the log-odds of the rate.", "M-LEN-ODDS"),
    ]
    return paired_item(stem + "\n\nWhich statements are true?", pairs, rng, base), data
