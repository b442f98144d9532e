"""F07: label smoothing: the smoothed loss, the optimal gold probability, the smallest loss."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import constant_tail_entropy, cross_entropy, entropy, label_smoothing_loss, label_smoothing_min_loss, smoothed_target
from ..params import Choice, Dirichlet, LogUniform, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import Wrong, distractor_reject, fmt, numeric_item, only, or_reject, pick_gold, tok, token_table

_TOKENS = ("cat", "dog", "bird", "fish", "cow", "fox")


class LabelSmoothing(FamilyParams):
    probs: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, min_prob=0.02))]
    eps: Annotated[float, Draw(Choice(options=(0.05, 0.1, 0.2)))]
    gold_is_argmax: Annotated[bool, Draw(Choice(options=(True, False)))]
    ask: Annotated[Literal["loss", "optimum", "min_loss"], Draw(Choice(options=("loss", "optimum", "min_loss"), weights=(3, 1, 1)))]
    vocab: Annotated[int, Draw(LogUniform(low=3, high=60000, decimals=0))]


@family(
    "label-smoothing",
    params=LabelSmoothing,
    summary="Label-smoothed cross-entropy (eps/K on every token): the loss, the optimal p(gold), the smallest loss.",
    topics=("label-smoothing", "cross-entropy"),
    bloom=("understand", "apply"),
    item_types=("numeric",),
)
def build(p: LabelSmoothing, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    return only(build_many([p], [rng]))  # type: ignore[return-value]


@batch_builder("label-smoothing")
def build_many(params: list[LabelSmoothing], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item; the smoothed and plain losses of the ``loss`` questions, and the sums
    behind their distractors, come from one engine call per eps and vocabulary size (the gold
    token is drawn first, as one by one)."""
    gold = [pick_gold(p.probs, p.gold_is_argmax, rng) if p.ask not in ("optimum", "min_loss") else -1
            for p, rng in zip(params, rngs)]
    losses: dict[int, tuple[float, float, float, float]] = {}
    groups: dict[tuple[float, int], list[int]] = {}
    for i, p in enumerate(params):
        if gold[i] >= 0:
            groups.setdefault((p.eps, len(p.probs.tokens)), []).append(i)
    for (eps, k), idx in groups.items():
        probs = np.array([params[i].probs.probs for i in idx])
        c = np.array([gold[i] for i in idx])
        smoothed, plain = label_smoothing_loss(probs, c, eps).tolist(), cross_entropy(probs, c).tolist()
        # the eps/(K-1) target of M-LS-K-1, row by row as one row builds it
        qk1 = np.full(probs.shape, eps / (k - 1))
        qk1[np.arange(len(idx)), c] = 1 - eps
        k_minus_1 = (-(qk1 * np.log(probs)).sum(axis=-1)).tolist()
        mean_nl = (-np.log(probs)).mean(axis=-1).tolist()
        for i, *row in zip(idx, smoothed, plain, k_minus_1, mean_nl):
            losses[i] = tuple(row)  # type: ignore[assignment]
    return [or_reject(_render, p, gold[i], *losses.get(i, (0.0, 0.0, 0.0, 0.0))) for i, p in enumerate(params)]


def _conv(eps: float) -> str:
    return (f"Label smoothing with $\\varepsilon = {eps:g}$ uses the target $q = (1-\\varepsilon)e_c + \\tfrac{{\\varepsilon}}{{K}}\\mathbf 1$ "
            "(the mass $\\varepsilon$ is spread evenly over *all* K tokens, the gold one included).")


def _optimum(k: int, eps: float) -> float:
    """``smoothed_target(k, 0, eps)[0]``: the engine sets that entry to ``1.0 - e + e / k``, in
    Python floats, so the same expression gives it without the K-long vector (the engine
    is still asked when its checks would refuse the arguments, to raise its error)."""
    if type(k) is int and k >= 1 and type(eps) is float and 0.0 <= eps <= 1.0:
        return 1.0 - eps + eps / k
    return float(smoothed_target(k, 0, eps)[0])


def _k_minus_1_entropy(k: int, eps: float) -> float:
    """The entropy of the eps/(K-1) target (1 - eps on the gold token), the M-LS-K-1 value."""
    if k > 1:
        return constant_tail_entropy(1 - eps, eps / (k - 1), k)  # the entropy of the K-long vector, without K logs
    k1 = np.ones(1)
    k1[0] = 1 - eps
    return float(entropy(k1))


