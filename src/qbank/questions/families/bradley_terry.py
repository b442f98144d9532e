"""F15: Bradley-Terry preference probability, the pairwise reward-model loss and its gradient."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import bradley_terry, reward_model_loss, reward_model_loss_grad, sigmoid
from ..params import Choice, Reject, Uniform
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item


class BradleyTerry(FamilyParams):
    r_a: Annotated[float, Draw(Uniform(low=-3, high=3, decimals=1))]
    r_b: Annotated[float, Draw(Uniform(low=-3, high=3, decimals=1))]
    preferred: Annotated[Literal["a", "b"], Draw(Choice(options=("a", "b")))]
    ask: Annotated[Literal["prob", "loss", "grad", "scaled"], Draw(Choice(options=("prob", "loss", "grad", "scaled")))]
    prompt: Annotated[str, Draw(Choice(options=("Summarise this article.", "Write a haiku about rain.", "Explain recursion to a child.",
                                                "Translate 'good morning' to French.", "Give three tips for sleeping well.")))]


@family(
    "bradley-terry",
    params=BradleyTerry,
    summary="Bradley-Terry: P(a ≻ b) from reward scores, the pairwise loss, its gradient, the effect of scaling.",
    topics=("bradley-terry", "reward-model", "rlhf"),
    bloom=("apply",),
    item_types=("numeric",),
)
def build(p: BradleyTerry, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    if p.r_a == p.r_b:
        raise Reject("equal scores")
    rw, rl = (p.r_a, p.r_b) if p.preferred == "a" else (p.r_b, p.r_a)
    w = p.preferred
    intro = (f"For the prompt *{p.prompt}* a reward model scores two responses $r_a = {p.r_a:g}$ and $r_b = {p.r_b:g}$; "
             f"a labeller preferred response {w}. The reward model uses the Bradley-Terry model $P(a \\succ b) = \\sigma(r_a - r_b)$.")
    pab = float(bradley_terry(p.r_a, p.r_b))
    # 1 - σ(x) is written σ(-x): the subtraction keeps only the digits of a σ near 1 that
    # differ from 1, and those differed between CPUs (numpy's AVX-512 and AVX2 exp round
    # differently in the last bit).
    if p.ask == "prob":
        key = pab
        wrongs = [
            Wrong(float(sigmoid(p.r_a)), "M-BT-ABS", "Bradley-Terry uses the *difference* of the scores, not $\\sigma(r_a)$."),
            Wrong(p.r_a / (p.r_a + p.r_b) if p.r_a + p.r_b != 0 else np.nan, "M-BT-RATIO", "$r_a/(r_a+r_b)$ is meaningless for negative scores; use $\\sigma(r_a - r_b)$."),
            Wrong(float(bradley_terry(p.r_b, p.r_a)), "M-BT-SIGN", "That is $\\sigma(r_b - r_a) = P(b \\succ a)$."),
        ]
        q, expl = "What is $P(a \\succ b)$ under the model?", f"$P(a\\succ b) = \\sigma({p.r_a:g} - ({p.r_b:g})) = \\sigma({fmt(p.r_a - p.r_b, 1)}) = {fmt(key, 4)}$."
    elif p.ask == "scaled":
        key = float(bradley_terry(2 * p.r_a, 2 * p.r_b))
        wrongs = [Wrong(pab, "M-BT-SCALE", "Scaling both scores scales their difference: P changes (a shift would not)."),
                  Wrong(float(bradley_terry(2 * p.r_b, 2 * p.r_a)), "M-BT-SIGN", "That is $P(b \\succ a)$ after doubling.")]
        q = "If both scores are doubled, what is $P(a \\succ b)$?"
        expl = f"$\\sigma(2r_a - 2r_b) = \\sigma({fmt(2 * (p.r_a - p.r_b), 1)}) = {fmt(key, 4)}$, versus ${fmt(pab, 4)}$ before: scaling changes P, shifting does not."
    elif p.ask == "loss":
        key = float(reward_model_loss(rw, rl))
        pw = float(bradley_terry(rw, rl))
        wrongs = [Wrong(float(bradley_terry(rl, rw)), "M-BT-LOSS-NOLOG", "The loss is $-\\ln\\sigma(r_w - r_l)$, not $1-\\sigma$."),
                  Wrong(float(reward_model_loss(rl, rw)), "M-BT-SIGN", "That scores the rejected response as if it had won.")]
        q = "What is the pairwise reward-model loss $-\\ln\\sigma(r_w - r_l)$ on this comparison?"
        expl = f"$L = -\\ln\\sigma({rw:g} - ({rl:g})) = \\mathrm{{softplus}}({fmt(rl - rw, 1)}) = {fmt(key, 4)}$."
    else:
        gw, gl = (float(x) for x in reward_model_loss_grad(rw, rl))
        key = gw
        wrongs = [Wrong(gl, "M-BT-SIGN", "That is the gradient on the rejected response's score; the preferred one's is negative."),
                  Wrong(-float(bradley_terry(rw, rl)), "M-BT-SIGN", "The gradient is $-\\sigma(r_l - r_w)$, the probability of the *wrong* order.")]
        q = f"What is $\\partial L/\\partial r_{w}$, the gradient of the pairwise loss on the preferred response's score?"
        expl = f"$\\partial L/\\partial r_w = -\\sigma(r_l - r_w) = -\\sigma({fmt(rl - rw, 1)}) = {fmt(key, 4)}$ (and $+{fmt(gl, 4)}$ on $r_l$)."
    return numeric_item(intro + "\n\n" + q, key, wrongs, expl), {"p_a_over_b": pab}
