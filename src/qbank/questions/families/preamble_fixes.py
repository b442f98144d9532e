"""F21: evaluate remedies for the SFT preamble effect (multiple response, right minus wrong)."""

from __future__ import annotations

from typing import Annotated

import numpy as np

from ..params import Choice
from . import Draw, FamilyParams, family
from ._common import multiple_response_item

# Wrong remedies are worded like the right ones (as long, as concrete, in the stem's terms), so
# that a test-wise pick of the longest or most on-topic option earns nothing.
_OPTIONS = (
    ("Rewrite or filter the SFT data so that formulaic preambles become rare among its responses.", True,
     "Right: MLE reproduces the data's first-token frequencies, so changing the data changes the mode.", None),
    ("Preference-optimise (DPO or RLHF) on pairs that prefer the direct answer to the preamble version.", True,
     "Right: preference training pushes probability from the preamble to the direct answer.", None),
    ("Upweight the one example with the direct answer by a small factor, such as 2, in the SFT loss.", False,
     "Too small: the many preamble responses still outweigh one example counted twice. Only a large weight (above 9 "
     "under a per-type model) flips the first token, and it fits this one prompt rather than the cause.", "M-FIX-UPWEIGHT"),
    ("Train for more epochs on the same SFT data, so that the model fits each ideal response more closely.", False,
     "The model converges to the data distribution; it may memorise one example but keeps the preamble in general.", "M-FIX-EPOCHS"),
    ("Lower the sampling temperature, so that the model picks the most likely first token of its answer.", False,
     "A lower temperature sharpens towards the mode, which is the preamble.", "M-FIX-TEMPERATURE"),
    ("Mask the prompt tokens in the SFT loss, so that only the response tokens of each pair are trained.", False,
     "Irrelevant: the preamble is in the response, and prompt masking is usually already done.", "M-FIX-MASK-PROMPT"),
    ("Add label smoothing to the SFT loss, so that the model is less certain of the preamble's first token.", False,
     "Label smoothing spreads mass further; it does not favour the direct answer.", "M-FIX-SMOOTHING"),
    ("Exclude the `<eos>` token of each response from the loss, so that the answers may end later.", False,
     "Irrelevant to the first response token.", "M-FIX-EOS"),
)

_CASES = (
    ("List the primary colors.", "Red, yellow, and blue."),
    ("What is the capital of France?", "Paris."),
    ("What is 2+2?", "4."),
)


def _space() -> int:
    """3 cases x 3 preambles x the option subsets of 5 or 6 that hold a true and a false option."""
    from math import comb

    n, n_true = len(_OPTIONS), sum(o[1] for o in _OPTIONS)
    subsets = sum(comb(n, k) - comb(n - n_true, k) - comb(n_true, k) for k in (5, 6))
    return len(_CASES) * 3 * subsets


_SPACE = _space()


class PreambleFixes(FamilyParams):
    preamble: Annotated[str, Draw(Choice(options=("Of course!", "Sure!", "Great question!")))]
    case: Annotated[int, Draw(Choice(options=(0, 1, 2)))]
    n_options: Annotated[int, Draw(Choice(options=(5, 6)))]


@family(
    "preamble-fixes",
    params=PreambleFixes,
    summary="Evaluate remedies for the dataset-level preamble of an SFT model (multiple response, +1/-1 scoring).",
    topics=("preamble-effect", "sft", "mle"),
    bloom=("evaluate",),
    item_types=("multiple_response",),
    finite=True,
    space=_SPACE,
)
def build(p: PreambleFixes, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    instruction, ideal = _CASES[p.case]
    stem = (f"A model fine-tuned on (instruction, ideal response) pairs answers *{instruction}* with "
            f"*{p.preamble} {ideal}* although the ideal response is *{ideal}*; most responses in the SFT data open with a "
            "preamble like this one. Which changes would most reliably make the model answer directly? Select all that apply; "
            "each right choice earns credit and each wrong choice costs as much.")
    expl = ("Maximum likelihood matches the data's first-token distribution across prompts the model cannot tell apart, "
            "so the remedies that work change that distribution (rewrite the data) or add a signal that prefers the direct "
            "answer (preference optimisation). Decoding tweaks, masking, smoothing and more epochs do not change the mode.")
    return multiple_response_item(stem, _OPTIONS, rng, expl, n_options=p.n_options, scoring="right_minus_wrong"), {}
