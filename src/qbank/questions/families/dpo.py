"""F19: the DPO loss, its implicit rewards and the direction of its gradient."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import dpo_loss, dpo_loss_grad, sigmoid, softplus
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item


class Dpo(FamilyParams):
    beta: Annotated[float, Draw(Choice(options=(0.05, 0.1, 0.5)))]
    ask: Annotated[Literal["loss", "reward", "grad"], Draw(Choice(options=("loss", "reward", "grad"), weights=(2, 1, 1)))]


@family(
    "dpo",
    params=Dpo,
    summary="DPO: implicit rewards, the loss -ln σ(β(Δ_w - Δ_l)) and the gradient on ln π(y_w).",
    topics=("dpo", "preference-optimisation"),
    bloom=("apply", "analyze"),
    item_types=("numeric",),
)
def build(p: Dpo, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    ref_w, ref_l = np.round(rng.uniform(-60, -5, size=2), 1)
    pol_w, pol_l = np.round(ref_w + rng.uniform(-3, 3), 1), np.round(ref_l + rng.uniform(-3, 3), 1)
    b = p.beta
    loss, rw, rl = (float(x) for x in dpo_loss(pol_w, pol_l, ref_w, ref_l, b))
    u = rw - rl
    if abs(u) < 1e-3:
        raise Reject("zero margin")
    stem = (f"Sequence log-probabilities of a preferred response $y_w$ and a rejected one $y_l$: policy "
            f"$\\ln\\pi_\\theta(y_w) = {pol_w:g}$, $\\ln\\pi_\\theta(y_l) = {pol_l:g}$; reference $\\ln\\pi_{{ref}}(y_w) = {ref_w:g}$, "
            f"$\\ln\\pi_{{ref}}(y_l) = {ref_l:g}$; $\\beta = {b:g}$. DPO's implicit reward is $\\hat r = \\beta\\ln(\\pi_\\theta/\\pi_{{ref}})$.")
    base = (f"$\\hat r_w = {b:g}\\cdot({fmt(pol_w - ref_w, 1)}) = {fmt(rw, 4)}$, $\\hat r_l = {b:g}\\cdot({fmt(pol_l - ref_l, 1)}) = {fmt(rl, 4)}$, "
            f"margin $u = {fmt(u, 4)}$, $L = -\\ln\\sigma(u) = {fmt(loss, 4)}$.")
    if p.ask == "reward":
        key = rw
        wrongs = [Wrong(b * pol_w, "M-DPO-NO-REF", "The implicit reward is relative to the reference: $\\beta(\\ln\\pi_\\theta - \\ln\\pi_{ref})$.")]
        return numeric_item(stem + "\n\nWhat is the implicit reward $\\hat r_w$ of the preferred response?", key, wrongs, base), {"loss": loss}
    if p.ask == "grad":
        gw, _ = (float(x) for x in dpo_loss_grad(pol_w, pol_l, ref_w, ref_l, b))
        key = gw
        wrongs = [Wrong(-gw, "M-DPO-SIGN", "The loss falls as $\\ln\\pi_\\theta(y_w)$ rises, so its gradient there is negative."),
                  Wrong(-b * float(sigmoid(-((pol_w - ref_w) - (pol_l - ref_l)))), "M-DPO-BETA-OUT",
                        "That differentiates $\\beta\\cdot(-\\ln\\sigma(\\Delta))$ with the unscaled margin; $\\beta$ belongs inside: $-\\beta\\sigma(-u)$.")]
        expl = base + f" $\\partial L/\\partial\\ln\\pi_\\theta(y_w) = -\\beta\\sigma(-u) = {fmt(gw, 4)}$: descent raises $\\ln\\pi_\\theta(y_w)$."
        return numeric_item(stem + "\n\nWhat is $\\partial L/\\partial \\ln\\pi_\\theta(y_w)$?", key, wrongs, expl, decimals=4), {"loss": loss}
    # -ln σ(x) as softplus(-x): ln of a σ near 1 keeps only the digits that survive the
    # subtraction from 1, and those differed between CPUs (numpy's exp/log for AVX-512 and for
    # AVX2 round differently in the last bit).
    wrongs = [
        Wrong(float(softplus(-b * (pol_w - pol_l))), "M-DPO-NO-REF", "The reference log-probabilities are part of the margin."),
        Wrong(b * float(softplus(-((pol_w - ref_w) - (pol_l - ref_l)))), "M-DPO-BETA-OUT", "$\\beta$ scales the margin inside the log-sigmoid."),
        Wrong(float(softplus(u)), "M-DPO-SIGN", "That reverses the margin, as if $y_l$ were preferred."),
        Wrong(0.0, "M-DPO-INIT-ZERO", "The DPO loss is never 0; it is $\\ln 2$ at $\\pi_\\theta = \\pi_{ref}$."),
    ]
    return numeric_item(stem + "\n\nWhat is the DPO loss on this pair?", loss, wrongs, base), {"loss": loss}
