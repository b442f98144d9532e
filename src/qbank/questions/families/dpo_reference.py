"""The reference model and β in DPO: which pair gets the largest push, how β changes the loss."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import dpo_loss, sigmoid, softplus
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, choice_item, fmt, numeric_item


class DpoReference(FamilyParams):
    beta: Annotated[float, Draw(Choice(options=(0.1, 0.2, 0.5)))]
    ask: Annotated[Literal["push", "beta", "statements"], Draw(Choice(options=("push", "beta", "statements")))]


def _pairs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Rows (policy y_w, policy y_l, reference y_w, reference y_l) of sequence log-probabilities."""
    ref = np.round(rng.uniform(-40, -8, size=(n, 2)), 1)
    pol = np.round(ref + rng.uniform(-4, 4, size=(n, 2)), 1)
    return np.column_stack([pol, ref])


def _table(rows: np.ndarray) -> str:
    head = "| pair | $\\ln\\pi_\\theta(y_w)$ | $\\ln\\pi_\\theta(y_l)$ | $\\ln\\pi_{ref}(y_w)$ | $\\ln\\pi_{ref}(y_l)$ |\n|---|---:|---:|---:|---:|\n"
    return head + "\n".join(f"| {i + 1} | " + " | ".join(f"{x:g}" for x in row) + " |" for i, row in enumerate(rows))


_LOSS = "The DPO loss is $L = -\\ln\\sigma(u)$ with margin $u = \\beta[(\\ln\\pi_\\theta(y_w) - \\ln\\pi_{ref}(y_w)) - (\\ln\\pi_\\theta(y_l) - \\ln\\pi_{ref}(y_l))]$."


