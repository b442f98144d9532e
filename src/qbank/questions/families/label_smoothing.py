"""F07: label smoothing: the smoothed loss, the optimal gold probability, the smallest loss."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import cross_entropy, entropy, label_smoothing_loss, label_smoothing_min_loss, smoothed_target
from ..params import Choice, Dirichlet, LogUniform, TokenDistribution
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item, pick_gold, tok, token_table

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
    conv = (f"Label smoothing with $\\varepsilon = {p.eps:g}$ uses the target $q = (1-\\varepsilon)e_c + \\tfrac{{\\varepsilon}}{{K}}\\mathbf 1$ "
            "(the mass $\\varepsilon$ is spread evenly over *all* K tokens, the gold one included).")
    if p.ask in ("optimum", "min_loss"):
        k = p.vocab
        q = smoothed_target(k, 0, p.eps)
        opt = float(q[0])
        if p.ask == "optimum":
            key = opt
            stem = f"{conv} The vocabulary has $K = {k:,}$ tokens. Which probability of the gold token minimises the smoothed loss?"
            wrongs = [
                Wrong(1.0, "M-LS-MIN-ZERO", "At $p_c = 1$ the other tokens get 0 and the smoothed loss is infinite."),
                Wrong(1 - p.eps, "M-LS-K-1", "That is the $\\varepsilon/(K-1)$ convention; here the gold token also gets $\\varepsilon/K$."),
            ]
            expl = f"The loss is minimised at $p = q$, so $p_c^* = 1 - \\varepsilon + \\varepsilon/K = {fmt(opt, 6)}$, i.e. {fmt(key, 3)}."
            return numeric_item(stem, key, wrongs, expl, decimals=3 if k <= 100 else 4), {"optimum": key}
        key = float(label_smoothing_min_loss(k, p.eps))
        stem = f"{conv} The vocabulary has $K = {k:,}$ tokens. What is the smallest loss any model can reach on one token?"
        k1 = np.full(k, p.eps / (k - 1)) if k > 1 else np.ones(1)
        k1[0] = 1 - p.eps
        wrongs = [
            Wrong(0.0, "M-LS-MIN-ZERO", "With smoothing the target is not one-hot, so the loss cannot reach 0: its minimum is $H(q)$."),
            Wrong(float(entropy(k1)), "M-LS-K-1", "That is the entropy of the $\\varepsilon/(K-1)$ target; here every token gets $\\varepsilon/K$."),
            Wrong(float(-np.log(opt)), "M-LS-ONLY-TARGET", "That counts only the gold term $-\\ln q_c$; the uniform part adds $-\\sum_{j\\ne c} q_j\\ln q_j$."),
        ]
        expl = f"The minimum is reached at $p = q$ and equals the entropy $H(q)$: with $q_c = {fmt(opt, 5)}$ and $q_j = {p.eps:g}/{k}$, $H(q) = {fmt(key, 4)}$."
        return numeric_item(stem, key, wrongs, expl), {"min_loss": key}
    names = p.probs.names
    probs = np.array(p.probs.probs)
    c = pick_gold(p.probs, p.gold_is_argmax, rng)
    k = len(names)
    key = float(label_smoothing_loss(probs, c, p.eps))
    ce = float(cross_entropy(probs, c))
    qk1 = np.full(k, p.eps / (k - 1))
    qk1[c] = 1 - p.eps
    wrongs = [
        Wrong(ce, "M-LS-NOSMOOTH", "That is the plain cross-entropy; smoothing adds the uniform term."),
        Wrong((1 - p.eps) * ce, "M-LS-ONLY-TARGET", "That keeps the gold term but drops $\\varepsilon\\cdot\\overline{(-\\ln p_k)}$."),
        Wrong(float(-(qk1 * np.log(probs)).sum()), "M-LS-K-1", "That uses $\\varepsilon/(K-1)$ on the wrong tokens; the stem spreads $\\varepsilon/K$ over all tokens."),
    ]
    mean_nl = float(-np.log(probs).mean())
    stem = (f"{conv} The vocabulary is exactly these K = {k} tokens, the gold token is {tok(names[c])}, and the model gives\n\n"
            f"{token_table([('probability', p.probs)])}\n\nWhat is the smoothed loss on this token?")
    expl = (f"$L = (1-\\varepsilon)(-\\ln p_c) + \\varepsilon\\cdot\\mathrm{{mean}}_k(-\\ln p_k) = {1 - p.eps:g}\\cdot{fmt(ce, 4)} + "
            f"{p.eps:g}\\cdot{fmt(mean_nl, 4)} = {fmt(key, 4)}$, i.e. {fmt(key, 3)}.")
    return numeric_item(stem, key, wrongs, expl), {"loss": key}
