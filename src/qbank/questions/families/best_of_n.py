"""F20: best-of-n sampling with a reward model over a discrete response set."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import best_of_n
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, decimals_for, draw_probs, fmt, numeric_item


class BestOfN(FamilyParams):
    n: Annotated[int, Draw(Choice(options=(2, 4, 8, 16)))]
    k: Annotated[int, Draw(Choice(options=(3, 4, 5, 6)))]
    ask: Annotated[Literal["prob", "top", "reward"], Draw(Choice(options=("prob", "top", "reward")))]


@family(
    "best-of-n",
    params=BestOfN,
    summary="Best-of-n: the probability each response is returned, P(top), and the expected reward.",
    topics=("best-of-n", "inference-time-alignment"),
    bloom=("apply", "analyze"),
    item_types=("numeric",),
)
def build(p: BestOfN, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    k, n = p.k, p.n
    pi = draw_probs(rng, k, 1.0, min_prob=0.03)
    r = np.round(rng.permutation(np.linspace(-1, 2, k)) + rng.uniform(-0.2, 0.2, size=k), 1)
    if len(np.unique(r)) < k:
        r = r + np.arange(k) * 0.01
    bon, er = best_of_n(pi, r, n)
    bon = np.asarray(bon)
    names = [f"y{i + 1}" for i in range(k)]
    table = "| response | $\\pi$ | reward |\n|---|---:|---:|\n" + "\n".join(f"| {m} | {fmt(pi[i], 2)} | {r[i]:g} |" for i, m in enumerate(names))
    stem = f"A policy samples one of {k} responses with probabilities $\\pi$; a reward model scores them:\n\n{table}\n\nBest-of-{n} draws {n} independent samples and returns the one with the highest reward."
    power = pi**n / (pi**n).sum()
    if p.ask == "reward":
        key = float(er)
        wrongs = [Wrong(float(r.max()), "M-BON-MAX", "Best-of-n returns the best of n *samples*, which is not always the best response."),
                  Wrong(float((power * r).sum()), "M-BON-POWER", "$\\pi^n$ renormalised is not the best-of-n distribution.")]
        expl = "$P_{BoN}$: " + ", ".join(f"{m}: {fmt(bon[i], 4)}" for i, m in enumerate(names)) + f"; $E[r] = \\sum P_{{BoN}} r = {fmt(key, 4)}$."
        return numeric_item(stem + "\n\nWhat is the expected reward of the returned response?", key, wrongs, expl), {"bon": bon.tolist()}
    i = int(np.argmax(r)) if p.ask == "top" else int(rng.integers(k))
    key = float(bon[i])
    if key < 0.001:
        raise Reject("the probability asked for is below 0.001")
    wrongs = [Wrong(float(power[i]), "M-BON-POWER", "$\\pi^n$ renormalised is not the best-of-n distribution."),
              Wrong(min(n * float(pi[i]), 1.0), "M-BON-LINEAR", "$n\\pi$ overcounts: the draws overlap, and lower-reward draws can be beaten.")]
    if p.ask != "top":
        wrongs.append(Wrong(1 - (1 - float(pi[i])) ** n, "M-BON-AT-LEAST-ONCE", "Being drawn at least once is not enough: a better response may also be drawn."))
    below = sorted(range(k), key=lambda j: r[j])
    expl = ("With $F(r) = \\sum_{r_j \\le r} \\pi_j$, $P_{BoN}(y_i) = F(r_i)^n - F(r_i^-)^n$: "
            + ", ".join(f"{names[j]}: {fmt(bon[j], 4)}" for j in below) + (f". For the top response this is $1 - (1 - {fmt(pi[i], 2)})^{{{n}}}$." if p.ask == "top" else "."))
    q = ("With what probability does best-of-n return the highest-reward response?" if p.ask == "top"
         else f"With what probability does best-of-{n} return {names[i]}?")
    return numeric_item(stem + "\n\n" + q, key, wrongs, expl, decimals=decimals_for(key)), {"bon": bon.tolist()}