@family(
    "dpo-reference",
    params=DpoReference,
    summary="DPO's reference model and β: the gradient weight σ(-u) across pairs, the loss as β changes, what neither can do.",
    topics=("dpo", "preference-optimisation"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "single_choice", "multiple_response"),
)
@with_hint(
    "DPO's margin measures how much more the policy moved up on $y_w$ than on $y_l$, each relative to the reference, scaled by $\\beta$; the gradient weight is $\\sigma(-u)$."
)
def build(p: DpoReference, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    b = p.beta
    if p.ask == "push":
        rows = _pairs(rng, 3)
        u = b * ((rows[:, 0] - rows[:, 2]) - (rows[:, 1] - rows[:, 3]))
        raw = rows[:, 0] - rows[:, 1]
        key, no_ref, won = int(np.argmin(u)), int(np.argmin(raw)), int(np.argmax(u))
        if len({key, no_ref, won}) < 3 or np.min(np.diff(np.sort(u))) < 0.05 or np.min(np.diff(np.sort(raw))) < 0.5:
            raise Reject("the readings do not point at three different pairs")
        weight = sigmoid(-u)
        stem = (f"Three preference pairs, with sequence log-probabilities under the policy and the reference, and $\\beta = {b:g}$:\n\n"
                f"{_table(rows)}\n\n{_LOSS} Its gradient pushes $\\ln\\pi_\\theta(y_w)$ up with weight $\\beta\\sigma(-u)$. "
                "Which pair gets the largest push?")
        wrongs = [
            Wrong(f"Pair {no_ref + 1}", "M-DPO-NO-REF",
                  f"Pair {no_ref + 1} has the smallest *policy* margin ({fmt(raw[no_ref], 1)}), but the weight depends on the margin relative to the reference: $u = {fmt(u[no_ref], 3)}$."),
            Wrong(f"Pair {won + 1}", "M-DPO-PUSH-WON",
                  f"Pair {won + 1} has the largest margin $u = {fmt(u[won], 3)}$, so the smallest weight $\\sigma(-u) = {fmt(weight[won], 3)}$: DPO pushes hardest where it is most wrong."),
        ]
        expl = ("Margins $u$: " + ", ".join(f"pair {i + 1} {fmt(x, 3)}" for i, x in enumerate(u))
                + "; weights $\\sigma(-u)$: " + ", ".join(fmt(x, 3) for x in weight) + f". The largest weight is pair {key + 1}'s.")
        item = choice_item(stem, f"Pair {key + 1}", f"Right: pair {key + 1} has the smallest margin relative to the reference, $u = {fmt(u[key], 3)}$.",
                           wrongs, rng, expl, n_options=3)
        return item, {"margins": u.tolist()}
    rows = _pairs(rng, 1)
    pw, pl, rw, rl = (float(x) for x in rows[0])
    delta = (pw - rw) - (pl - rl)
    if abs(delta) < 1.0:
        raise Reject("log-ratio difference too small")
    stem = (f"One preference pair: policy $\\ln\\pi_\\theta(y_w) = {pw:g}$, $\\ln\\pi_\\theta(y_l) = {pl:g}$; reference "
            f"$\\ln\\pi_{{ref}}(y_w) = {rw:g}$, $\\ln\\pi_{{ref}}(y_l) = {rl:g}$. {_LOSS}")
    if p.ask == "beta":
        b2 = {0.1: 0.5, 0.2: 1.0, 0.5: 0.1}[b]
        l1, l2 = float(dpo_loss(pw, pl, rw, rl, b)[0]), float(dpo_loss(pw, pl, rw, rl, b2)[0])
        key = l2 - l1
        wrongs = [
            Wrong(l1 * b2 / b - l1, "M-DPO-BETA-OUT", f"$\\beta$ scales the margin inside $-\\ln\\sigma$, not the loss: $L$ goes from {fmt(l1, 4)} to {fmt(l2, 4)}."),
            Wrong(0.0, "M-DPO-BETA-NOEFFECT", "β is not a constant that cancels: it scales the margin $u$, so the loss changes."),
            Wrong(float(softplus(-b2 * (pw - pl))) - float(softplus(-b * (pw - pl))), "M-DPO-NO-REF",
                  "The margin subtracts the reference log-probabilities; the policy's own difference is not the margin."),
        ]
        expl = (f"Log-ratio difference ${fmt(delta, 1)}$: at $\\beta = {b:g}$, $u = {fmt(b * delta, 3)}$ and $L = {fmt(l1, 4)}$; "
                f"at $\\beta = {b2:g}$, $u = {fmt(b2 * delta, 3)}$ and $L = {fmt(l2, 4)}$. Change: ${fmt(key, 4)}$.")
        return numeric_item(stem + f"\n\nBy how much does the loss change when $\\beta$ goes from {b:g} to {b2:g} (new minus old)?",
                            key, wrongs, expl, decimals=4 if abs(key) < 0.1 else 3), {"loss": l1}
    u = b * delta
    hi = 2 * b
    l_b, l_hi = float(dpo_loss(pw, pl, rw, rl, b)[0]), float(dpo_loss(pw, pl, rw, rl, hi)[0])
    l_noref = float(softplus(-b * (pw - pl)))  # -ln σ, without ln of a σ near 1 (see dpo.py)
    wt = float(sigmoid(-u))
    pairs = [
        Pair("At $\\pi_\\theta = \\pi_{ref}$ the loss on any pair is {}.", signed(float(np.log(2))), signed(0.0),
             "Right: the margin is 0 there and $-\\ln\\sigma(0) = \\ln 2$.", "The margin is 0 there, and $-\\ln\\sigma(0) = \\ln 2$, not 0.", "M-DPO-INIT-ZERO"),
        Pair("The gradient pushes $\\ln\\pi_\\theta(y_w)$ up with weight {}.", signed(wt), signed(0.0),
             "Right: $\\sigma(-u) > 0$ for every margin.", f"The weight $\\sigma(-u) = {fmt(wt, 3)}$ shrinks as $u$ grows but is never 0.", "M-DPO-GRAD-STOPS"),
        Pair(f"With $\\beta = {hi:g}$ the loss on this pair is {{}}.", signed(l_hi), signed(l_b * hi / b),
             f"Right: $u = {fmt(hi * delta, 3)}$.", "$\\beta$ scales the margin inside $-\\ln\\sigma$, not the loss.", "M-DPO-BETA-OUT"),
        Pair(f"With $\\beta = {b:g}$ the loss on this pair is {{}}.", signed(l_b), signed(l_noref),
             f"Right: $u = {fmt(u, 3)}$.", "The margin subtracts the reference log-probabilities.", "M-DPO-NO-REF"),
    ]
    expl = (f"$u = {b:g}\\cdot[({fmt(pw - rw, 1)}) - ({fmt(pl - rl, 1)})] = {fmt(u, 3)}$, $L = {fmt(l_b, 4)}$, "
            f"weight $\\sigma(-u) = {fmt(wt, 3)}$; at $\\beta = {hi:g}$, $L = {fmt(l_hi, 4)}$.")
    return paired_item(stem + f" Here $\\beta = {b:g}$.\n\nWhich statements are true?", pairs, rng, expl), {"margin": u}
