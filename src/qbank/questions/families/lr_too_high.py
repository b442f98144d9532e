"""A learning rate too high: one gradient step on a quadratic loss that raises the loss, and the 2/λ_max limit."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import quadratic_gd_step, quadratic_loss, stable_lr_limit
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, fmt, numeric_item


def _dist(i: int, c: float) -> str:
    """(w_i - c) with the sign folded in: (w_1 + 0.2), (w_2 - 0.5), w_1."""
    if c == 0:
        return f"w_{i}"
    return f"(w_{i} {'-' if c > 0 else '+'} {abs(c):g})"


class LrTooHigh(FamilyParams):
    flat: Annotated[float, Draw(Choice(options=(0.5, 1.0, 2.0)))]
    steep: Annotated[float, Draw(Choice(options=(4.0, 5.0, 8.0, 10.0)))]
    ask: Annotated[Literal["after", "limit", "statements"], Draw(Choice(options=("after", "limit", "statements")))]


@family(
    "lr-too-high",
    params=LrTooHigh,
    summary="Learning rate too high: the loss after one gradient step on a quadratic, the 2/λ_max limit, and diagnosing a step that raises the loss.",
    topics=("optimisation", "learning-rate", "sft"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "multiple_response"),
)
@with_hint(
    "A gradient step multiplies each distance to a quadratic's minimum by $1 - \\eta\\lambda$; its term in the loss grows when that factor exceeds $1$ in size."
)
def build(p: LrTooHigh, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    lam = np.array([p.flat, p.steep])
    ws = rng.choice(np.arange(-20, 21), 2, replace=False) / 10
    w0 = ws + rng.choice([-1, 1], 2) * rng.choice(np.arange(3, 16), 2) / 10
    limit = float(stable_lr_limit(lam))
    if p.ask == "statements":
        eta = round(float(rng.uniform(limit * 1.15, min(2 / p.flat, 2.4 * limit) * 0.95)), 2)
    else:
        eta = float(rng.choice([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4]))
    l0 = float(quadratic_loss(w0, ws, lam))
    w1, l1_t = quadratic_gd_step(w0, ws, lam, eta)
    l1 = float(l1_t)
    if abs(l1 - l0) < 0.01:
        raise Reject("the step barely changes the loss")
    g = lam * (w0 - ws)
    stem = (f"Near a minimum, a model's loss in two parameters is $L(w) = \\tfrac12[{p.flat:g}{_dist(1, ws[0])}^2 + {p.steep:g}{_dist(2, ws[1])}^2]$. "
            f"Training is at $w = ({w0[0]:g}, {w0[1]:g})$, where $L = {fmt(l0, 4)}$, and takes gradient-descent steps "
            f"$w \\leftarrow w - \\eta\\nabla L$ with learning rate $\\eta = {eta:g}$.")
    base = (f"$\\nabla L = ({fmt(g[0], 3)}, {fmt(g[1], 3)})$; each distance to the minimum is multiplied by $1 - \\eta\\lambda$: "
            f"${fmt(1 - eta * p.flat, 3)}$ and ${fmt(1 - eta * p.steep, 3)}$, giving $w = ({fmt(w1[0], 3)}, {fmt(w1[1], 3)})$ and "
            f"$L = {fmt(l1, 4)}$ (from {fmt(l0, 4)}).")
    data = {"loss_before": l0, "loss_after": l1}
    if p.ask == "after":
        d = w0 - ws
        wrongs = [
            Wrong(l0 - eta * float(g @ g), "M-LR-ALWAYS-DESCENT", f"$L - \\eta\\|\\nabla L\\|^2$ is the first-order prediction; for a step this large the curvature term decides."),
            Wrong(0.5 * float((lam * np.abs(1 - eta * lam) * d * d).sum()), "M-LR-NO-SQUARE", "The loss is quadratic in the distance, so each factor $1 - \\eta\\lambda$ enters squared."),
            Wrong(0.5 * float((lam * (1 + eta * lam) ** 2 * d * d).sum()), "M-SIGN-FLIP", "Descent moves against the gradient: $w - \\eta\\nabla L$."),
        ]
        return numeric_item(stem + "\n\nWhat is the loss after one step?", l1, wrongs, base), data
    if p.ask == "limit":
        wrongs = [
            Wrong(1 / p.steep, "M-LR-HALF-LIMIT", f"Above $1/\\lambda_{{max}} = {fmt(1 / p.steep, 4)}$ the step overshoots the minimum, but the loss still falls until $2/\\lambda_{{max}}$."),
            Wrong(2 / p.flat, "M-LR-MIN-CURV", "The steepest direction overshoots first: the limit is set by the largest curvature."),
            Wrong(2 / float(lam.mean()), "M-LR-MEAN-CURV", "One steep direction is enough to raise the loss: the limit uses $\\lambda_{max}$, not an average."),
        ]
        expl = (f"Along a direction of curvature $\\lambda$ the term is multiplied by $(1 - \\eta\\lambda)^2$, which exceeds 1 once "
                f"$\\eta > 2/\\lambda$. The first to go is the steepest: $\\eta_{{max}} = 2/{p.steep:g} = {fmt(limit, 4)}$.")
        return numeric_item(stem.replace(f" with learning rate $\\eta = {eta:g}$", "") +
                            "\n\nWhat is the largest learning rate for which no step, from any starting point, can raise the loss?",
                            limit, wrongs, expl, decimals=4), data
    if l1 <= l0 or abs(1 - eta * p.flat) >= 1 or abs(1 - eta * p.steep) <= 1:
        raise Reject("the step does not show the steep direction diverging")
    first_order = l0 - eta * float(g @ g)
    pairs = [
        Pair("After one step the loss is {}.", signed(l1), signed(first_order),
             f"Right: the steep direction overshoots by a factor {fmt(abs(1 - eta * p.steep), 3)}.",
             "$L - \\eta\\|\\nabla L\\|^2$ is the first-order guess; a step this long overshoots.", "M-LR-ALWAYS-DESCENT"),
        Pair("No step can raise the loss once $\\eta$ is at most {}.", signed(limit), signed(2 / p.flat),
             "Right: $2/\\lambda_{max}$.", "The steepest direction overshoots first: $2/\\lambda_{max}$.", "M-LR-MIN-CURV"),
        Pair("The $w_2$ term of the loss is multiplied by {} in this step.", signed((1 - eta * p.steep) ** 2), signed(abs(1 - eta * p.steep)),
             "Right: the distance is multiplied by $1 - \\eta\\lambda$, the term by its square.", "The term is quadratic in the distance: square the factor.", "M-LR-NO-SQUARE"),
        Pair("Any $\\eta$ below {} lowers the loss from every other point.", signed(limit), signed(1 / p.steep),
             "Right: below $2/\\lambda_{max}$ every factor $(1 - \\eta\\lambda)^2$ is below 1.",
             "Between $1/\\lambda_{max}$ and $2/\\lambda_{max}$ the step overshoots the minimum, yet the loss still falls.", "M-LR-HALF-LIMIT"),
    ]
    return paired_item(stem + "\n\nWhich statements are true?", pairs, rng, base), data
