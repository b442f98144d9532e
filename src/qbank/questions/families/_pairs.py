""""Which statements are true?" built from matched pairs, so that no test-wise cue finds the key.

Each pair is one sentence with a blank, filled once with the right value and once with the
value a named misconception gives, both formatted to the same width. The two statements of
a pair have the same length, form, numbers and words: length, specificity, stem overlap
and odd-one-out cues see each pair as a tie, and half the statements are true.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..items import MultipleResponseContent
from ..params import Reject
from ._common import choice_without_replacement, multiple_response_item

__all__ = ["Pair", "paired_item", "signed"]


def signed(x: float, decimals: int = 3) -> str:
    """A value with its sign always shown (+0.412, -1.250): equal widths for values below 10."""
    s = f"{x:+.{decimals}f}"
    return "+" + s[1:] if float(s) == 0 else s


@dataclass(frozen=True)
class Pair:
    text: str  # with one "{}" where the value goes
    right: str
    wrong: str
    right_feedback: str
    wrong_feedback: str
    misconception: str


def paired_item(stem: str, pairs: Sequence[Pair], rng: np.random.Generator, explanation: str, n_pairs: int = 3) -> MultipleResponseContent:
    """Multiple response over ``n_pairs`` pairs drawn from ``pairs``: both statements of each, shuffled."""
    usable = [p for p in pairs if p.right != p.wrong]
    if len(usable) < n_pairs:
        raise Reject("too few pairs whose right and wrong values differ as displayed")
    for p in usable:
        if len(p.right) != len(p.wrong):
            raise Reject("a pair's values differ in width")
    chosen = [usable[i] for i in sorted(choice_without_replacement(rng, len(usable), n_pairs))]
    statements = []
    for p in chosen:
        statements.append((p.text.replace("{}", p.right, 1), True, p.right_feedback, None))
        statements.append((p.text.replace("{}", p.wrong, 1), False, p.wrong_feedback, p.misconception))
    return multiple_response_item(stem, statements, rng, explanation)
