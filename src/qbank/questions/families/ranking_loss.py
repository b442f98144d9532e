"""F16: the reward-model loss from a ranking of K responses (mean over all ordered pairs)."""

from __future__ import annotations

from itertools import combinations
from typing import Annotated

import numpy as np

from ...engine import ranking_loss, reward_model_loss
from ..params import Choice
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item


class RankingLoss(FamilyParams):
    k: Annotated[int, Draw(Choice(options=(3, 4)))]


@family(
    "ranking-loss",
    params=RankingLoss,
    summary="Reward-model loss for a labeller ranking of K responses, averaged over all C(K,2) pairs.",
    topics=("reward-model", "bradley-terry", "rlhf"),
    bloom=("apply",),
    item_types=("numeric",),
)
def build(p: RankingLoss, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    k = p.k
    scores = np.round(rng.uniform(-2, 2, size=k), 1)
    ranking = [int(i) for i in rng.permutation(k)]  # best first
    key = float(ranking_loss(scores, ranking))
    pairs = list(combinations(ranking, 2))
    total = sum(float(reward_model_loss(scores[i], scores[j])) for i, j in pairs)
    adjacent = [float(reward_model_loss(scores[a], scores[b])) for a, b in zip(ranking, ranking[1:])]
    top = [float(reward_model_loss(scores[ranking[0]], scores[j])) for j in ranking[1:]]
    flip = float(ranking_loss(scores, ranking[::-1]))
    wrongs = [
        Wrong(float(np.mean(adjacent)), "M-RANK-ADJACENT", "A ranking implies every pair, not only adjacent ones."),
        Wrong(total, "M-RANK-SUM", "The loss averages over the $\\binom{K}{2}$ pairs."),
        Wrong(float(np.mean(top)), "M-RANK-TOP-ONLY", "Pairs between lower-ranked responses count too."),
        Wrong(flip, "M-RANK-ORDER-FLIP", "That treats the last-ranked response as the best."),
    ]
    names = [f"y{i + 1}" for i in range(k)]
    stem = ("Labellers rank " + " ≻ ".join(f"$y_{{{i + 1}}}$" for i in ranking) + ". The reward model scores are "
            + ", ".join(f"$r(y_{{{i + 1}}}) = {scores[i]:g}$" for i in range(k)) +
            ". Compute the ranking loss $-\\frac{1}{\\binom{K}{2}}\\sum_{i \\succ j} \\ln\\sigma(r_i - r_j)$ averaged over all pairs.")
    expl = (f"{len(pairs)} pairs: " + ", ".join(f"{names[i]}≻{names[j]}: {fmt(float(reward_model_loss(scores[i], scores[j])), 4)}" for i, j in pairs)
            + f"; sum {fmt(total, 4)}, mean {fmt(key, 4)}.")
    return numeric_item(stem, key, wrongs, expl), {"scores": scores.tolist(), "ranking": ranking}
