"""F02: the negative log-likelihood of a whole response under teacher forcing."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from ...engine import sequence_nll
from .._model import Frozen
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._common import Wrong, decimals_for, draw_probs, fmt, numeric_item, tok


class Example(Frozen):
    """A prompt and its gold response, as tokens (``<eos>`` last if the response ends there)."""

    prompt: str
    response: tuple[str, ...] = Field(min_length=2, max_length=8)


_EXAMPLES = (
    {"prompt": "Translate to French: I love you.", "response": ["Je", "t'", "aime", "<eos>"]},
    {"prompt": "What is the capital of France?", "response": ["Paris", ".", "<eos>"]},
    {"prompt": "Name a primary color.", "response": ["Red", ".", "<eos>"]},
    {"prompt": "Translate to German: the girl.", "response": ["das", "Mädchen", "<eos>"]},
    {"prompt": "Say hello in Japanese.", "response": ["こんにちは", "。", "<eos>"]},
    {"prompt": "Translate to French: the student.", "response": ["l’", "élève", "<eos>"]},
    {"prompt": "Continue: 2, 4, 6,", "response": ["8", ",", "10", "<eos>"]},
    {"prompt": "Complete: The cat sat on the", "response": ["mat", "."]},
)
_ALTERNATIVES = ("the", "I", "a", "Of", "Sure", ",", "it", "is", "Le", "and")


class SequenceNll(FamilyParams):
    example: Annotated[Example, Draw(Choice(options=_EXAMPLES))]
    alpha: float = Field(default=1.5, gt=0, description="Dirichlet concentration of each step's (gold, alternative, rest).")
    ask: Annotated[Literal["sum", "mean", "prob"], Draw(Choice(options=("sum", "mean", "prob")))]
    show_free_run: Annotated[bool, Draw(Choice(options=(True, False)))]
    alternatives: tuple[str, ...] = _ALTERNATIVES


@family(
    "sequence-nll",
    params=SequenceNll,
    summary="Sequence NLL, per-token mean or Pr(y|x) of a response under teacher forcing.",
    topics=("sequence-nll", "teacher-forcing", "cross-entropy"),
    bloom=("apply",),
    item_types=("numeric",),
)
def build(p: SequenceNll, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    y = p.example.response
    T = len(y)
    slots = np.array([draw_probs(rng, 3, p.alpha, min_prob=0.02) for _ in range(T)])  # gold, alternative, rest
    gold_p, alt_p = slots[:, 0], slots[:, 1]
    alts = [p.alternatives[int(i)] for i in rng.integers(len(p.alternatives), size=T)]
    alts = [a if a != g else "<unk>" for a, g in zip(alts, y)]
    # One model of the sequence. Greedy decoding takes the likelier of the two listed tokens at each
    # step (the rest is spread thin). While greedy has produced the gold prefix, the free-running
    # context *is* the gold prefix, so its probabilities are the teacher-forced ones; after greedy's
    # first departure the model sees a context it was not trained on and gives the gold tokens less.
    agrees = np.concatenate([[True], np.cumprod(gold_p[:-1] > alt_p[:-1]).astype(bool)])
    lower = np.minimum(np.maximum(np.round(gold_p * rng.uniform(0.3, 0.85, size=T), 2), 0.01), np.round(gold_p - 0.01, 2))
    free = np.where(agrees, gold_p, lower)
    if p.show_free_run and agrees.all():
        raise Reject("greedy decoding reproduces the gold response, so the free-running table is the teacher-forced one")
    nll = float(sequence_nll(gold_p))
    top = np.maximum(gold_p, alt_p)
    has_eos = y[-1] == "<eos>"
    rows = "\n".join(
        f"| {t + 1} | {tok(y[t])} | {fmt(gold_p[t], 2)} | {tok(alts[t])} | {fmt(alt_p[t], 2)} |" for t in range(T)
    )
    table = "| step | gold token | p(gold token) | other token | p(other token) |\n|---:|---|---:|---|---:|\n" + rows
    stem = (
        f"Prompt: *{p.example.prompt}* Gold response tokens: " + " ".join(tok(t) for t in y) + ".\n\n"
        "At each step the model is fed the prompt and the *gold* prefix (teacher forcing) and gives the probabilities below "
        "(the rest of each step's probability is spread over many other tokens, each tiny):\n\n" + table
    )
    if p.show_free_run:
        stem += (
            "\n\nIf instead the model were fed its *own* greedy output (the likelier listed token at each step), it would "
            "give the gold tokens probabilities " + ", ".join(fmt(v, 2) for v in free) + "."
        )
    def variants(values: np.ndarray) -> tuple[float, float, float]:
        s = float(sequence_nll(values))
        return s, s / len(values), float(np.exp(-s))
    pick = {"sum": 0, "mean": 1, "prob": 2}[p.ask]
    key = variants(gold_p)[pick]
    what = {
        "sum": "the sequence negative log-likelihood $-\\ln \\Pr(y \\mid x)$ (in nats)",
        "mean": "the per-token mean negative log-likelihood (in nats)",
        "prob": "the probability $\\Pr(y \\mid x)$ the model gives the whole response",
    }[p.ask]
    decimals = decimals_for(key, 4) if p.ask == "prob" else 3
    if p.ask == "prob" and key < 0.001:
        raise Reject("the sequence probability is too small to ask for")
    wrongs = [
        Wrong(variants(top)[pick], "M-ARGMAX", "That uses each step's largest probability; the loss scores the gold tokens."),
        Wrong([nll / T, nll, np.exp(-nll / T)][pick], "M-MEAN-VS-SUM", "That mixes up the sum over tokens and the per-token mean."),
        Wrong([-T * np.log(gold_p.mean()), -np.log(gold_p.mean()), gold_p.mean()][pick], "M-PROB-AVG",
              "That averages the probabilities; the likelihood multiplies them (it sums log-probabilities)."),
    ]
    if has_eos:
        wrongs.append(Wrong(variants(gold_p[:-1])[pick], "M-EOS", "The `<eos>` token is part of the response and its term counts."))
    if p.show_free_run:
        wrongs.append(Wrong(variants(free)[pick], "M-FREE-RUN", "Training uses teacher forcing: each step is conditioned on the gold prefix, not on the model's own output."))
    terms = " + ".join(f"(-\\ln {fmt(v, 2)})" for v in gold_p)
    explanation = (
        f"Teacher forcing scores each gold token given the gold prefix: $-\\ln\\Pr(y\\mid x) = {terms} = {fmt(nll, 4)}$. "
        f"Per token: ${fmt(nll, 4)}/{T} = {fmt(nll / T, 4)}$. $\\Pr(y\\mid x) = e^{{-{fmt(nll, 4)}}} = {fmt(np.exp(-nll), 4)}$. "
        f"The answer is {fmt(key, decimals)}."
    )
    return numeric_item(stem + f"\n\nWhat is {what}?", key, wrongs, explanation, decimals=decimals), {
        "gold_probs": gold_p.tolist(), "other_probs": alt_p.tolist(), "free_run_probs": free.tolist(), "nll": nll,
    }
