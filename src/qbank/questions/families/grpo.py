"""GRPO: group-relative advantages, the clipped group objective, and what the normalisation implies."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import group_advantages, grpo_objective
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, choice_item, fmt, numeric_item

_PROMPTS = ("Prove that 17 is prime.", "Sum the integers from 1 to 40.", "Solve 3x + 5 = 26.",
            "Write a regex for a US zip code.", "Sort the list [5, 2, 9, 1].")


class Grpo(FamilyParams):
    group_size: Annotated[int, Draw(Choice(options=(4, 5, 6)))]
    epsilon: Annotated[float, Draw(Choice(options=(0.1, 0.2, 0.3)))]
    ask: Annotated[Literal["advantage", "objective", "largest", "statements"],
                   Draw(Choice(options=("advantage", "objective", "largest", "statements")))]
    prompt: Annotated[str, Draw(Choice(options=_PROMPTS))]


_RULE = ("GRPO scores each response against its own group: $A_i = (r_i - \\bar r)/s$, with $\\bar r$ the group's mean reward "
         "and $s$ its standard deviation (dividing by $G$, the group size).")


def _rewards(rng: np.random.Generator, g: int) -> np.ndarray:
    r = rng.choice(np.arange(-10, 21), g, replace=False) / 10  # distinct rewards on a 0.1 grid in [-1, 2]
    if abs(float(np.std(r)) - 1.0) < 0.05:
        raise Reject("spread too close to 1: scaling would not show")
    return r


def _table(names: list[str], cols: list[tuple[str, list[str]]]) -> str:
    head = "| response | " + " | ".join(c for c, _ in cols) + " |\n|---|" + "---:|" * len(cols) + "\n"
    return head + "\n".join(f"| {n} | " + " | ".join(v[i] for _, v in cols) + " |" for i, n in enumerate(names))


@family(
    "grpo",
    params=Grpo,
    summary="GRPO: group-normalised advantages (r - mean)/sd, the clipped group objective, and what the normalisation implies.",
    topics=("grpo", "rlhf", "policy-gradient"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "single_choice", "multiple_response"),
)
@with_hint(
    "Each response is compared only with its own group: subtract the group's mean reward and divide by the group's standard deviation; the objective is PPO's clipped term averaged over the group."
)
def build(p: Grpo, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    g = p.group_size
    if p.ask == "largest":
        return _largest(p, rng)
    r = _rewards(rng, g)
    a = group_advantages(r)
    names = [f"y{i + 1}" for i in range(g)]
    mean, sd = float(r.mean()), float(np.std(r))
    intro = (f"For the prompt *{p.prompt}* the policy samples a group of {g} responses, scored by a reward model:\n\n"
             + _table(names, [("reward", [f"{x:g}" for x in r])]) + f"\n\n{_RULE}")
    basis = f"$\\bar r = {fmt(mean, 4)}$, $s = {fmt(sd, 4)}$"
    if p.ask == "advantage":
        i = int(rng.integers(g))
        key = float(a[i])
        wrongs = [
            Wrong(r[i] - mean, "M-GRPO-NO-SCALE", f"That is only centred: divide {fmt(r[i] - mean, 4)} by the spread $s = {fmt(sd, 4)}$ too."),
            Wrong(r[i] / sd, "M-GRPO-NO-CENTER", f"Subtract the group mean {fmt(mean, 4)} before dividing by $s$: the baseline is what makes it relative."),
            Wrong(float(r[i]), "M-GRPO-RAW-REWARD", f"The raw reward {r[i]:g} has no baseline; GRPO's advantage is relative to the group."),
        ]
        expl = f"{basis}; $A_{{{i + 1}}} = ({r[i]:g} - {fmt(mean, 4)})/{fmt(sd, 4)} = {fmt(key, 4)}$."
        return numeric_item(intro + f"\n\nWhat is the advantage of {names[i]}?", key, wrongs, expl), {"advantages": a.tolist()}
    if p.ask == "objective":
        return _objective(p, rng, r, a, names, intro, basis)
    return _statements(p, rng, r, a, names, intro, basis)


def _objective(p, rng, r, a, names, intro, basis):
    eps, g = p.epsilon, len(r)
    adv = np.round(a, 2)
    old = np.round(rng.uniform(-3.0, -0.5, size=g), 2)
    kinds = rng.permutation(["above", "below"] + ["any"] * (g - 2))
    ratio = np.where(kinds == "above", rng.uniform(1 + eps + 0.05, 1.7, g),
                     np.where(kinds == "below", rng.uniform(0.4, 1 - eps - 0.05, g), rng.uniform(0.6, 1.5, g)))
    new = np.round(old + np.log(ratio), 2)
    rho = np.exp(new - old)
    if np.min(np.abs(np.abs(rho - 1) - eps)) < 0.02:
        raise Reject("a ratio within 0.02 of the clip boundary")
    key = float(grpo_objective(new, old, adv, eps))
    clipped = np.clip(rho, 1 - eps, 1 + eps)
    terms = np.minimum(rho * adv, clipped * adv)
    if np.allclose(terms, clipped * adv, atol=1e-9):
        raise Reject("no term where the min matters")
    table = _table(names, [("advantage $A$", [fmt(x, 2) for x in adv]), ("$\\ln\\pi_{old}$", [f"{x:g}" for x in old]),
                           ("$\\ln\\pi_{new}$", [f"{x:g}" for x in new])])
    stem = (f"GRPO update for the prompt *{p.prompt}*: {g} responses with their (rounded) group advantages and sequence "
            f"log-probabilities under the old and the new policy:\n\n{table}\n\nWith clip range $\\varepsilon = {eps:g}$ and no KL term, "
            "the objective is the group mean of $\\min(\\rho_i A_i, \\mathrm{clip}(\\rho_i, 1-\\varepsilon, 1+\\varepsilon)A_i)$, "
            "$\\rho_i = \\pi_{new}(y_i)/\\pi_{old}(y_i)$. What is it?")
    wrongs = [
        Wrong(float((clipped * adv).mean()), "M-PPO-NO-MIN", "The clipped term alone drops the pessimistic minimum with $\\rho A$."),
        Wrong(float(np.maximum(rho * adv, clipped * adv).mean()), "M-PPO-MAX", "The objective takes the minimum of the two terms, not the maximum."),
        Wrong(float(terms.sum()), "M-GRPO-SUM", f"GRPO averages over the {g} responses of the group; the sum is {g} times too large."),
        Wrong(float(((new - old) * adv).mean()), "M-PPO-LOGRATIO", "The surrogate uses the ratio $\\rho = e^{\\ln\\pi_{new} - \\ln\\pi_{old}}$, not the log-ratio."),
    ]
    expl = ("Ratios " + ", ".join(fmt(x, 3) for x in rho) + "; terms $\\min(\\rho A, \\mathrm{clip}(\\rho)A)$: "
            + ", ".join(fmt(x, 4) for x in terms) + f"; mean ${fmt(key, 4)}$.")
    return numeric_item(stem, key, wrongs, expl), {"objective": key}


def _largest(p, rng):
    g = p.group_size
    # three prompts whose groups differ in level and spread, so that the raw reward, the centred
    # reward and the group z-score can each point at a different response
    grids = {"P": np.arange(15, 26), "Q": np.arange(-20, 11), "R": np.arange(-5, 16)}
    groups = {k: rng.choice(v, g, replace=False) / 10 for k, v in grids.items()}
    names = [f"{k}{i + 1}" for k in groups for i in range(g)]
    r = np.concatenate(list(groups.values()))
    adv = np.concatenate([group_advantages(v) for v in groups.values()])
    centred = np.concatenate([v - v.mean() for v in groups.values()])
    # three options, each a different reading of "advantage": the key (group z-score), the raw or
    # pooled reward, and the centred-only reward
    picks = [int(np.argmax(adv)), int(np.argmax(r)), int(np.argmax(centred))]
    if len(set(picks)) < 3:
        raise Reject("the cue answers coincide")
    srt = np.sort(adv)
    if srt[-1] - srt[-2] < 0.05 or np.sort(r)[-1] == np.sort(r)[-2] or np.sort(centred)[-1] - np.sort(centred)[-2] < 1e-9:
        raise Reject("a top value is not clear")
    k, raw, cen = picks
    stem = (f"Three prompts, {g} sampled responses each, with reward-model scores:\n\n"
            + "\n".join(f"* prompt {key}: " + ", ".join(f"{key}{i + 1} {x:g}" for i, x in enumerate(v)) for key, v in groups.items())
            + f"\n\n{_RULE} Which response gets the largest advantage?")
    wrongs = [
        Wrong(f"Response {names[raw]}", "M-GRPO-POOLED",
              f"{names[raw]} has the highest raw reward ({r[raw]:g}), but GRPO compares each response only with its own group: its advantage is {fmt(adv[raw], 3)}."),
        Wrong(f"Response {names[cen]}", "M-GRPO-NO-SCALE",
              f"{names[cen]} is furthest above its group mean ({fmt(centred[cen], 3)}), but dividing by its group's spread gives {fmt(adv[cen], 3)}."),
    ]
    expl = ("Advantages, group by group: " + ", ".join(f"{n} {fmt(x, 3)}" for n, x in zip(names, adv))
            + f". The largest is {names[k]} ({fmt(adv[k], 3)}).")
    item = choice_item(stem, f"Response {names[k]}", f"Right: {names[k]} is {fmt(adv[k], 3)} standard deviations above its own group's mean.",
                       wrongs, rng, expl, n_options=3)
    return item, {"advantages": adv.tolist()}


def _statements(p, rng, r, a, names, intro, basis):
    g = len(r)
    mean = float(r.mean())
    shift = float(rng.choice([2, 3, 5]))
    i, j = (int(x) for x in rng.choice(g, 2, replace=False))
    sd = float(np.std(r))
    k, m = (int(x) for x in rng.choice(g, 2, replace=False))
    pairs = [
        Pair(f"Response {names[i]} (reward {r[i]:g}) gets the advantage {{}}.", signed(a[i]), signed(r[i] - mean),
             f"Right: ({r[i]:g} - {fmt(mean, 3)})/{fmt(sd, 3)}.", f"That is only centred; dividing by $s = {fmt(sd, 3)}$ gives {signed(a[i])}.", "M-GRPO-NO-SCALE"),
        Pair(f"Response {names[j]} (reward {r[j]:g}) gets the advantage {{}}.", signed(a[j]), signed(r[j] / sd),
             f"Right: ({r[j]:g} - {fmt(mean, 3)})/{fmt(sd, 3)}.", f"Subtract the group mean {fmt(mean, 3)} first: the advantage is {signed(a[j])}.", "M-GRPO-NO-CENTER"),
        Pair(f"With {shift:g} added to every reward, {names[k]}'s advantage is {{}}.", signed(a[k]), signed((r[k] + shift) / sd),
             "Right: the mean moves with the rewards and the spread does not, so nothing changes.",
             f"The group mean also rises by {shift:g}: the advantage stays {signed(a[k])}.", "M-GRPO-NO-CENTER"),
        Pair(f"With every reward doubled, {names[m]}'s advantage is {{}}.", signed(a[m]), signed(2 * a[m]),
             "Right: doubling the rewards doubles the spread too.", f"The spread doubles as well: the advantage stays {signed(a[m])}.", "M-GRPO-SCALE"),
    ]
    expl = f"{basis}; advantages " + ", ".join(f"{n} {fmt(x, 3)}" for n, x in zip(names, a)) + "."
    item = paired_item(intro + "\n\nWhich statements are true?", pairs, rng, expl)
    return item, {"advantages": a.tolist()}
