"""F08: temperature: the re-tempered probability of a token, or the order after re-tempering."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import apply_temperature
from ..items import OrderingContent
from ..params import Choice, Dirichlet, Reject, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, bounded_integers, only, or_reject, fmt, numeric_item, tok, token_table

_TOKENS = ("blue", "green", "red", "yellow", "purple")


class Temperature(FamilyParams):
    prompt: str = "My favourite colour is"
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, min_prob=0.02))]
    temperature: Annotated[float, Draw(Choice(options=(0.5, 0.7, 1.5, 2.0)))]
    form: Annotated[Literal["prob", "ratio"], Draw(Choice(options=("prob", "ratio")))]


@family(
    "temperature",
    params=Temperature,
    summary="Sampling temperature: the new probability of a token, or of a ratio, after dividing the logits by T.",
    topics=("temperature", "decoding"),
    bloom=("understand", "apply"),
    item_types=("numeric",),
)
def build(p: Temperature, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    return only(build_many([p], [rng]))  # type: ignore[return-value]


@batch_builder("temperature")
def build_many(params: list[Temperature], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item; the re-tempered distributions (at T and at 1/T) come from one engine
    call per temperature and vocabulary size, on rows that give the one-row results."""
    new: list[list[float]] = [[]] * len(params)
    mult: list[list[float]] = [[]] * len(params)
    groups: dict[tuple[float, int], list[int]] = {}
    for i, p in enumerate(params):
        groups.setdefault((p.temperature, len(p.probs.tokens)), []).append(i)
    for (T, _), idx in groups.items():
        probs = np.array([params[i].probs.probs for i in idx])
        at_t, at_inv = apply_temperature(probs, T).tolist(), apply_temperature(probs, 1 / T).tolist()
        for k, i in enumerate(idx):
            new[i], mult[i] = at_t[k], at_inv[k]
    return [or_reject(_render, p, rng, new[i], mult[i]) for i, (p, rng) in enumerate(zip(params, rngs))]


def _render(p: Temperature, rng: np.random.Generator, new: list[float], mult: list[float]) -> tuple[object, dict[str, object]]:
    # Plain floats throughout: numpy's float64 operations here (division, power) are the C
    # double operations Python's floats make, and cost a numpy scalar each.
    names = p.probs.names
    probs = p.probs.probs
    T = p.temperature
    if p.form == "ratio":
        # the two tokens' draws follow each other: one generator call for both
        i, j = bounded_integers(rng, (len(names), len(names) - 1))
    else:
        i = int(rng.integers(len(names)))
    intro = (f"After *{p.prompt}* a model's next-token distribution (over exactly these tokens) is\n\n"
             f"{token_table([('probability', p.probs)])}\n\nSampling uses temperature $T = {T:g}$ (the logits are divided by $T$).")
    expl_common = "$p_T(i) = p_i^{1/T} / \\sum_j p_j^{1/T}$; here " + ", ".join(f"{tok(n)}: {fmt(new[k], 4)}" for k, n in enumerate(names)) + "."
    if p.form == "ratio":
        j = j + (j >= i)
        key = (probs[i] / probs[j]) ** (1 / T)
        stem = intro + f"\n\nWhat is the ratio $p_T({names[i]})/p_T({names[j]})$ of the two tokens' probabilities at this temperature?"
        wrongs = [
            Wrong(probs[i] / probs[j], "M-T-PROB-DIV", "Dividing probabilities by T and renormalising changes nothing; T divides the *logits*."),
            Wrong((probs[i] / probs[j]) ** T, "M-T-MULT", "That multiplies the logits by T, the opposite effect."),
        ]
        expl = f"Ratios become $(p_a/p_b)^{{1/T}} = ({fmt(probs[i], 2)}/{fmt(probs[j], 2)})^{{1/{T:g}}} = {fmt(key, 4)}$, i.e. {fmt(key, 3)}. " + expl_common
        return numeric_item(stem, key, wrongs, expl), {"new_probs": new}
    key = new[i]
    wrongs = [
        Wrong(probs[i], "M-T-PROB-DIV", "Dividing probabilities by T and renormalising changes nothing; T divides the *logits*."),
        Wrong(mult[i], "M-T-MULT", "That multiplies the logits by T, the opposite effect."),
        Wrong(probs[i] / T, "M-T-LINEAR", "$p/T$ is not a distribution; T acts on the logits, then the softmax renormalises."),
    ]
    stem = intro + f"\n\nWhat is the probability of {tok(names[i])} at this temperature?"
    expl = expl_common + f" The answer is {fmt(key, 3)}. T {'<' if T < 1 else '>'} 1 {'sharpens' if T < 1 else 'flattens'} the distribution; the argmax does not change."
    return numeric_item(stem, key, wrongs, expl), {"new_probs": new}


class TemperatureOrder(FamilyParams):
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=("Of", "Sure", "Red", "Here", "The"), alpha=1.0, min_prob=0.02))]
    temperature: Annotated[float, Draw(Choice(options=(0.5, 0.7, 1.5, 2.0)))]
    prompt: str = "List the primary colors."


@family(
    "temperature-order",
    params=TemperatureOrder,
    summary="Ordering: rank candidate next tokens by their probability after re-tempering (it never changes).",
    topics=("temperature", "decoding"),
    bloom=("understand",),
    item_types=("ordering",),
)
def build_order(p: TemperatureOrder, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    names = p.probs.names
    probs = np.array(p.probs.probs)
    new = np.asarray(apply_temperature(probs, p.temperature))
    if np.min(np.diff(np.sort(new))) < 0.005:
        raise Reject("two tempered probabilities are within 0.005")
    shown = rng.permutation(len(names))
    entries = tuple(f"{tok(names[k])}" for k in shown)
    order = sorted(range(len(names)), key=lambda pos: -new[shown[pos]])
    stem = (f"For *{p.prompt}* a model's first-token logits are $z_i = \\ln p_i$ with\n\n{token_table([('probability', p.probs)])}\n\n"
            f"Sampling divides the logits by $T = {p.temperature:g}$. Order the tokens from most to least probable *at this temperature*.")
    expl = ("Dividing logits by $T$ is a monotone map, so the order never changes (T only sharpens or flattens): "
            + ", ".join(f"{tok(names[k])}: {fmt(new[k], 3)}" for k in np.argsort(-new)) + ".")
    return OrderingContent(stem=stem, entries=entries, answer=tuple(order), explanation=expl, scoring="partial"), {"new_probs": new.tolist()}
