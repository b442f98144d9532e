"""DPO vs the RLHF objective at the optimum: the implicit reward r - β ln Z and what the shift does."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import implicit_reward, kl_regularized_optimum, log_partition, sigmoid
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._common import Wrong, choice_item, draw_probs, fmt, numeric_item


class DpoOptimum(FamilyParams):
    beta: Annotated[float, Draw(Choice(options=(0.5, 1.0, 2.0)))]
    k: Annotated[int, Draw(Choice(options=(3, 4)))]
    ask: Annotated[Literal["implicit", "preference", "shift"], Draw(Choice(options=("implicit", "preference", "shift")))]


@family(
    "dpo-optimum",
    params=DpoOptimum,
    summary="DPO vs RLHF at the optimum π* ∝ π_ref e^{r/β}: the implicit reward β ln(π*/π_ref) = r - β ln Z, and why β ln Z cancels.",
    topics=("dpo", "rlhf", "kl-penalty"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "single_choice"),
)
@with_hint(
    "At the optimum $\\pi^* \\propto \\pi_{ref}e^{r/\\beta}$, so $\\beta\\ln(\\pi^*/\\pi_{ref}) = r - \\beta\\ln Z$, with one $Z$ for the whole prompt."
)
def build(p: DpoOptimum, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    k, b = p.k, p.beta
    ref = draw_probs(rng, k, 1.0, min_prob=0.05)
    r = rng.choice(np.arange(-10, 21), k, replace=False) / 10
    star, _ = kl_regularized_optimum(ref, r, b)
    star = np.asarray(star)
    lz = float(log_partition(ref, r, b))
    shift = b * lz
    if abs(shift) < 0.05:
        raise Reject("the shift is too small to see")
    hat = implicit_reward(np.log(star), np.log(ref), b)
    names = [f"y{i + 1}" for i in range(k)]
    table = ("| response | $\\pi_{ref}$ | reward $r$ |\n|---|---:|---:|\n"
             + "\n".join(f"| {n} | {fmt(ref[i], 2)} | {r[i]:g} |" for i, n in enumerate(names)))
    stem = (f"A reference policy and a reward model over {k} responses to a prompt:\n\n{table}\n\n"
            f"RLHF with KL coefficient $\\beta = {b:g}$ is optimised exactly: the policy becomes "
            "$\\pi^*(y) = \\pi_{ref}(y)e^{r(y)/\\beta}/Z$. DPO's implicit reward of a response is "
            "$\\hat r(y) = \\beta\\ln(\\pi^*(y)/\\pi_{ref}(y))$.")
    base = ("$\\pi^*$: " + ", ".join(f"{n} {fmt(star[i], 4)}" for i, n in enumerate(names))
            + f"; $\\ln Z = {fmt(lz, 4)}$, $\\beta\\ln Z = {fmt(shift, 4)}$.")
    data = {"optimum": star.tolist(), "beta_log_z": shift}
    if p.ask == "implicit":
        i = int(rng.integers(k))
        key = float(hat[i])
        wrongs = [
            Wrong(float(r[i]), "M-IMPLICIT-NO-Z", f"The implicit reward is the reward shifted by $-\\beta\\ln Z = {fmt(-shift, 4)}$, not $r$ itself."),
            Wrong(key / b, "M-IMPLICIT-NO-BETA", "That is the log-ratio $\\ln(\\pi^*/\\pi_{ref})$; the implicit reward multiplies it by $\\beta$."),
            Wrong(b * float(np.log(star[i])), "M-DPO-NO-REF", "The implicit reward is relative to the reference: $\\beta\\ln(\\pi^*/\\pi_{ref})$."),
        ]
        expl = base + f" $\\hat r({names[i]}) = r - \\beta\\ln Z = {r[i]:g} - {fmt(shift, 4)} = {fmt(key, 4)}$."
        return numeric_item(stem + f"\n\nWhat is the implicit reward $\\hat r({names[i]})$?", key, wrongs, expl), data
    if p.ask == "preference":
        i, j = (int(x) for x in rng.choice(k, 2, replace=False))
        key = float(sigmoid(hat[i] - hat[j]))
        wrongs = [
            Wrong(float(sigmoid(hat[i])), "M-BT-ABS", "Bradley-Terry uses the difference of the two implicit rewards, not one of them."),
            Wrong(float(sigmoid((r[i] - r[j]) / b)), "M-IMPLICIT-NO-BETA", "The margin is $\\beta$ times the log-ratio difference, i.e. $r_a - r_b$, not $(r_a - r_b)/\\beta$."),
            Wrong(float(star[i] / (star[i] + star[j])), "M-IMPLICIT-POLICY-RATIO", "Comparing $\\pi^*$ probabilities ignores the reference; the implicit reward divides by $\\pi_{ref}$."),
        ]
        expl = base + (f" $\\hat r({names[i]}) - \\hat r({names[j]}) = r({names[i]}) - r({names[j]}) = {fmt(r[i] - r[j], 1)}$ "
                       f"(the shift cancels), so $P = \\sigma({fmt(r[i] - r[j], 1)}) = {fmt(key, 4)}$.")
        return numeric_item(stem + f"\n\nUnder the Bradley-Terry model on the implicit rewards, what is $P({names[i]} \\succ {names[j]})$?",
                            key, wrongs, expl), data
    i = int(rng.integers(k))
    v = fmt(shift, 3)
    wrongs = [
        Wrong(f"β ln Z = {v} for {names[i]} only, so DPO must estimate Z for every pair.", "M-IMPLICIT-Z-MATTERS",
              f"Z sums over all responses to the prompt: the shift {v} is the same for every response."),
        Wrong("β ln Z = 0 at the optimum, so the implicit reward is r itself.", "M-IMPLICIT-NO-Z",
              f"Here $\\beta\\ln Z = {v}$: the implicit reward is $r - {v}$, and only differences are pinned down."),
        Wrong(f"β ln Z = {v} is the KL penalty, which the DPO loss counts twice.", "M-IMPLICIT-Z-IS-KL",
              f"$\\beta\\ln Z$ is the optimum's objective value $E[r] - \\beta KL$, not the penalty; and it cancels in the margin."),
    ]
    expl = base + f" Every $\\hat r(y) = r(y) - {v}$, so $\\hat r(y_a) - \\hat r(y_b) = r(y_a) - r(y_b)$: Bradley-Terry never sees Z."
    item = choice_item(stem + "\n\nWhich statement about the shift between $r$ and $\\hat r$ is right?",
                       f"β ln Z = {v} for every response, so it cancels in DPO margins.",
                       f"Right: the shift is {v} for every response and cancels in every difference.", wrongs, rng, expl)
    return item, data
