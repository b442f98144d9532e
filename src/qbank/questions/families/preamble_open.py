"""F12 (seed 1): explain, token by token across the dataset, why SFT added a preamble."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from ..items import OpenResponseContent
from . import FamilyParams, family
from ._common import fmt, tok
from ...engine import empirical_mle
from ._rubrics import PREAMBLE_RUBRIC

class PreambleOpen(FamilyParams):
    instruction: str = "List the primary colors"
    ideal: str = "Red, yellow, and blue."
    observed: str = "Of course! The primary colors are red, yellow, and blue."
    first_tokens: dict[str, int] = Field(
        default={"Of": 27, "Sure": 7, "Here": 2, "The": 2, "Red": 1, "J'": 1},
        description="How many responses in the SFT data open with each token.",
    )


@family(
    "preamble-open",
    params=PreambleOpen,
    summary="Open response: explain the dataset-level preamble effect of maximum-likelihood fine-tuning.",
    topics=("preamble-effect", "sft", "mle"),
    bloom=("analyze", "evaluate"),
    item_types=("open_response",),
    finite=True,
    space=1,
)
def build(p: PreambleOpen, rng: np.random.Generator) -> tuple[OpenResponseContent, dict[str, object]]:
    names = list(p.first_tokens)
    q = empirical_mle(np.array(list(p.first_tokens.values())))
    preamble = names[int(np.argmax(q))]
    direct = p.ideal.split()[0].rstrip(",.")
    n = sum(p.first_tokens.values())
    p_pre, p_dir = float(q[int(np.argmax(q))]), float(q[names.index(direct)]) if direct in names else 0.0
    stem = (
        f"A team fine-tunes a language model on {n} (instruction, ideal response) pairs; {p.first_tokens[preamble]} of the "
        f"{n} ideal responses start with the token '{preamble}' (a preamble like the one below), and only one starts with "
        f"'{direct}'. For *{p.instruction}* the ideal response is *{p.ideal}*, yet the trained model says *{p.observed}*\n\n"
        "Focusing on how the maximum-likelihood objective works token by token across the whole dataset, "
        "explain why the preamble appears."
    )
    sample = (
        "The SFT loss is a sum of per-token negative log-likelihoods over every response in the dataset, so the "
        "first response token is its own prediction problem, and this example adds a single term pushing up "
        f"p({direct}) at position 1. The same parameters produce that first-token distribution for every "
        "instruction-like prompt, and the gradients of all examples add up: "
        f"{p.first_tokens[preamble]} of the {n} responses start with '{preamble}', so they outweigh the one "
        f"example starting with '{direct}'. Maximum likelihood makes the model match the empirical frequency of "
        f"first tokens among prompts it cannot tell apart (about {fmt(p_pre, 3)} for '{preamble}'), and greedy decoding "
        "picks that mode. Once the preamble is emitted, later tokens are conditioned on the prompt and the prefix, so "
        "the colours that follow are still right. Rewriting the SFT data so that preambles are rare, or preference "
        "training that favours direct answers, would remove it; similar short prompts should show the same preamble."
    )
    explanation = (
        f"A model that cannot tell these prompts apart fits the empirical first-token distribution: "
        f"$p({tok(preamble)}) = {p.first_tokens[preamble]}/{n} = {fmt(p_pre, 3)}$ while "
        f"$p({tok(direct)}) = {p.first_tokens.get(direct, 0)}/{n} = {fmt(p_dir, 3)}$, so greedy decoding starts with "
        f"{tok(preamble)}. Full credit needs the per-token decomposition, the shared parameters and the match to the data distribution."
    )
    return OpenResponseContent(stem=stem, rubric=PREAMBLE_RUBRIC, sample_answer=sample, explanation=explanation), {
        "first_token_mle": {t: float(v) for t, v in zip(names, q)},
    }