def _render(p: LabelSmoothing, c: int, key_loss: float, ce: float, k_minus_1: float, mean_nl: float) -> tuple[object, dict[str, object]]:
    if p.ask in ("optimum", "min_loss"):
        k = p.vocab
        opt = _optimum(k, p.eps)
        k_tex = f"{k:,}".replace(",", "{,}")  # a bare comma in TeX math is punctuation: 3,111 would read "3, 111"
        if p.ask == "optimum":
            key = opt
            decimals = 3 if k <= 100 else 4
            wrongs = [
                Wrong(1.0, "M-LS-MIN-ZERO", "At $p_c = 1$ the other tokens get 0 and the smoothed loss is infinite."),
                Wrong(1 - p.eps, "M-LS-K-1", "That is the $\\varepsilon/(K-1)$ convention; here the gold token also gets $\\varepsilon/K$."),
            ]
            if (reject := distractor_reject(key, wrongs, decimals)) is not None:
                raise reject
            stem = f"{_conv(p.eps)} The vocabulary has $K = {k_tex}$ tokens. Which probability of the gold token minimises the smoothed loss?"
            expl = f"The loss is minimised at $p = q$, so $p_c^* = 1 - \\varepsilon + \\varepsilon/K = {fmt(opt, 6)}$, i.e. {fmt(key, 3)}."
            return numeric_item(stem, key, wrongs, expl, decimals=decimals), {"optimum": key}
        key = float(label_smoothing_min_loss(k, p.eps))
        wrongs = [
            Wrong(0.0, "M-LS-MIN-ZERO", "With smoothing the target is not one-hot, so the loss cannot reach 0: its minimum is $H(q)$."),
            Wrong(_k_minus_1_entropy(k, p.eps), "M-LS-K-1", "That is the entropy of the $\\varepsilon/(K-1)$ target; here every token gets $\\varepsilon/K$."),
            Wrong(float(-np.log(opt)), "M-LS-ONLY-TARGET", "That counts only the gold term $-\\ln q_c$; the uniform part adds $-\\sum_{j\\ne c} q_j\\ln q_j$."),
        ]
        if (reject := distractor_reject(key, wrongs)) is not None:
            raise reject
        stem = f"{_conv(p.eps)} The vocabulary has $K = {k_tex}$ tokens. What is the smallest loss any model can reach on one token?"
        expl = f"The minimum is reached at $p = q$ and equals the entropy $H(q)$: with $q_c = {fmt(opt, 5)}$ and $q_j = {p.eps:g}/{k}$, $H(q) = {fmt(key, 4)}$."
        return numeric_item(stem, key, wrongs, expl), {"min_loss": key}
    names = p.probs.names
    k = len(names)
    key = key_loss
    wrongs = [
        Wrong(ce, "M-LS-NOSMOOTH", "That is the plain cross-entropy; smoothing adds the uniform term."),
        Wrong((1 - p.eps) * ce, "M-LS-ONLY-TARGET", "That keeps the gold term but drops $\\varepsilon\\cdot\\overline{(-\\ln p_k)}$."),
        Wrong(k_minus_1, "M-LS-K-1", "That uses $\\varepsilon/(K-1)$ on the wrong tokens; the stem spreads $\\varepsilon/K$ over all tokens."),
    ]
    # rejected (a distractor within the tolerance) before any text is made
    if (reject := distractor_reject(key, wrongs)) is not None:
        raise reject
    stem = (f"{_conv(p.eps)} The vocabulary is exactly these K = {k} tokens, the gold token is {tok(names[c])}, and the model gives\n\n"
            f"{token_table([('probability', p.probs)])}\n\nWhat is the smoothed loss on this token?")
    expl = (f"$L = (1-\\varepsilon)(-\\ln p_c) + \\varepsilon\\cdot\\mathrm{{mean}}_k(-\\ln p_k) = {1 - p.eps:g}\\cdot{fmt(ce, 4)} + "
            f"{p.eps:g}\\cdot{fmt(mean_nl, 4)} = {fmt(key, 4)}$, i.e. {fmt(key, 3)}.")
    return numeric_item(stem, key, wrongs, expl), {"loss": key}
