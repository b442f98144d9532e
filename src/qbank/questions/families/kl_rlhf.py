"""F17: the KL-penalised RLHF objective, the KL-shaped reward and the optimal policy."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import expected_rlhf_objective, kl_divergence, kl_regularized_optimum, kl_shaped_reward
from ..items import OrderingContent
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, draw_probs, fmt, numeric_item


class KlRlhf(FamilyParams):
    beta: Annotated[float, Draw(Choice(options=(0.25, 0.5, 1.0, 2.0)))]
    k: Annotated[int, Draw(Choice(options=(3, 4, 5)))]
    ask: Annotated[Literal["shaped", "objective", "optimum", "order"], Draw(Choice(options=("shaped", "objective", "optimum")))]


@family(
    "kl-rlhf",
    params=KlRlhf,
    summary="The RLHF objective E[r] - β KL(π‖π_ref): shaped reward, objective value, optimal policy, ordering under π*.",
    topics=("rlhf", "kl-penalty"),
    bloom=("apply", "analyze"),
    item_types=("numeric", "ordering"),
)
def build(p: KlRlhf, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    k, b = p.k, p.beta
    ref = draw_probs(rng, k, 1.0, min_prob=0.03)
    pol = draw_probs(rng, k, 1.0, min_prob=0.03)
    r = np.round(rng.uniform(-1, 1.5, size=k), 2)
    names = [f"y{i + 1}" for i in range(k)]
    table = ("| response | $\\pi_{ref}$ | $\\pi_\\theta$ | reward $r$ |\n|---|---:|---:|---:|\n"
             + "\n".join(f"| {n} | {fmt(ref[i], 2)} | {fmt(pol[i], 2)} | {fmt(r[i], 2)} |" for i, n in enumerate(names)))
    stem = f"A policy $\\pi_\\theta$ and a reference $\\pi_{{ref}}$ over {k} candidate responses, with reward-model scores:\n\n{table}\n\nThe KL coefficient is $\\beta = {b:g}$."
    star, jstar = kl_regularized_optimum(ref, r, b)
    star = np.asarray(star)
    if p.ask == "order":
        if np.min(np.diff(np.sort(star))) < 0.01:
            raise Reject("two optimal probabilities are within 0.01")
        order = tuple(int(i) for i in np.argsort(-star))
        expl = "$\\pi^* \\propto \\pi_{ref}e^{r/\\beta}$: " + ", ".join(f"{names[i]}: {fmt(star[i], 3)}" for i in order) + "."
        return OrderingContent(stem=stem + "\n\nOrder the responses from most to least probable under the policy that maximises $E_\\pi[r] - \\beta\\,KL(\\pi\\|\\pi_{ref})$.",
                               entries=tuple(names), answer=order, explanation=expl, scoring="partial"), {"optimum": star.tolist()}
    if p.ask == "shaped":
        i = int(rng.integers(k))
        key = float(kl_shaped_reward(r[i], np.log(pol[i]), np.log(ref[i]), b))
        wrongs = [Wrong(float(r[i] + b * np.log(pol[i] / ref[i])), "M-KL-SIGN", "The penalty is subtracted: $r - \\beta\\ln(\\pi_\\theta/\\pi_{ref})$.")]
        expl = f"$r - \\beta\\ln(\\pi_\\theta/\\pi_{{ref}}) = {fmt(r[i], 2)} - {b:g}\\ln({fmt(pol[i], 2)}/{fmt(ref[i], 2)}) = {fmt(key, 4)}$."
        return numeric_item(stem + f"\n\nWhat is the KL-shaped reward of a sampled {names[i]}?", key, wrongs, expl), {}
    if p.ask == "objective":
        key = float(expected_rlhf_objective(pol, ref, r, b))
        er = float((pol * r).sum())
        kl = float(kl_divergence(pol, ref))
        wrongs = [Wrong(er + b * kl, "M-KL-SIGN", "The KL term is a penalty: subtract it."),
                  Wrong(er - b * float(kl_divergence(ref, pol)), "M-KL-REVERSE", "RLHF penalises $KL(\\pi_\\theta\\|\\pi_{ref})$, with the expectation under the policy.")]
        expl = f"$E_\\pi[r] = {fmt(er, 4)}$, $KL(\\pi_\\theta\\|\\pi_{{ref}}) = {fmt(kl, 4)}$, $J = {fmt(er, 4)} - {b:g}\\cdot{fmt(kl, 4)} = {fmt(key, 4)}$."
        return numeric_item(stem + "\n\nWhat is $J(\\pi_\\theta) = E_{\\pi_\\theta}[r] - \\beta\\,KL(\\pi_\\theta\\|\\pi_{ref})$?", key, wrongs, expl), {}
    i = int(np.argmax(r))
    key = float(star[i])
    no_ref = np.exp(r / b) / np.exp(r / b).sum()
    no_beta = ref * np.exp(r) / (ref * np.exp(r)).sum()
    tilt_pol = pol * np.exp(r / b) / (pol * np.exp(r / b)).sum()
    wrongs = [Wrong(float(no_ref[i]), "M-OPT-NO-REF", "The optimum tilts the *reference*: $\\pi^* \\propto \\pi_{ref}e^{r/\\beta}$."),
              Wrong(float(no_beta[i]), "M-OPT-NO-BETA", "The exponent is $r/\\beta$."),
              Wrong(float(tilt_pol[i]), "M-OPT-NO-REF", "That tilts the current policy; the optimum tilts the *reference*: $\\pi^* \\propto \\pi_{ref}e^{r/\\beta}$.")]
    expl = "$\\pi^*(y) = \\pi_{ref}(y)e^{r(y)/\\beta}/Z$: " + ", ".join(f"{n}: {fmt(star[j], 4)}" for j, n in enumerate(names)) + f"; $J^* = \\beta\\ln Z = {fmt(float(jstar), 4)}$."
    return numeric_item(stem + f"\n\nWhat probability does the optimal policy give {names[i]}?", key, wrongs, expl), {"optimum": star.tolist()}
