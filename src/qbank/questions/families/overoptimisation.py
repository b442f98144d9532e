"""Reward over-optimisation with best-of-n: its KL from the policy, and the true reward it buys."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import best_of_n, best_of_n_kl, best_of_n_kl_bound, kl_divergence
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, draw_probs, fmt, numeric_item

_NS = (1, 2, 4, 8, 16, 64)


class Overoptimisation(FamilyParams):
    n: Annotated[int, Draw(Choice(options=(4, 8, 16, 32)))]
    ask: Annotated[Literal["kl", "true_reward", "statements"], Draw(Choice(options=("kl", "true_reward", "statements")))]


def _setup(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Four responses: a proxy (reward-model) score and a true score; the proxy's favourite is a hack."""
    pi = draw_probs(rng, 4, 1.0, min_prob=0.04)
    hack = int(np.argmin(pi)) if rng.random() < 0.7 else int(np.argsort(pi)[1])
    true = rng.choice(np.arange(2, 11), 4, replace=False) / 10
    true[hack] = rng.choice(np.arange(0, 3)) / 10
    proxy = np.round(true + rng.uniform(-0.15, 0.15, 4), 2)
    proxy[hack] = round(float(proxy.max()) + float(rng.uniform(0.2, 0.6)), 2)
    if len(np.unique(proxy)) < 4 or len(np.unique(true)) < 4:
        raise Reject("tied scores")
    return pi, proxy, true, hack


