"""F10: top-k and top-p (nucleus) candidate sets, and the renormalised sampling probability."""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from typing import Annotated, Literal

import numpy as np

from ...engine import renormalize_subset, top_k, top_p_mask
from ..params import Choice, Dirichlet, Reject, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from .._model import trusted
from ._common import Wrong, choice_item, distractor_reject, fmt, numeric_item, numpy_sum, permutation, pick, tok, token_table

_TOKENS = ("the", "a", "my", "this", "our", "his", "her", "one")


class Nucleus(FamilyParams):
    prompt: str = "I walked into"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, min_prob=0.01))]
    top_p: Annotated[float, Draw(Choice(options=(0.5, 0.75, 0.9, 0.95)))]
    k: Annotated[int, Draw(Choice(options=(1, 2, 3, 5)))]
    form: Annotated[Literal["set", "top_p_prob", "top_k_prob"], Draw(Choice(options=("set", "top_p_prob", "top_k_prob")))]


def _names(names: list[str], mask: list[bool]) -> str:
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
    """Every seed's item (or its Reject); the nucleus masks and the renormalised distributions
    come from one engine call per vocabulary size and P (the listed order is drawn first, as
    one by one), the rest in plain floats."""
    out: list[object] = [None] * len(params)
    shown: list[tuple[list[str], list[float]]] = []
    groups: dict[tuple[int, float], list[int]] = {}
    for i, (p, rng) in enumerate(zip(params, rngs)):
        # The listed order is shuffled so that it carries no hint of the ranking.
        order = permutation(rng, len(p.probs.tokens))
        names, listed = p.probs.names, p.probs.probs
        names, probs = [names[j] for j in order], [listed[j] for j in order]
        shown.append((names, probs))
        # np.cumsum adds one by one, as accumulate does
        if min(abs(c - p.top_p) for c in accumulate(sorted(probs, reverse=True))) < 0.005:
            out[i] = Reject("a cumulative mass sits on the top-p boundary")
        else:
            groups.setdefault((len(names), p.top_p), []).append(i)
    for (n, top_p), idx in groups.items():
        probs = np.array([shown[i][1] for i in idx])
        masks = top_p_mask(probs, top_p)
        # the renormalised distributions: over the nucleus, and over the top k for top_k_prob
        renormalised = renormalize_subset(probs, masks).tolist()
        ranked = [sorted(range(n), key=lambda j, q=shown[i][1]: -q[j]) for i in idx]  # np.argsort(-probs, kind="stable")
        keeps: list[list[bool] | None] = [None] * len(idx)
        for k, i in enumerate(idx):
            if params[i].form == "top_k_prob":
                if not 1 <= params[i].k <= n:
                    top_k(probs[k], params[i].k)  # raises the engine's error for this k
                keep = [False] * n
                for j in ranked[k][: params[i].k]:  # top_k: the first k of the same stable descending order
                    keep[j] = True
                keeps[k] = keep
        with_k = [k for k, keep in enumerate(keeps) if keep is not None]
        top_k_renormalised = dict(zip(with_k, renormalize_subset(probs[with_k], np.array([keeps[k] for k in with_k], dtype=bool)).tolist())) if with_k else {}
        for k, (i, mask, new) in enumerate(zip(idx, masks.tolist(), renormalised)):
            try:
                out[i] = _render(params[i], rngs[i], *shown[i], ranked[k], mask, new, keeps[k], top_k_renormalised.get(k))
            except Reject as r:
                out[i] = r
    return out


