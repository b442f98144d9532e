"""Beam search vs greedy decoding vs the most probable sequence vs sampling, on a three-step tree."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import beam_search, greedy_sequence, most_probable_sequence, sequence_probabilities
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, draw_probs, fmt, numeric_item

_WORDS = (("The", "One", "My", "Her"), ("cat", "dog", "owl", "fox", "cow", "bee"), ("sat", "ran", "hid", "ate", "dug", "sang"))


class BeamSearch(FamilyParams):
    width: Annotated[int, Draw(Choice(options=(2,)))]
    ask: Annotated[Literal["prob", "statements"], Draw(Choice(options=("prob", "statements")))]


def _pair(rng: np.random.Generator, peaked: bool) -> tuple[float, float]:
    a = round(float(rng.uniform(0.75, 0.95) if peaked else rng.uniform(0.52, 0.7)), 2)
    return (a, round(1 - a, 2)) if rng.random() < 0.5 else (round(1 - a, 2), a)


def _probs(rng: np.random.Generator, k: int, peaked: bool) -> tuple[float, ...]:
    if k == 2:
        return _pair(rng, peaked)
    for _ in range(200):  # redraw in place rather than reject the whole tree
        try:
            return tuple(float(x) for x in draw_probs(rng, k, 0.5 if peaked else 6.0, min_prob=0.05))
        except Reject:
            continue
    raise Reject("no distribution met the floor")


def _words(rng: np.random.Generator, level: int, k: int) -> list[str]:
    bank = _WORDS[level]
    return [bank[int(i)] for i in rng.permutation(len(bank))[:k]]


def _tree(rng: np.random.Generator) -> dict:
    # The likeliest first token leads to flat subtrees and the others to peaked ones (leaves at
    # random otherwise), so that greedy, the beam and the most probable sequence often differ.
    firsts = _words(rng, 0, 3)
    root = _probs(rng, 3, False)
    top = int(np.argmax(root))
    tree: dict = {}
    for i, (f, pf) in enumerate(zip(firsts, root)):
        flat = i == top
        k = int(rng.integers(2, 4))
        kids = _probs(rng, k, not flat)
        sub: dict = {}
        for s, ps in zip(_words(rng, 1, k), kids):
            leaf = _pair(rng, not flat and rng.random() < 0.5)
            sub[s] = (ps, {t: (pt, None) for t, pt in zip(_words(rng, 2, 2), leaf)})
        tree[f] = (pf, sub)
    return tree


def _clear_cuts(tree: dict, paths: list, w: int) -> bool:
    """No near-ties where an answer depends on them: the best sequence, each beam cut, the beam's final pick."""
    top = sorted((v for _, v in paths), reverse=True)
    if top[0] - top[1] < 0.002:
        return False
    d1 = sorted((pf for pf, _ in tree.values()), reverse=True)
    d2 = sorted((pf * ps for pf, sub in tree.values() for ps, _ in sub.values()), reverse=True)
    if not all(len(d) <= w or d[w - 1] - d[w] >= 0.002 for d in (d1, d2)):
        return False
    kept = sorted(((pf * ps, leaves) for pf, sub in tree.values() for ps, leaves in sub.values()), key=lambda x: -x[0])[:w]
    finals = sorted((q * pt for q, leaves in kept for pt, _ in leaves.values()), reverse=True)
    return finals[0] - finals[1] >= 0.002


def _text(seq: tuple[str, ...]) -> str:
    return "\u201c" + " ".join(seq) + "\u201d"


def _lines(tree: dict) -> str:
    # A flat list, one line per prefix: nested lists do not survive every LMS format.
    out = ["* first token: " + ", ".join(f"{f} {fmt(pf, 2)}" for f, (pf, _) in tree.items())]
    for f, (_, sub) in tree.items():
        out.append(f"* after {_text((f,))}: " + ", ".join(f"{s} {fmt(ps, 2)}" for s, (ps, _) in sub.items()))
        for s, (_, leaves) in sub.items():
            out.append(f"* after {_text((f, s))}: " + ", ".join(f"{t} {fmt(pt, 2)}" for t, (pt, _) in leaves.items()))
    return "\n".join(out)


