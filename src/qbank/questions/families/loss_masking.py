"""F14: the SFT loss with prompt tokens masked out, under a stated reduction."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import sft_loss
from ..params import Choice
from . import Draw, FamilyParams, family
from ._common import Wrong, fmt, numeric_item


class LossMasking(FamilyParams):
    reduction: Annotated[Literal["token_mean", "sum", "sequence_mean"], Draw(Choice(options=("token_mean", "sum", "sequence_mean")))]
    batch: Annotated[int, Draw(Choice(options=(1, 2, 3)))]


def _loss(seqs: list[tuple[np.ndarray, np.ndarray]], reduction: str) -> float:
    width = max(len(p) + len(r) for p, r in seqs)
    probs = np.ones((len(seqs), width))
    mask = np.zeros((len(seqs), width), dtype=bool)
    for s, (p, r) in enumerate(seqs):
        probs[s, : len(p) + len(r)] = np.concatenate([p, r])
        mask[s, len(p): len(p) + len(r)] = True
    return float(sft_loss(probs, mask, reduction))  # type: ignore[arg-type]


@family(
    "loss-masking",
    params=LossMasking,
    summary="SFT loss of a batch with prompt tokens masked, under token-mean, sum or per-sequence-mean reduction.",
    topics=("loss-masking", "sft"),
    bloom=("apply",),
    item_types=("numeric",),
)
def build(p: LossMasking, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    seqs = []
    for _ in range(p.batch):
        prompt = np.round(rng.uniform(0.01, 0.6, size=int(rng.integers(2, 4))), 2)
        resp = np.round(rng.uniform(0.2, 0.99, size=int(rng.integers(2, 5))), 2)  # the last one is <eos>
        seqs.append((prompt, resp))
    key = _loss(seqs, p.reduction)
    every = [(np.array([]), np.concatenate([a, b])) for a, b in seqs]
    no_eos = [(a, b[:-1]) for a, b in seqs]
    n_all = sum(len(a) + len(b) for a, b in seqs)
    resp_sum = _loss(seqs, "sum")
    wrongs = [
        Wrong(_loss(every, p.reduction), "M-MASK-INCLUDE-PROMPT", "Prompt tokens are masked out: only response tokens (with `<eos>`) count."),
        Wrong(_loss(no_eos, p.reduction), "M-MASK-NO-EOS", "`<eos>` is a response token and its term counts."),
    ]
    if p.reduction != "sum":
        wrongs.append(Wrong(resp_sum / n_all, "M-MASK-DENOM-ALL", "Divide by the number of response tokens, not by all tokens."))
    if p.reduction == "token_mean" and p.batch > 1:
        wrongs.append(Wrong(_loss(seqs, "sequence_mean"), "M-MASK-SEQ-MEAN", "The token mean pools every response token of the batch; it does not average per-sequence means."))
    if p.reduction == "sequence_mean" and p.batch > 1:
        wrongs.append(Wrong(_loss(seqs, "token_mean"), "M-MASK-TOKEN-MEAN", "Average each sequence's mean first, then average over sequences."))
    words = {"token_mean": "the mean over all response tokens of the batch", "sum": "the sum over all response tokens",
             "sequence_mean": "the mean over sequences of each sequence's mean response-token loss"}[p.reduction]
    lines = "\n".join(f"* example {i + 1}: prompt tokens " + ", ".join(fmt(v, 2) for v in a) + "; response tokens "
                      + ", ".join(fmt(v, 2) for v in b) + " (the last is `<eos>`)" for i, (a, b) in enumerate(seqs))
    stem = ("An SFT batch; the model's probability of each gold token (teacher forcing):\n\n" + lines +
            f"\n\nThe loss masks the prompt tokens and reduces by {words}. What is the loss?")
    n_resp = sum(len(b) for _, b in seqs)
    expl = (f"Only the {n_resp} response tokens count (`<eos>` included); their $-\\ln p$ sum to {fmt(resp_sum, 4)}. "
            f"With this reduction the loss is {fmt(key, 4)}. Prompt positions get zero gradient.")
    return numeric_item(stem, key, wrongs, expl), {"loss": key}