@family(
    "overoptimisation",
    params=Overoptimisation,
    summary="Reward over-optimisation: KL(best-of-n‖π) against ln n - (n-1)/n, and the true reward best-of-n on a proxy buys as n grows.",
    topics=("best-of-n", "reward-hacking", "inference-time-alignment"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "multiple_response"),
)
@with_hint(
    "Best-of-$n$ returns the draw the reward model scores highest; the probability that the best draw is $y$ follows from $F(r)^n$, and the true reward need not rise with it."
)
def build(p: Overoptimisation, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    n = p.n
    pi, proxy, true, hack = _setup(rng)
    names = [f"y{i + 1}" for i in range(4)]
    bon, e_proxy = best_of_n(pi, proxy, n)
    bon = np.asarray(bon)
    table = ("| response | $\\pi$ | reward model $\\hat r$ | true reward $r^*$ |\n|---|---:|---:|---:|\n"
             + "\n".join(f"| {m} | {fmt(pi[i], 2)} | {fmt(proxy[i], 2)} | {fmt(true[i], 1)} |" for i, m in enumerate(names)))
    intro = (f"A policy $\\pi$ answers a prompt with one of four responses. A reward model $\\hat r$ (the proxy) scores them; "
             f"human raters' true reward $r^*$ is also known:\n\n{table}\n\nBest-of-$n$ draws $n$ samples from $\\pi$ and returns "
             "the one the reward model scores highest.")
    data = {"bon": bon.tolist()}
    if p.ask == "kl":
        key = float(best_of_n_kl(pi, proxy, n))
        bound = best_of_n_kl_bound(n)
        dist = bon / bon.sum()
        wrongs = [
            Wrong(bound, "M-BON-KL-LOGN", f"$\\ln {n} - {n - 1}/{n} = {fmt(bound, 4)}$ is the bound for continuous rewards; with 4 responses the KL is below it."),
            Wrong(float(np.log(n)), "M-BON-KL-N", f"$\\ln {n}$ overstates even the continuous-reward value $\\ln n - (n-1)/n$."),
            Wrong(float(kl_divergence(pi, dist)), "M-KL-REVERSE", "The KL of best-of-n from the policy is $KL(\\pi_{BoN}\\|\\pi)$, with the expectation under best-of-n."),
        ]
        expl = ("$\\pi_{BoN}$: " + ", ".join(f"{m} {fmt(bon[i], 4)}" for i, m in enumerate(names))
                + f"; $KL(\\pi_{{BoN}}\\|\\pi) = \\sum \\pi_{{BoN}}\\ln(\\pi_{{BoN}}/\\pi) = {fmt(key, 4)}$, below the continuous bound {fmt(bound, 4)}.")
        return numeric_item(intro + f"\n\nWith $n = {n}$, what is $KL(\\pi_{{BoN}}\\|\\pi)$ in nats?", key, wrongs, expl, decimals=4 if key < 0.1 else 3), data
    e_true = {m: float(best_of_n(pi, proxy, m)[0] @ true) for m in _NS}
    if p.ask == "true_reward":
        key = e_true[n] if n in e_true else float(bon @ true)
        wrongs = [
            Wrong(float(e_proxy), "M-OVEROPT-PROXY-IS-TRUE", f"{fmt(float(e_proxy), 4)} is the expected *reward-model* score; the true reward weights $r^*$."),
            Wrong(float(true[hack]), "M-BON-MAX", f"Best-of-{n} does not always return {names[hack]}, the reward model's favourite; it returns it with probability {fmt(bon[hack], 4)}."),
            Wrong(float(pi @ true), "M-OVEROPT-NO-SELECTION", f"{fmt(float(pi @ true), 4)} is the policy's own expected true reward ($n = 1$): selection changes the distribution."),
        ]
        expl = ("$\\pi_{BoN}$ (by the reward model): " + ", ".join(f"{m} {fmt(bon[i], 4)}" for i, m in enumerate(names))
                + f"; $E[r^*] = \\sum \\pi_{{BoN}} r^* = {fmt(key, 4)}$.")
        return numeric_item(intro + f"\n\nWith $n = {n}$, what is the expected *true* reward of the returned response?", key, wrongs, expl), data
    vals = [e_true[m] for m in _NS]
    peak = _NS[int(np.argmax(vals))]
    if peak in (1, _NS[-1]) or min(abs(np.diff(vals))) < 0.002:
        raise Reject("no over-optimisation peak, or two sizes too close")
    after = [m for m in _NS if m > peak]
    hi = after[int(rng.integers(len(after)))]
    e_proxy_at = {m: float(best_of_n(pi, proxy, m)[1]) for m in (peak, hi)}
    p_hack = float(np.asarray(best_of_n(pi, proxy, hi)[0])[hack])
    kl_hi = float(best_of_n_kl(pi, proxy, hi))
    trend = ", ".join(f"n = {m}: {fmt(e_true[m], 3)}" for m in _NS)
    pairs = [
        Pair(f"Best-of-{peak} has an expected true reward of {{}}.", signed(e_true[peak]), signed(e_proxy_at[peak]),
             f"Right: {trend}.", "That is the expected reward-model score, not the true reward.", "M-OVEROPT-PROXY-IS-TRUE"),
        Pair(f"Best-of-{hi} has an expected true reward of {{}}.", signed(e_true[hi]), signed(e_true[peak]),
             f"Right: past n = {peak} the true reward falls ({trend}).", f"More samples do not keep the peak: the true reward falls to {fmt(e_true[hi], 3)}.", "M-OVEROPT-MONOTONE"),
        Pair(f"Best-of-{hi} returns {names[hack]} with probability {{}}.", signed(p_hack), signed(min(hi * float(pi[hack]), 1.0)),
             f"Right: $1 - (1 - {fmt(pi[hack], 2)})^{{{hi}}}$, as it is the reward model's favourite.", "$n\\pi$ overcounts: draws overlap.", "M-BON-LINEAR"),
        Pair(f"Best-of-{hi}'s KL from the policy is {{}} nats.", signed(kl_hi), signed(float(np.log(hi))),
             f"Right: below $\\ln {hi} - {hi - 1}/{hi}$ with only four responses.", f"It is at most $\\ln n - (n-1)/n$, below $\\ln {hi}$.", "M-BON-KL-N"),
    ]
    expl = f"Expected true reward of best-of-n by the reward model: {trend}. It peaks at n = {peak}."
    return paired_item(intro + "\n\nWhich statements are true?", pairs, rng, expl), data
