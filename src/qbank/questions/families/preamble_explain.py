"""F12's multiple-choice twin: pick the accurate explanation of the SFT preamble.

The key is the mechanism of CONTENT.md section 3 (per-token terms, shared parameters,
maximum likelihood matching the data's first-token frequencies); the distractors are the
section's eight common wrong explanations, four of them per variant.
"""

from __future__ import annotations

from math import comb
from typing import Annotated

import numpy as np

from ..params import Choice
from . import Draw, FamilyParams, family
from ._common import Wrong, choice_item, tok

_PREAMBLES = ("Of course!", "Sure!", "Certainly!", "Great question!")
_INSTRUCTION = "List the primary colors"
_IDEAL = "Red, yellow, and blue."
_CONTENT = "The primary colors are red, yellow, and blue."
_N_WRONG_SHOWN = 4


def _wrongs(first: str, preamble: str) -> tuple[Wrong, ...]:
    """The eight wrong explanations of CONTENT.md section 3, each with what is wrong with it."""
    return (
        Wrong("Preference training (RLHF) rewarded polite openings, so the model learned to start every answer with a preamble.",
              "M-PRE-RLHF", "There is no preference training here: the model was only fine-tuned by maximum likelihood."),
        Wrong("The primary-colors example was dropped or mis-weighted by a bug, so the model never learned its ideal answer.",
              "M-PRE-IGNORED", "The example was included; its one first-token term is simply outweighed by the many "
              "preamble examples."),
        Wrong("Maximum likelihood prefers longer answers, so the trained model pads each of its answers with a preamble.",
              "M-PRE-LENGTH", "A longer sequence has a *lower* likelihood (more factors below 1); the preamble wins at "
              "the first-token decision, not through length."),
        Wrong(f"The model memorised from its training data that questions about colours are answered with *{preamble}*",
              "M-PRE-MEMORISED", "No colour example starts with the preamble: this is aggregation across many examples, "
              "not memorisation of one."),
        Wrong("Exposure bias: at inference the model conditions on its own outputs, and its early errors compound into the "
              "preamble.", "M-EB-FIRST-TOKEN", "Exposure bias is about conditioning on self-generated errors; at the first "
              "response token there is no generated prefix yet."),
        Wrong("The sampling temperature was set too high at inference, so the model wandered off into a polite preamble.",
              "M-PRE-TEMPERATURE", "Random sampling would not add the preamble *systematically*; greedy decoding adds it "
              "because it is the mode."),
        Wrong(f"Pre-training on web text taught the model to open with *{preamble}*, and a short fine-tuning run cannot change that.",
              "M-PRE-PRETRAINING", "Pre-training may contribute, but it does not explain why fine-tuning on ideal responses "
              "keeps the preamble: the fine-tuning data itself reinforces it."),
        Wrong(f"Cross-entropy only penalises wrong tokens, and {tok(first)} is not a wrong token here, so nothing ever pushes it down.",
              "M-PRE-WRONG-ONLY", f"The gold token's log-probability is the only term: {tok(first)} is pushed down by this "
              "example, but pushed up by the many others that start with it."),
    )


_N_WRONG = 8
_SPACE = len(_PREAMBLES) * comb(_N_WRONG, _N_WRONG_SHOWN)


class PreambleExplain(FamilyParams):
    preamble: Annotated[str, Draw(Choice(options=_PREAMBLES))]


@family(
    "preamble-explain-choice",
    params=PreambleExplain,
    summary="Single choice: which explanation of the SFT preamble is most accurate (the open item's wrong explanations as distractors).",
    topics=("preamble-effect", "sft", "mle"),
    bloom=("analyze",),
    item_types=("single_choice",),
    finite=True,
    space=_SPACE,
)
def build(p: PreambleExplain, rng: np.random.Generator) -> tuple[object, dict[str, object]]:
    first = p.preamble.split()[0].rstrip("!,.")
    stem = (
        "A team fine-tunes a language model on (instruction, ideal response) pairs; most responses in the data open with a "
        f"preamble such as *{p.preamble}* For *{_INSTRUCTION}* the ideal response is *{_IDEAL}*, yet the trained model says "
        f"*{p.preamble} {_CONTENT}*\n\nWhich explanation is most accurate?"
    )
    # As long and as plain as the wrong explanations (which run from about 95 to 117 characters),
    # so that its length does not give it away.
    key = "Per-token maximum likelihood with one set of parameters matches the share of responses that open this way."
    wrongs = _wrongs(first, p.preamble)
    expl = (
        "Each response token is its own prediction term, and the primary-colors example adds only one term pushing up "
        f"p({tok('Red')}) at the first position. The parameters are shared, so the many responses that open with "
        f"{tok(first)} outvote it, and maximum likelihood matches the empirical first-token frequency among prompts the "
        f"model cannot tell apart: if 27 of 40 responses open with it, that is 27/40 = 0.675, far above the 1/40 of the direct answer. Later tokens are conditioned on the prompt and the prefix, so the colours are still right."
    )
    content = choice_item(stem, key, "Right: per-token terms, shared parameters and the match to the data's first-token "
                          "frequencies explain it together.", wrongs, rng, expl, n_options=_N_WRONG_SHOWN + 1)
    return content, {}
