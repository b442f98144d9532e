"""F18: the PPO clipped surrogate: ratio, clipped objective, and whether the gradient vanishes."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from ...engine import ppo_clip_grad, ppo_clip_objective, ppo_ratio
from ..items import MultipartContent, TrueFalsePart
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_part, tolerance_note


class PpoClip(FamilyParams):
    epsilon: Annotated[float, Draw(Choice(options=(0.1, 0.2, 0.3)))]
    quadrant: Annotated[str, Draw(Choice(options=("A+ above", "A+ below", "A- above", "A- below", "A+ inside", "A- inside")))]


@family(
    "ppo-clip",
    params=PpoClip,
    summary="PPO clipping: the ratio, the clipped objective min(ρA, clip(ρ)A), and whether the gradient is zero.",
    topics=("ppo", "rlhf"),
    bloom=("analyze",),
    item_types=("multipart",),
)
def build(p: PpoClip, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    eps = p.epsilon
    sign, where = p.quadrant.split()
    adv = round(float(rng.uniform(0.2, 3.0)) * (1 if sign == "A+" else -1), 2)
    old = round(float(rng.uniform(-4, -0.3)), 2)
    ranges = {"above": (1 + eps + 0.05, 1.8), "below": (0.3, 1 - eps - 0.05), "inside": (1 - eps + 0.02, 1 + eps - 0.02)}
    lo, hi = ranges[where]
    new = round(old + float(np.log(rng.uniform(lo, hi))), 2)
    rho = float(ppo_ratio(new, old))
    # The displayed log-probs are rounded, so check the quadrant on the ratio they give.
    if where == "above" and rho < 1 + eps + 0.05 or where == "below" and rho > 1 - eps - 0.05 or where == "inside" and abs(rho - 1) > eps - 0.02:
        raise Reject("the rounded ratio left its quadrant")
    obj = float(ppo_clip_objective(rho, adv, eps))
    grad = float(ppo_clip_grad(rho, adv, eps))
    clipped = float(np.clip(rho, 1 - eps, 1 + eps))
    stem = (f"A PPO update sees an action with $\\ln\\pi_{{old}}(a|s) = {old:g}$, $\\ln\\pi_{{new}}(a|s) = {new:g}$, advantage "
            f"$A = {adv:g}$ and clip range $\\varepsilon = {eps:g}$. The objective (maximised) is "
            f"$L = \\min(\\rho A, \\mathrm{{clip}}(\\rho, 1-\\varepsilon, 1+\\varepsilon)A)$.\n\nFor the numeric parts: {tolerance_note(3)}")
    a = numeric_part("ratio", "The probability ratio $\\rho$", rho, [
        Wrong(new - old, "M-PPO-LOGRATIO", "The ratio is $e^{\\ln\\pi_{new} - \\ln\\pi_{old}}$, not the log-ratio.")])
    b = numeric_part("objective", "The clipped objective $L$", obj, [
        Wrong(clipped * adv, "M-PPO-NO-MIN", "PPO takes the minimum of the clipped and unclipped terms."),
        Wrong(max(rho * adv, clipped * adv), "M-PPO-MAX", "PPO takes the pessimistic minimum, not the maximum."),
        Wrong((new - old) * adv, "M-PPO-LOGRATIO", "The surrogate uses the ratio, not the log-ratio."),
        Wrong(float(np.clip(rho * adv, 1 - eps, 1 + eps)), "M-PPO-CLIP-PRODUCT", "The ratio is clipped, not the product $\\rho A$."),
    ])
    zero = grad == 0.0
    terms = f"$\\rho A = {fmt(rho * adv, 4)}$ and $\\mathrm{{clip}}(\\rho)A = {fmt(clipped * adv, 4)}$"
    if zero:
        # the clipped term binds: A > 0 with rho above 1 + eps, or A < 0 with rho below 1 - eps
        why = (f"Here {terms}: the clipped term is the minimum, and it is constant in $\\rho$ "
               f"(ρ = {fmt(rho, 4)} is {'above' if rho > 1 else 'below'} the clip range with A {'>' if adv > 0 else '<'} 0), so the gradient is zero.")
        right, wrong = "Right. " + why, "It is zero. " + why + " Clipping does not merely scale the gradient: it removes it."
    else:
        where_text = ("ρ lies inside the clip range, so clipping changes nothing" if abs(rho - 1) <= eps else
                      "the clipped term is the larger one here, so the minimum keeps the unclipped $\\rho A$")
        why = f"Here {terms}: {where_text}, and $dL/d\\rho = A = {adv:g} \\ne 0$."
        right, wrong = "Right. " + why, "It is not zero. " + why
    c = TrueFalsePart(
        label="zero_grad", prompt="True or false: the gradient of $L$ with respect to $\\pi_{new}(a|s)$ is zero here.",
        answer=zero,
        feedback_true=right if zero else wrong,
        feedback_false=wrong if zero else right,
        misconception="M-PPO-GRAD-ALWAYS" if zero else None,
    )
    expl = (f"$\\rho = e^{{{new:g} - ({old:g})}} = {fmt(rho, 4)}$; clip gives ${fmt(clipped, 4)}$; "
            f"$\\min({fmt(rho * adv, 4)}, {fmt(clipped * adv, 4)}) = {fmt(obj, 4)}$. "
            + ("The clipped term binds, so the gradient is zero." if grad == 0.0 else f"The unclipped term binds, so $dL/d\\rho = A = {adv:g}$."))
    return MultipartContent(stem=stem, parts=(a, b, c), explanation=expl), {"ratio": rho, "objective": obj}
