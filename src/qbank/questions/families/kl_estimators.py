"""The k1, k2, k3 estimators of KL(π‖π_ref) used in RLHF: one sample's value, k2's bias, which is trustworthy."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import kl_estimator_moments, kl_estimators
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, draw_probs, fmt, numeric_item

_K = {"k1": "k_1", "k2": "k_2", "k3": "k_3"}


class KlEstimators(FamilyParams):
    k: Annotated[int, Draw(Choice(options=(3, 4)))]
    estimator: Annotated[Literal["k1", "k2", "k3"], Draw(Choice(options=("k1", "k2", "k3")))]
    ask: Annotated[Literal["sample", "bias", "statements"], Draw(Choice(options=("sample", "bias", "statements")))]


@family(
    "kl-estimators",
    params=KlEstimators,
    summary="KL(π‖π_ref) from samples: the k1, k2, k3 estimators on one sample, k2's bias, and their bias and variance by enumeration.",
    topics=("kl-penalty", "rlhf", "estimators"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "multiple_response"),
)
@with_hint(
    "With $\\ell = \\ln(\\pi_{ref}/\\pi)$ at a response sampled from $\\pi$, an estimator is unbiased when its average over $\\pi$ equals $KL(\\pi\\|\\pi_{ref})$; enumerate the responses."
)
def build(p: KlEstimators, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    k = p.k
    pi = draw_probs(rng, k, 1.5, min_prob=0.05)
    ref = draw_probs(rng, k, 1.5, min_prob=0.05)
    names = [f"y{i + 1}" for i in range(k)]
    means, var, kl_t = kl_estimator_moments(pi, ref)
    kl = float(kl_t)
    if kl < 0.01:
        raise Reject("policy and reference almost equal")
    ks = np.stack(kl_estimators(np.log(pi), np.log(ref)))  # (3, K)
    flipped = np.stack(kl_estimators(np.log(ref), np.log(pi)))  # ratio upside down
    table = ("| response | $\\pi$ | $\\pi_{ref}$ |\n|---|---:|---:|\n"
             + "\n".join(f"| {n} | {fmt(pi[i], 2)} | {fmt(ref[i], 2)} |" for i, n in enumerate(names)))
    intro = (f"A policy $\\pi$ and the reference $\\pi_{{ref}}$ over {k} responses:\n\n{table}\n\n"
             "RLHF estimates $KL(\\pi\\|\\pi_{ref})$ from responses sampled from $\\pi$. With "
             "$\\ell = \\ln(\\pi_{ref}(y)/\\pi(y))$ for a sampled $y$, the three usual estimators are "
             "$k_1 = -\\ell$, $k_2 = \\ell^2/2$ and $k_3 = (e^{\\ell} - 1) - \\ell$.")
    data = {"kl": kl, "means": means.tolist(), "variances": var.tolist()}
    if p.ask == "sample":
        far = np.flatnonzero(np.abs(np.log(ref / pi)) >= 0.2)
        if far.size == 0:
            raise Reject("no response whose log-ratio is large enough to tell the estimators apart")
        i = int(far[int(rng.integers(far.size))])
        e = int(p.estimator[1]) - 1
        ell = float(np.log(ref[i] / pi[i]))
        key = float(ks[e, i])
        other = (e + 2) % 3 if e != 0 else 2
        wrongs = [
            Wrong(float(flipped[e, i]), "M-KLEST-RATIO-FLIP", f"$\\ell$ is $\\ln(\\pi_{{ref}}/\\pi)$ = {fmt(ell, 4)}; the ratio was taken upside down."),
            Wrong(kl, "M-KLEST-SAMPLE-IS-KL", f"{fmt(kl, 4)} is the exact KL; one sample's estimate is a random value whose *mean* is (close to) the KL."),
            Wrong(float(ks[other, i]), "M-KLEST-MIXUP", f"That is ${_K[f'k{other + 1}']}$ for this sample; ${_K[p.estimator]}$ has its own formula."),
        ]
        expl = f"$\\ell = \\ln({fmt(ref[i], 2)}/{fmt(pi[i], 2)}) = {fmt(ell, 4)}$, so ${_K[p.estimator]} = {fmt(key, 4)}$ (the exact KL is {fmt(kl, 4)})."
        return numeric_item(intro + f"\n\nThe sampled response is {names[i]}. What is ${_K[p.estimator]}$ for this sample?", key, wrongs, expl, decimals=4), data
    if p.ask == "bias":
        key = float(means[1] - kl)
        if key < 0.002:
            raise Reject("k2's bias is too small to ask for")
        ref_mean_k2 = float((ref * ks[1]).sum())
        wrongs = [
            Wrong(0.0, "M-KLEST-K2-UNBIASED", f"$k_2$ is biased: its mean is {fmt(float(means[1]), 4)} against a KL of {fmt(kl, 4)}."),
            Wrong(float(means[1]), "M-KLEST-MEAN-AS-BIAS", f"{fmt(float(means[1]), 4)} is $E_\\pi[k_2]$; the bias subtracts the KL {fmt(kl, 4)}."),
            Wrong(ref_mean_k2 - kl, "M-KLEST-WRONG-SAMPLER", "The samples come from the policy $\\pi$, so the expectation is under $\\pi$, not $\\pi_{ref}$."),
        ]
        expl = ("$k_2$ per response: " + ", ".join(f"{n} {fmt(ks[1, i], 4)}" for i, n in enumerate(names))
                + f"; $E_\\pi[k_2] = {fmt(float(means[1]), 4)}$, $KL = {fmt(kl, 4)}$, bias $= {fmt(key, 4)}$.")
        return numeric_item(intro + "\n\nWhat is the bias of $k_2$ here, $E_\\pi[k_2] - KL(\\pi\\|\\pi_{ref})$? (Enumerate the responses.)",
                            key, wrongs, expl, decimals=4 if key >= 0.01 else 5), data
    neg = int(np.argmin(ks[0]))
    if ks[0, neg] >= 0:
        raise Reject("no negative k1 sample")
    ref_means = (ref[None, :] * ks).sum(axis=1)
    v = [signed(float(x), 4) for x in var]
    pairs = [
        Pair("Over samples from $\\pi$, the mean of $k_1$ is {}.", signed(kl, 4), signed(float(ref_means[0]), 4),
             "Right: $k_1$ is unbiased, its mean is the KL.", "That averages over $\\pi_{ref}$; the samples come from $\\pi$.", "M-KLEST-WRONG-SAMPLER"),
        Pair("Over samples from $\\pi$, the mean of $k_2$ is {}.", signed(float(means[1]), 4), signed(kl, 4),
             f"Right: $k_2$ is biased; the KL is {fmt(kl, 4)}.", f"That is the KL; $k_2$ is biased, its mean is {fmt(float(means[1]), 4)}.", "M-KLEST-K2-UNBIASED"),
        Pair("Over samples from $\\pi$, the mean of $k_3$ is {}.", signed(kl, 4), signed(float(ref_means[2]), 4),
             "Right: $k_3$ is unbiased, its mean is the KL.", "That averages over $\\pi_{ref}$; the samples come from $\\pi$.", "M-KLEST-WRONG-SAMPLER"),
        Pair(f"A sample of {names[neg]} gives $k_1$ = {{}}.", signed(float(ks[0, neg]), 4), signed(-float(ks[0, neg]), 4),
             "Right: single samples of $k_1$ can be negative.", f"$k_1 = -\\ell = {fmt(float(ks[0, neg]), 4)}$ here: one sample can be negative.", "M-KLEST-K1-NONNEG"),
        Pair("Over samples from $\\pi$, the variance of $k_3$ is {}.", v[2], v[0],
             "Right: by enumeration of the responses.", f"That is the variance of $k_1$; $k_3$'s is {fmt(float(var[2]), 4)}.", "M-KLEST-MIXUP"),
    ]
    expl = ("By enumeration: means $k_1, k_2, k_3$ = " + ", ".join(fmt(float(x), 4) for x in means)
            + "; variances " + ", ".join(fmt(float(x), 4) for x in var) + f"; KL = {fmt(kl, 4)}.")
    return paired_item(intro + "\n\nWhich statements are true for this policy and reference?", pairs, rng, expl), data
