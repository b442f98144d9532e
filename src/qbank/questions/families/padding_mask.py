"""Masking of padding and prompt tokens in a padded batch: the loss, which positions get gradient, what changes it."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np

from ...engine import sft_loss
from ..params import Choice, Reject
from . import Draw, FamilyParams, family
from ._hints import with_hint
from ._pairs import Pair, paired_item, signed
from ._common import Wrong, choice_item, fmt, numeric_item

_PROMPT, _RESPONSE, _PAD = 0, 1, 2


class PaddingMask(FamilyParams):
    batch: Annotated[int, Draw(Choice(options=(2, 3)))]
    ask: Annotated[Literal["loss", "positions", "change"], Draw(Choice(options=("loss", "positions", "change")))]


def _batch(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of the gold token (n, W) and each position's kind, rows padded on the right to W."""
    lens = [(int(rng.integers(2, 4)), int(rng.integers(2, 5))) for _ in range(n)]
    width = max(a + b for a, b in lens) + int(rng.integers(0, 2))
    probs = np.zeros((n, width))
    kind = np.full((n, width), _PAD)
    for s, (a, b) in enumerate(lens):
        kind[s, :a] = _PROMPT
        kind[s, a: a + b] = _RESPONSE
        probs[s, :a] = np.round(rng.uniform(0.02, 0.6, a), 2)
        probs[s, a: a + b] = np.round(rng.uniform(0.2, 0.99, b), 2)
        probs[s, a + b:] = np.round(rng.uniform(0.9, 0.99, width - a - b), 2)  # models predict <pad> after <pad> easily
    if (kind == _PAD).sum() == 0:
        kind, probs = np.pad(kind, ((0, 0), (0, 1)), constant_values=_PAD), np.pad(probs, ((0, 0), (0, 1)), constant_values=0.97)
    return probs, kind


def _label(kind: np.ndarray, s: int, t: int) -> str:
    if kind[s, t] == _PAD:
        return "`<pad>`"
    if kind[s, t] == _RESPONSE and (t + 1 == kind.shape[1] or kind[s, t + 1] != _RESPONSE):
        return "`<eos>`"
    # "answer" and "prompt" have the same length: option texts name them, and length must not hint
    return "prompt" if kind[s, t] == _PROMPT else "answer"


