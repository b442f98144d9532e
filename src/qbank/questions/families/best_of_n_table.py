"""F20 as a worked example: best-of-n over a given table of responses, ties included.

Every response's probability of being returned, and the expected reward, as one multipart
item. Its default parameters are the worked example of the bank (``best-of-n-worked``):
four responses, two of them tied on reward, n = 4.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from ...engine import best_of_n
from ..items import MultipartContent
from . import FamilyParams, family
from ._common import Wrong, fmt, numeric_part, tolerance_note

_DECIMALS = 4


class BestOfNTable(FamilyParams):
    pi: tuple[float, ...] = Field(default=(0.4, 0.3, 0.2, 0.1), min_length=2, max_length=8,
                                  description="The policy's probability of each response.")
    rewards: tuple[float, ...] = Field(default=(0.2, 0.9, 0.9, 1.5), min_length=2, max_length=8,
                                       description="The reward model's score of each response (ties allowed).")
    n: int = Field(default=4, ge=1, le=64, description="How many samples best-of-n draws.")

    @model_validator(mode="after")
    def _table(self) -> BestOfNTable:
        if len(self.pi) != len(self.rewards):
            raise ValueError(f"pi and rewards need one entry per response, got {len(self.pi)} and {len(self.rewards)}")
        if any(p <= 0 for p in self.pi) or abs(sum(self.pi) - 1.0) > 1e-9:
            raise ValueError(f"pi must be positive and sum to 1, got {list(self.pi)} (sum {sum(self.pi):g})")
        return self


@family(
    "best-of-n-table",
    params=BestOfNTable,
    summary="Best-of-n over a given response table (ties split by the draws): each response's probability and the expected reward.",
    topics=("best-of-n", "inference-time-alignment"),
    bloom=("apply",),
    item_types=("multipart",),
    finite=True,
    space=1,
)
def build(p: BestOfNTable, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    pi, r, n = np.array(p.pi), np.array(p.rewards), p.n
    k = len(pi)
    bon, er = best_of_n(pi, r, n)
    bon, er = np.asarray(bon), float(er)
    names = [f"y{i + 1}" for i in range(k)]
    power = pi**n / (pi**n).sum()
    table = "| response | $\\pi$ | reward |\n|---|---:|---:|\n" + "\n".join(
        f"| {m} | {fmt(pi[i], 2)} | {r[i]:g} |" for i, m in enumerate(names))
    tied = len(np.unique(r)) < k
    stem = (
        f"A policy samples one of {k} responses with probabilities $\\pi$; a reward model scores them:\n\n{table}\n\n"
        f"Best-of-{n} draws {n} independent samples from $\\pi$ and returns the one with the highest reward"
        + ("; when several of the draws share the highest reward, one of those draws is returned uniformly at random." if tied else ".")
        + "\n\nGive each response's probability of being returned, and the expected reward of the returned response. "
        + tolerance_note(_DECIMALS) + " (per entry)"
    )
    top = int(np.argmax(r))
    parts = []
    for i, m in enumerate(names):
        wrongs = [
            Wrong(float(power[i]), "M-BON-POWER", "$\\pi^n$ renormalised is not the best-of-n distribution."),
            Wrong(min(n * float(pi[i]), 1.0), "M-BON-LINEAR", "$n\\pi$ overcounts: the draws overlap, and a higher-reward draw can beat it."),
        ]
        if i != top:
            wrongs.append(Wrong(1 - (1 - float(pi[i])) ** n, "M-BON-AT-LEAST-ONCE",
                                "Being drawn at least once is not enough: a higher-reward response may also be drawn."))
        parts.append(numeric_part(m, f"$P_{{BoN}}({m})$", float(bon[i]), wrongs, decimals=_DECIMALS))
    parts.append(numeric_part("reward", "$E[r]$ of the returned response", er, [
        Wrong(float(r.max()), "M-BON-MAX", "Best-of-n returns the best of n *samples*, which is not always the best response."),
        Wrong(float((power * r).sum()), "M-BON-POWER", "$\\pi^n$ renormalised is not the best-of-n distribution."),
    ], decimals=_DECIMALS))
    order = sorted(range(k), key=lambda j: r[j])
    groups = []
    for value in sorted(set(r.tolist())):
        members = [j for j in range(k) if r[j] == value]
        f_hi, f_lo = float(pi[r <= value].sum()), float(pi[r < value].sum())
        share = "" if len(members) == 1 else " split in proportion to $\\pi$ (" + ", ".join(names[j] for j in members) + ")"
        groups.append(f"reward {value:g}: ${fmt(f_hi, 2)}^{{{n}}} - {fmt(f_lo, 2)}^{{{n}}} = {fmt(f_hi**n - f_lo**n, _DECIMALS)}${share}")
    explanation = (
        f"With $F(r) = \\sum_{{r_j \\le r}} \\pi_j$, the highest reward among the {n} draws is $r$ with probability "
        f"$F(r)^{{{n}}} - F(r^-)^{{{n}}}$; a tie group shares it in proportion to $\\pi$, because each tied draw is equally likely "
        "to be any member of the group with probability $\\pi_i/\\pi(G)$. " + "; ".join(groups) + ". So "
        + ", ".join(f"$P_{{BoN}}({names[j]}) = {fmt(bon[j], _DECIMALS)}$" for j in order)
        + f". The top response is returned with probability $1 - (1 - {fmt(pi[top], 2)})^{{{n}}} = {fmt(1 - (1 - pi[top]) ** n, _DECIMALS)}$"
        + f", and $E[r] = \\sum_i P_{{BoN}}(y_i) r_i = {fmt(er, _DECIMALS)}$."
    )
    return MultipartContent(stem=stem, parts=tuple(parts), explanation=explanation), {
        "bon": bon.tolist(), "expected_reward": er, "p_top": float(1 - (1 - pi[top]) ** n),
    }
