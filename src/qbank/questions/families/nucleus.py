"""F10: top-k and top-p (nucleus) candidate sets, and the renormalised sampling probability."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import renormalize_subset, top_k, top_p_mask
from ..params import Choice, Dirichlet, Reject, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, choice_item, fmt, numeric_item, tok, token_table

_TOKENS = ("the", "a", "my", "this", "our", "his", "her", "one")


class Nucleus(FamilyParams):
    prompt: str = "I walked into"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, min_prob=0.01))]
    top_p: Annotated[float, Draw(Choice(options=(0.5, 0.75, 0.9, 0.95)))]
    k: Annotated[int, Draw(Choice(options=(1, 2, 3, 5)))]
    form: Annotated[Literal["set", "top_p_prob", "top_k_prob"], Draw(Choice(options=("set", "top_p_prob", "top_k_prob")))]


def _names(names: list[str], mask: np.ndarray) -> str:
    return "{" + ", ".join(tok(n) for n, m in zip(names, mask) if m) + "}"


@family(
    "nucleus",
    params=Nucleus,
    summary="Which tokens survive top-p (nucleus) or top-k truncation, and their renormalised probability.",
    topics=("top-k", "top-p", "decoding"),
    bloom=("apply",),
    item_types=("single_choice", "numeric"),
)
def build(p: Nucleus, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    out = build_many([p], [rng])[0]
    if isinstance(out, Reject):
        raise out
    return out


@batch_builder("nucleus")
def build_many(params: list[Nucleus], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item (or its Reject); the nucleus masks come from one engine call per
    vocabulary size and P (the listed order is drawn first, as one by one)."""
    out: list[object] = [None] * len(params)
    shown: list[tuple[list[str], np.ndarray]] = []
    groups: dict[tuple[int, float], list[int]] = {}
    for i, (p, rng) in enumerate(zip(params, rngs)):
        # The listed order is shuffled so that it carries no hint of the ranking.
        order = rng.permutation(len(p.probs.names))
        names = [p.probs.names[j] for j in order]
        probs = np.array([p.probs.probs[j] for j in order])
        shown.append((names, probs))
        cum = np.cumsum(np.sort(probs)[::-1])
        if np.min(np.abs(cum - p.top_p)) < 0.005:
            out[i] = Reject("a cumulative mass sits on the top-p boundary")
        else:
            groups.setdefault((len(names), p.top_p), []).append(i)
    for (_, top_p), idx in groups.items():
        masks = top_p_mask(np.stack([shown[i][1] for i in idx]), top_p)
        for k, i in enumerate(idx):
            try:
                out[i] = _render(params[i], rngs[i], *shown[i], masks[k])
            except Reject as r:
                out[i] = r
    return out


def _render(p: Nucleus, rng: np.random.Generator, names: list[str], probs: np.ndarray, mask: np.ndarray) -> tuple[object, dict[str, object]]:
    # Only the table reads this distribution: a permutation of a validated one, so not validated again.
    shown = TokenDistribution.model_construct(tokens=dict(zip(names, probs.tolist())))
    intro = f"After *{p.prompt}* a model's next-token distribution (over exactly these tokens) is\n\n{token_table([('probability', shown)])}"
    size = int(mask.sum())
    ranked = np.argsort(-probs, kind="stable")
    exclusive = np.zeros_like(mask)
    exclusive[ranked[: size - 1]] = True
    unsorted = np.zeros_like(mask)
    unsorted[: int(np.searchsorted(np.cumsum(probs), p.top_p - 1e-12) + 1)] = True
    floor = probs >= 1 - p.top_p
    expl = ("Sorted: " + ", ".join(f"{tok(names[i])} {fmt(probs[i], 2)}" for i in ranked) +
            f". The nucleus is the shortest prefix whose mass reaches {p.top_p:g}: {_names(names, mask)} with mass {fmt(probs[mask].sum(), 2)}.")
    if p.form == "set":
        wrongs = [Wrong(_names(names, m), code, fb) for m, code, fb in (
            (exclusive, "M-TOPP-EXCLUSIVE", "That stops before the token that crosses P; the nucleus includes it."),
            (unsorted, "M-TOPP-UNSORTED", "That accumulates in the listed order; sort by probability first."),
            (floor, "M-TOPP-FLOOR", "Keeping tokens with $p \\ge 1-P$ is not the nucleus rule."),
        ) if m.any()]
        stem = intro + f"\n\nWith nucleus (top-p) sampling at $P = {p.top_p:g}$, which tokens can be sampled?"
        return choice_item(stem, _names(names, mask), "Right: sort, then take the shortest prefix with mass ≥ P.", wrongs, rng, expl, n_options=3), {"nucleus": [n for n, m in zip(names, mask) if m]}
    if p.form == "top_k_prob":
        keep = np.zeros(len(names), dtype=bool)
        keep[np.asarray(top_k(probs, p.k))] = True
        if p.k > 1 and abs(np.sort(probs)[::-1][p.k - 1] - np.sort(probs)[::-1][p.k]) < 0.005:
            raise Reject("a near tie at the k-th value")
        q = int(rng.choice(np.flatnonzero(keep)))
        new = np.asarray(renormalize_subset(probs, keep))
        key = float(new[q])
        wrongs = [Wrong(float(probs[q]), "M-NO-RENORM", "After truncation the kept probabilities are renormalised to sum to 1.")]
        stem = intro + f"\n\nWith top-k sampling at $k = {p.k}$, what is the probability of sampling {tok(names[q])}?"
        e = f"Top-{p.k} keeps {_names(names, keep)} with mass {fmt(probs[keep].sum(), 2)}, so $p = {fmt(probs[q], 2)}/{fmt(probs[keep].sum(), 2)} = {fmt(key, 3)}$."
        return numeric_item(stem, key, wrongs, e), {"top_k": [n for n, m in zip(names, keep) if m]}
    q = int(rng.choice(np.flatnonzero(mask)))
    key = float(np.asarray(renormalize_subset(probs, mask))[q])
    wrongs = [Wrong(float(probs[q]), "M-NO-RENORM", "After truncation the kept probabilities are renormalised to sum to 1.")]
    for m, code, fb in ((exclusive, "M-TOPP-EXCLUSIVE", "That renormalises over a set that stops before crossing P."),
                        (unsorted, "M-TOPP-UNSORTED", "That renormalises over a set accumulated in the listed order."),
                        (floor, "M-TOPP-FLOOR", "That renormalises over the tokens with $p \\ge 1-P$, which is not the nucleus rule.")):
        if m[q]:
            wrongs.append(Wrong(float(probs[q] / probs[m].sum()), code, fb))
    stem = intro + f"\n\nWith nucleus (top-p) sampling at $P = {p.top_p:g}$, what is the probability of sampling {tok(names[q])}?"
    e = expl + f" So $p = {fmt(probs[q], 2)}/{fmt(probs[mask].sum(), 2)} = {fmt(key, 3)}$."
    return numeric_item(stem, key, wrongs, e), {"nucleus": [n for n, m in zip(names, mask) if m]}