@family(
    "padding-mask",
    params=PaddingMask,
    summary="A padded SFT batch: the token-mean loss with prompt and padding masked, which positions get gradient, which changes leave the loss alone.",
    topics=("loss-masking", "sft", "batching"),
    bloom=("apply", "analyze", "evaluate"),
    item_types=("numeric", "multiple_response", "single_choice"),
)
@with_hint(
    "Only the response tokens, end-of-sequence included, enter the loss; prompt and padding positions are masked, and the mean divides by the kept tokens."
)
def build(p: PaddingMask, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    probs, kind = _batch(rng, p.batch)
    n, width = probs.shape
    resp, pad, prompt = kind == _RESPONSE, kind == _PAD, kind == _PROMPT
    eos = np.zeros_like(resp)
    for s in range(n):
        eos[s, np.flatnonzero(resp[s])[-1]] = True
    key = sft_loss(probs, resp, "token_mean")
    resp_sum = sft_loss(probs, resp, "sum")
    n_resp, n_pad, n_prompt = int(resp.sum()), int(pad.sum()), int(prompt.sum())
    lines = "\n".join(f"* row {s + 1}: " + ", ".join(f"{_label(kind, s, t)} {fmt(probs[s, t], 2)}" for t in range(width)) for s in range(n))
    stem = (f"A batch of {n} SFT examples padded on the right to {width} positions. For each position, what it holds and the "
            f"model's probability of the gold token there (for `<pad>` positions, of the next `<pad>`):\n\n{lines}\n\n"
            "The loss is the mean of $-\\ln p$ over the answer tokens of the batch (`<eos>` included); prompt and padding positions are masked.")
    base = f"{n_resp} response tokens, $\\sum -\\ln p = {fmt(resp_sum, 4)}$, loss ${fmt(key, 4)}$; {n_prompt} prompt and {n_pad} pad positions are masked."
    data = {"loss": key}
    with_pad = sft_loss(probs, resp | pad, "token_mean")
    denom_pad = resp_sum / (n_resp + n_pad)
    with_prompt = sft_loss(probs, resp | prompt, "token_mean")
    no_eos = sft_loss(probs, resp & ~eos, "token_mean")
    if p.ask == "loss":
        wrongs = [
            Wrong(with_pad, "M-MASK-INCLUDE-PAD", "Padding positions are not part of any example: their terms are masked out."),
            Wrong(denom_pad, "M-MASK-DENOM-PAD", f"Divide by the {n_resp} response tokens, not by the {n_resp + n_pad} response and pad positions."),
            Wrong(with_prompt, "M-MASK-INCLUDE-PROMPT", "Prompt tokens are masked: only response tokens (with `<eos>`) count."),
            Wrong(no_eos, "M-MASK-NO-EOS", "`<eos>` is a response token: its term counts."),
        ]
        return numeric_item(stem + "\n\nWhat is the loss?", key, wrongs, base), data
    if p.ask == "positions":
        row = int(rng.integers(n))
        n_row, n_row_prompt = int(resp[row].sum()), int(prompt[row].sum())
        pairs = [
            Pair("Over the whole batch the loss is {}.", signed(key, 4), signed(with_pad, 4),
                 "Right: the mean over the response tokens only.", "Padding positions are masked: their terms do not count.", "M-MASK-INCLUDE-PAD"),
            Pair("The sum of $-\\ln p$ is divided by {} tokens.", f"{n_resp:02d}", f"{n_resp + n_pad:02d}",
                 "Right: the number of kept (response) tokens.", "Padding is not counted in the mean's denominator.", "M-MASK-DENOM-PAD"),
            Pair(f"Row {row + 1} sends gradient from {{}} of its positions.", f"{n_row:02d}", f"{n_row + n_row_prompt:02d}",
                 "Right: its response tokens, `<eos>` included.", "Prompt positions are masked: they get no gradient.", "M-MASK-INCLUDE-PROMPT"),
            Pair("Leaving out the `<eos>` terms would make the loss {}.", signed(no_eos, 4), signed(key, 4),
                 "Right: `<eos>` terms are part of the loss.", "`<eos>` is a response token: dropping it changes the loss.", "M-MASK-NO-EOS"),
        ]
        return paired_item(stem + "\n\nWhich statements are true?", pairs, rng, base), data
    if min(abs(v - key) for v in (denom_pad, no_eos, with_prompt)) < 0.005:
        raise Reject("a wrong change moves the loss by less than the displayed precision")
    extra = int(rng.integers(2, 5))
    pads = f"{n_pad} pad position" + ("s" if n_pad != 1 else "")
    wrongs = [
        Wrong(f"Counting the {pads} in the denominator of the mean", "M-MASK-DENOM-PAD",
              f"That divides by {n_resp + n_pad} instead of {n_resp}: the loss becomes {fmt(denom_pad, 4)}."),
        Wrong(f"Leaving the {n} `<eos>` tokens out of the loss and the count", "M-MASK-NO-EOS",
              f"`<eos>` terms are part of the loss; without them it is {fmt(no_eos, 4)}."),
        Wrong(f"Adding the {n_prompt} prompt tokens' terms to the loss and the count", "M-MASK-INCLUDE-PROMPT",
              f"Prompt terms change the mean: it becomes {fmt(with_prompt, 4)}."),
    ]
    expl = base + f" Extra padding adds only masked positions, so the loss stays {fmt(key, 4)}."
    item = choice_item(stem + f"\n\nWhich change leaves the loss of this batch at {fmt(key, 4)}?",
                       f"Adding {extra} more `<pad>` positions at the far end of every row",
                       f"Right: the {n * extra} new positions are masked, so neither the sum nor the count changes.", wrongs, rng, expl)
    return item, data
