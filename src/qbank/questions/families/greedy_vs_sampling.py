"""F09: greedy decoding vs the most probable sequence vs ancestral sampling, on a probability tree."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from ...engine import greedy_sequence, most_probable_sequence, sequence_probabilities
from ..items import MultipartContent, TrueFalsePart
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, draw_probs, fmt, numeric_part, tok, tolerance_note

_FIRST = ("Of", "Red", "Sure", "The", "Here", "Yes")
_SECOND = ("course", ",", "thing", "!", "primary", "is", "you", "we", "go", "colors")


class GreedyVsSampling(FamilyParams):
    prompt: str = "List the primary colors."
    first_tokens: tuple[str, ...] = _FIRST
    second_tokens: tuple[str, ...] = _SECOND
    greedy_is_map: Annotated[bool, Draw(Choice(options=(True, False)))]


def _seq(s: tuple[str, ...]) -> str:
    return " ".join(tok(t) for t in s)


@family(
    "greedy-vs-sampling",
    params=GreedyVsSampling,
    summary="On a two-step probability tree: the probability of the greedy output, whether it is the most probable sequence, and the MAP probability.",
    topics=("decoding", "greedy", "sampling"),
    bloom=("analyze",),
    item_types=("multipart",),
)
def build(p: GreedyVsSampling, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    n_first = int(rng.integers(2, 4))
    firsts = [p.first_tokens[int(i)] for i in rng.choice(len(p.first_tokens), n_first, replace=False)]
    root = draw_probs(rng, n_first, 1.0, min_prob=0.1)
    tree: dict[str, tuple[float, object]] = {}
    for f, pf in zip(firsts, root):
        k = int(rng.integers(2, 5))
        alpha = 0.5 if rng.random() < 0.5 else 2.0
        kids = draw_probs(rng, k, alpha, min_prob=0.02)
        names = [p.second_tokens[int(i)] for i in rng.choice(len(p.second_tokens), k, replace=False)]
        tree[f] = (float(pf), {n: (float(q), None) for n, q in zip(names, kids)})
    paths = sequence_probabilities(tree)
    probs = sorted(v for _, v in paths)
    if min(np.diff(probs)) < 0.002:
        raise Reject("two sequences are nearly equally probable")
    greedy, pg = greedy_sequence(tree)
    best, pb = most_probable_sequence(tree)
    if (greedy == best) != p.greedy_is_map:
        raise Reject("greedy vs MAP is not the requested case")
    # the path a sum-of-steps scorer picks: the largest sum (not the largest (path, sum) tuple)
    sum_best = max((((f, s), tree[f][0] + q) for f in tree for s, (q, _) in tree[f][1].items()), key=lambda ps: ps[1])  # type: ignore[union-attr]
    lines = []
    for f, (pf, kids) in tree.items():
        lines.append(f"* {tok(f)} ({fmt(pf, 2)}) → " + ", ".join(f"{tok(s)} {fmt(q, 2)}" for s, (q, _) in kids.items()))  # type: ignore[union-attr]
    stem = (f"For *{p.prompt}* a model's first two response tokens follow this tree (first token with its probability, "
            "then the next-token distribution given it):\n\n" + "\n".join(lines) +
            f"\n\nAnswer each part. For the numeric parts: {tolerance_note(4)}")
    a = numeric_part("a", "With what probability does ancestral sampling (T = 1) produce the greedy output?", pg, [
        Wrong(tree[greedy[0]][0], "M-SAMPLING-FIRST", "Sampling must also pick the second token: multiply along the path."),
        Wrong(tree[greedy[0]][0] + tree[greedy[0]][1][greedy[1]][0], "M-SUM-NOT-PROD", "A path's probability is the product of its steps, not the sum."),  # type: ignore[index]
    ], decimals=4)
    same = greedy == best
    if same:
        right = f"Right: greedy's path {_seq(greedy)} ({fmt(pg, 4)}) is also the most probable of all the paths here."
        wrong = f"Here greedy's path {_seq(greedy)} ({fmt(pg, 4)}) is the most probable one: compare the products of every path."
    else:
        right = (f"Right: greedy commits to {tok(greedy[0])} and ends with probability {fmt(pg, 4)}, "
                 f"but {_seq(best)} has {fmt(pb, 4)}.")
        wrong = (f"Compare the products: {_seq(best)} has {fmt(pb, 4)}, more than greedy's {fmt(pg, 4)}; "
                 "greedy picks the best token at each step, which need not give the best product.")
    b = TrueFalsePart(
        label="b", prompt="True or false: here greedy decoding returns the most probable two-token sequence.",
        answer=same,
        feedback_true=right if same else wrong,
        feedback_false=wrong if same else right,
        misconception=None if same else "M-GREEDY-OPTIMAL",
    )
    c = numeric_part("c", "What is the probability of the most probable two-token sequence?", pb, [
        Wrong(pg, "M-GREEDY-OPTIMAL", "That is the greedy sequence's probability; a locally worse first token can lead to a better path."),
        Wrong(sum_best[1], "M-SUM-NOT-PROD", "Scoring paths by the sum of step probabilities is not their probability."),
    ], decimals=4)
    expl = (f"Greedy: {_seq(greedy)} with probability ${fmt(pg, 4)}$. Most probable: {_seq(best)} with ${fmt(pb, 4)}$. "
            "Path probabilities: " + ", ".join(f"{_seq(s)} {fmt(v, 4)}" for s, v in paths) + ".")
    return MultipartContent(stem=stem, parts=(a, b, c), explanation=expl), {
        "greedy": list(greedy), "map": list(best),
        "tree": {f: [pf, {s: q for s, (q, _) in kids.items()}] for f, (pf, kids) in tree.items()},  # type: ignore[union-attr]
    }
