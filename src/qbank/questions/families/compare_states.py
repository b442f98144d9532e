"""F03 (seed 2): which of two training states has the lower loss on one example?"""

from __future__ import annotations

from typing import Annotated

import numpy as np

from ..params import Dirichlet, Reject, Remainder, TokenDistribution
from . import Draw, FamilyParams, batch_builder, family
from ._common import fmt, option, shuffle, single_choice, tok, token_table, wording_index
from ...engine import cross_entropy

_TOKENS = ("Paris", "London", "The")


class CompareStates(FamilyParams):
    prompt: str = "What is the capital of France?"
    gold: str = "Paris"
    state_a: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.3, high=0.8)))]
    state_b: Annotated[TokenDistribution, Draw(Dirichlet(tokens=_TOKENS, alpha=1.0, remainder=Remainder(low=0.3, high=0.8)))]
    min_gap: float = 0.03


@family(
    "compare-states",
    params=CompareStates,
    summary="Two training states give next-token distributions; which has the lower loss, and why?",
    topics=("cross-entropy", "training-states"),
    bloom=("analyze",),
    item_types=("single_choice",),
)
def build(p: CompareStates, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    out = build_many([p], [rng])[0]
    if isinstance(out, Reject):
        raise out
    return out


def _reject(p: CompareStates) -> Reject | None:
    """Why these states make no question (checked before any use of the generator), or None."""
    for name, dist in (("state_a", p.state_a), ("state_b", p.state_b)):
        if p.gold not in dist.tokens:
            return Reject(f"the gold token {p.gold!r} is not listed in {name}")
    if abs(p.state_a.tokens[p.gold] - p.state_b.tokens[p.gold]) < p.min_gap - 1e-12:
        return Reject(f"p(gold) differs by less than {p.min_gap} between the states")
    return None


@batch_builder("compare-states")
def build_many(params: list[CompareStates], rngs: list[np.random.Generator]) -> list[object]:
    """Every seed's item (or its Reject); the losses of the whole batch come from one engine call."""
    out: list[object] = [_reject(p) for p in params]
    ok = [i for i, r in enumerate(out) if r is None]
    if ok:
        pa = np.array([params[i].state_a.tokens[params[i].gold] for i in ok])
        pb = np.array([params[i].state_b.tokens[params[i].gold] for i in ok])
        # one [[pa, 1 - pa], [pb, 1 - pb]] block per seed, as the one-seed computation builds it
        probs = np.stack([np.stack([pa, 1 - pa], axis=-1), np.stack([pb, 1 - pb], axis=-1)], axis=1)
        losses = cross_entropy(probs, np.zeros((len(ok), 2), dtype=int)).tolist()
        for i, (la, lb) in zip(ok, losses):
            out[i] = _render(params[i], rngs[i], la, lb)
    return out


# Every option has the same form (a verdict, a colon, the numbers behind it), and each draws
# its wording from three of about 90, 97 and 107 characters: the key's length says nothing.
# Fields: b / w the better / worse state, pb2 / pw2 their gold probabilities, lb4 / lw4 their
# losses, rb / rw the rest of their mass, gap the difference in probability.
_WORDINGS = (
    ("State {b} fits this example better: its loss $-\\ln {pb2} = {lb4}$ is below the ${lw4}$ of state {w}.",
     "State {b} fits this example better: its loss $-\\ln {pb2} = {lb4}$ is below the loss of state {w}, ${lw4}$.",
     "State {b} fits this example better: its loss $-\\ln {pb2} = {lb4}$ is lower than ${lw4}$, which is state {w}'s loss."),
    ("State {w} fits this example better: a gold probability of ${pw2}$, not ${pb2}$, means a lower loss.",
     "State {w} fits this example better: a gold probability of ${pw2}$ rather than ${pb2}$ means a lower loss.",
     "State {w} fits this example better: a gold probability of ${pw2}$ rather than ${pb2}$ means a lower cross-entropy."),
    ("Neither state can be ranked: the loss depends on how the other ${rb}$ and ${rw}$ are spread.",
     "Neither state can be ranked yet: the loss also depends on how the other ${rb}$ and ${rw}$ are spread.",
     "Neither state can be ranked yet: the loss also depends on how the remaining ${rb}$ and ${rw}$ are spread out."),
    ("State {b} fits this example better: its loss is lower by exactly ${gap}$, from ${pw2}$ to ${pb2}$.",
     "State {b} fits this example better: its loss is lower by exactly ${gap}$, the gap from ${pw2}$ to ${pb2}$.",
     "State {b} fits this example better: its loss is lower by exactly ${gap}$, the probability gap from ${pw2}$ to ${pb2}$."),
    ("Both states score the same: the loss only checks the top token, so ${pw2}$ or ${pb2}$ is moot.",
     "Both states score the same: the loss only checks the top token, so ${pw2}$ or ${pb2}$ does not matter.",
     "Both states score the same: the loss only checks if the top token is right, so ${pw2}$ or ${pb2}$ does not matter."),
)
_FEEDBACK = (
    ("Right: the loss on this token is $-\\ln p$ of the gold token and nothing else.", None),
    ("The loss is $-\\ln p$: it falls as the gold token's probability rises.", "M-SIGN"),
    ("With a one-hot target the cross-entropy is $-\\ln p_{\\text{gold}}$; the spread of the wrong mass does not enter.", "M-WRONG-MASS"),
    (None, "M-LINEAR-DIFF"),  # the numbers of the variant: see _render
    ("Cross-entropy is not accuracy: it changes with the gold token's probability even when the argmax stays the same.", "M-ACCURACY"),
)


def _render(p: CompareStates, rng: np.random.Generator, la: float, lb: float) -> tuple[object, dict[str, object]]:
    pa, pb = p.state_a.tokens[p.gold], p.state_b.tokens[p.gold]
    better, worse = ("B", "A") if lb < la else ("A", "B")
    p_better, p_worse = max(pa, pb), min(pa, pb)
    l_better, l_worse = min(la, lb), max(la, lb)
    gold = tok(p.gold)

    pb2, pw2 = fmt(p_better, 2), fmt(p_worse, 2)
    fields = {
        "b": better, "w": worse, "pb2": pb2, "pw2": pw2, "lb4": fmt(l_better, 4), "lw4": fmt(l_worse, 4),
        "rb": fmt(1 - p_better, 2), "rw": fmt(1 - p_worse, 2), "gap": fmt(p_better - p_worse, 2),
    }
    content = f"{p.prompt}|{p.gold}|{pa:.2f}|{pb:.2f}"
    diff = fmt(l_worse - l_better, 4)
    options = []
    for k, (wordings, (feedback, misconception)) in enumerate(zip(_WORDINGS, _FEEDBACK)):
        text = wordings[wording_index(content, k, len(wordings))].format_map(fields)
        if feedback is None:
            feedback = f"Losses differ by $\\ln({pb2}/{pw2}) = {diff}$, not by the difference in probability."
        if misconception is None:
            options.append(option(text=text, correct=True, feedback=feedback))
        else:
            options.append(option(text=text, misconception=misconception, feedback=feedback))
    stem = (
        f"For the prompt *{p.prompt}* the gold first token is {gold}. The model's first-token "
        f"distribution in two training states is:\n\n{token_table([('state A', p.state_a), ('state B', p.state_b)])}\n\n"
        "Which analysis is most accurate?"
    )
    explanation = (
        f"The training loss on this token is $L = -\\ln p({p.gold})$. State A: $-\\ln {fmt(pa, 2)} = {fmt(la, 4)}$. "
        f"State B: $-\\ln {fmt(pb, 2)} = {fmt(lb, 4)}$. State {better} has the lower loss by "
        f"$\\ln({pb2}/{pw2}) = {diff}$. How the wrong tokens share the rest "
        "of the mass does not matter for this loss, and one example's loss alone does not prove that a state is a later checkpoint."
    )
    # One key (the first verdict), and texts distinct by construction whatever the template
    # says: the verdicts begin "State <better>", "State <worse>", "Neither", "State <better>"
    # and "Both", and the two "State <better>" ones part at fixed text ("$-\ln" / "is lower")
    # after the same prefix; every field is a state letter or a number.
    return single_choice({"stem": stem, "options": shuffle(options, rng), "explanation": explanation}, checked=True), {
        "loss_a": la, "loss_b": lb,
    }