def _render(p: Nucleus, rng: np.random.Generator, names: list[str], probs: list[float], ranked: list[int], mask: list[bool],
            new: list[float], keep: list[bool] | None, new_k: list[float] | None) -> tuple[object, dict[str, object]]:
    n = len(names)
    size = sum(mask)
    exclusive = [False] * n
    for i in ranked[: size - 1]:
        exclusive[i] = True
    unsorted = [False] * n
    for i in range(bisect_left(list(accumulate(probs)), p.top_p - 1e-12) + 1):  # np.searchsorted on np.cumsum
        if i < n:
            unsorted[i] = True
    floor = [x >= 1 - p.top_p for x in probs]
    nucleus = _names(names, mask)
    if p.form == "set":
        wrongs = [Wrong(_names(names, m), code, fb) for m, code, fb in (
            (exclusive, "M-TOPP-EXCLUSIVE", "That stops before the token that crosses P; the nucleus includes it."),
            (unsorted, "M-TOPP-UNSORTED", "That accumulates in the listed order; sort by probability first."),
            (floor, "M-TOPP-FLOOR", "Keeping tokens with $p \\ge 1-P$ is not the nucleus rule."),
        ) if any(m)]
        stem = _intro(p, names, probs) + f"\n\nWith nucleus (top-p) sampling at $P = {p.top_p:g}$, which tokens can be sampled?"
        return choice_item(stem, nucleus, "Right: sort, then take the shortest prefix with mass ≥ P.", wrongs, rng,
                           _explanation(p, names, probs, ranked, mask, nucleus), n_options=3), {"nucleus": [n for n, m in zip(names, mask) if m]}
    if p.form == "top_k_prob":
        assert keep is not None and new_k is not None
        by_size = sorted(probs, reverse=True)
        if p.k > 1 and abs(by_size[p.k - 1] - by_size[p.k]) < 0.005:
            raise Reject("a near tie at the k-th value")
        q = pick(rng, [i for i, m in enumerate(keep) if m])
        key = new_k[q]
        wrongs = [Wrong(probs[q], "M-NO-RENORM", "After truncation the kept probabilities are renormalised to sum to 1.")]
        if (reject := distractor_reject(key, wrongs)) is not None:
            raise reject
        kept = fmt(numpy_sum([x for x, m in zip(probs, keep) if m]), 2)
        stem = _intro(p, names, probs) + f"\n\nWith top-k sampling at $k = {p.k}$, what is the probability of sampling {tok(names[q])}?"
        e = f"Top-{p.k} keeps {_names(names, keep)} with mass {kept}, so $p = {fmt(probs[q], 2)}/{kept} = {fmt(key, 3)}$."
        return numeric_item(stem, key, wrongs, e), {"top_k": [n for n, m in zip(names, keep) if m]}
    q = pick(rng, [i for i, m in enumerate(mask) if m])
    key = new[q]
    wrongs = [Wrong(probs[q], "M-NO-RENORM", "After truncation the kept probabilities are renormalised to sum to 1.")]
    for m, code, fb in ((exclusive, "M-TOPP-EXCLUSIVE", "That renormalises over a set that stops before crossing P."),
                        (unsorted, "M-TOPP-UNSORTED", "That renormalises over a set accumulated in the listed order."),
                        (floor, "M-TOPP-FLOOR", "That renormalises over the tokens with $p \\ge 1-P$, which is not the nucleus rule.")):
        if m[q]:
            wrongs.append(Wrong(probs[q] / numpy_sum([x for x, k in zip(probs, m) if k]), code, fb))
    if (reject := distractor_reject(key, wrongs)) is not None:
        raise reject
    stem = _intro(p, names, probs) + f"\n\nWith nucleus (top-p) sampling at $P = {p.top_p:g}$, what is the probability of sampling {tok(names[q])}?"
    e = _explanation(p, names, probs, ranked, mask, nucleus) + f" So $p = {fmt(probs[q], 2)}/{_mass(probs, mask)} = {fmt(key, 3)}$."
    return numeric_item(stem, key, wrongs, e), {"nucleus": [n for n, m in zip(names, mask) if m]}


def _intro(p: Nucleus, names: list[str], probs: list[float]) -> str:
    # Only the table reads this distribution: a permutation of a validated one, so not validated again.
    shown = trusted(TokenDistribution, {"tokens": dict(zip(names, probs))})
    return f"After *{p.prompt}* a model's next-token distribution (over exactly these tokens) is\n\n{token_table([('probability', shown)])}"


def _mass(probs: list[float], mask: list[bool]) -> str:
    return fmt(numpy_sum([x for x, m in zip(probs, mask) if m]), 2)


def _explanation(p: Nucleus, names: list[str], probs: list[float], ranked: list[int], mask: list[bool], nucleus: str) -> str:
    return ("Sorted: " + ", ".join(f"{tok(names[i])} {fmt(probs[i], 2)}" for i in ranked) +
            f". The nucleus is the shortest prefix whose mass reaches {p.top_p:g}: {nucleus} with mass {_mass(probs, mask)}.")