def _step_sum(tree: dict, seq: tuple[str, ...]) -> float:
    node, total = tree, 0.0
    for tok in seq:
        total += node[tok][0]
        node = node[tok][1]
    return total


@family(
    "beam-search",
    params=BeamSearch,
    summary="Beam search (width 2) vs greedy vs the most probable sequence vs sampling on a three-step probability tree, by brute force.",
    topics=("decoding", "beam-search", "greedy"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "multiple_response"),
)
@with_hint(
    "Beam search keeps the few most probable prefixes at every step, scored by the product of their step probabilities; a prefix it drops is never revisited."
)
def build(p: BeamSearch, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    w = p.width
    tree = _tree(rng)
    paths = sequence_probabilities(tree)
    if not _clear_cuts(tree, paths, w):
        raise Reject("two sequences or prefixes nearly equally probable")
    beam, pb = beam_search(tree, w)
    greedy, pg = greedy_sequence(tree)
    best, pm = most_probable_sequence(tree)
    if beam == greedy == best:
        raise Reject("beam, greedy and the most probable sequence coincide: nothing to tell apart")
    stem = ("A model's next-token probabilities for the first three tokens of a reply (each token's probability "
            "given the tokens before it):\n\n" + _lines(tree) + "\n\n"
            f"Beam search with width {w} keeps the {w} most probable prefixes at each step and returns the most probable finished sequence.")
    data = {"beam": list(beam), "greedy": list(greedy), "map": list(best)}
    expl = (f"Beam {w}: {_text(beam)} ({fmt(pb, 4)}); greedy: {_text(greedy)} ({fmt(pg, 4)}); most probable: {_text(best)} ({fmt(pm, 4)}).")
    if p.ask == "prob":
        wrongs = [
            Wrong(pg, "M-BEAM-IS-GREEDY", f"{fmt(pg, 4)} is greedy's output {_text(greedy)}; the beam keeps {w} prefixes at every step."),
            Wrong(pm, "M-BEAM-OPTIMAL", f"{fmt(pm, 4)} belongs to the most probable sequence {_text(best)}, which a width-{w} beam can prune."),
            Wrong(_step_sum(tree, beam), "M-SUM-NOT-PROD", "A sequence's probability is the product of its step probabilities, not their sum."),
        ]
        return numeric_item(stem + f"\n\nWhat is the probability of the sequence beam search (width {w}) returns?", pb, wrongs, expl, decimals=4), data
    first = tree[greedy[0]][0]
    best_sum = max(_step_sum(tree, s) for s, _ in paths)
    beam_wrong = (pm, "M-BEAM-OPTIMAL", f"{fmt(pm, 4)} is the most probable sequence's; the beam pruned its prefix.") if beam != best else \
        (pg, "M-BEAM-IS-GREEDY", f"{fmt(pg, 4)} is greedy's output; the beam also follows a second prefix.")
    greedy_wrong = (pm, "M-GREEDY-OPTIMAL", f"{fmt(pm, 4)} is the most probable sequence's; greedy commits to the best first token.") if greedy != best else \
        (first, "M-SAMPLING-FIRST", "That is greedy's first step only; multiply along its path.")
    pairs = [
        Pair(f"Beam search with width {w} returns a sequence of probability {{}}.", signed(pb, 4), signed(beam_wrong[0], 4),
             f"Right: {_text(beam)}.", beam_wrong[2], beam_wrong[1]),
        Pair("Greedy decoding returns a sequence of probability {}.", signed(pg, 4), signed(greedy_wrong[0], 4),
             f"Right: {_text(greedy)}.", greedy_wrong[2], greedy_wrong[1]),
        Pair("Sampling at T = 1 yields greedy's output with probability {}.", signed(pg, 4), signed(first, 4),
             "Right: the product of its three steps.", f"That is its first step only; the sequence has {fmt(pg, 4)}.", "M-SAMPLING-FIRST"),
        Pair("The most probable of the sequences has probability {}.", signed(pm, 4), signed(best_sum, 4),
             f"Right: {_text(best)}.", "That is the largest *sum* of step probabilities, not a probability.", "M-SUM-NOT-PROD"),
    ]
    return paired_item(stem + "\n\nWhich statements are true?", pairs, rng, expl), data
