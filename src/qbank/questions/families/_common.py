"""Helpers shared by the families: formatting, option shuffling, and item builders.

The builders enforce the bank's quality rules in one place, so that no family can forget
them: wrong options carry a misconception and feedback, options are distinct as displayed,
distractors equal to the key at the displayed precision are dropped, the key's position is
uniform over seeds, and numeric stems state their decimals and tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._model import canonical_float
from ..items import (
    MultipleResponseContent,
    NumericContent,
    NumericDistractor,
    NumericPart,
    Option,
    SingleChoiceContent,
    Tolerance,
)
from ..params import Reject, TokenDistribution

__all__ = [
    "Wrong", "choice_item", "decimals_for", "draw_probs", "fmt", "only", "or_reject", "multiple_response_item", "numeric_item", "numeric_part",
    "numeric_choice_item", "pick_gold", "shuffle", "tok", "token_table", "tolerance", "tolerance_note", "wording",
]


def fmt(x: float, decimals: int = 3) -> str:
    """A number as the stem shows it; never prints -0.000."""
    s = f"{x:.{decimals}f}"
    return s[1:] if s[0] == "-" and float(s) == 0 else s


@lru_cache(maxsize=4096)
def tok(token: str) -> str:
    """A token as inline code, so Markdown never reinterprets it (``*``, ``_``, apostrophes)."""
    fence = "``" if "`" in token else "`"
    pad = " " if token.startswith("`") or token.endswith("`") else ""
    return f"{fence}{pad}{token}{pad}{fence}"


def token_table(dists: Sequence[tuple[str, TokenDistribution]]) -> str:
    """A Markdown table with one probability column per named distribution."""
    header = "| token | " + " | ".join(label for label, _ in dists) + " |"
    rule = "|---|" + "---:|" * len(dists)
    if len(dists) == 1:
        # one column (most stems): the same text as the general case below, with less machinery
        rows = [f"| {tok(t)} | {fmt(p, 2)} |" for t, p in dists[0][1].tokens.items()]
    else:
        names = list(dict.fromkeys(t for _, d in dists for t in d.tokens))
        rows = [f"| {tok(t)} | " + " | ".join(fmt(d.tokens.get(t, 0.0), 2) for _, d in dists) + " |" for t in names]
    if any(d.remainder for _, d in dists):
        label = dists[0][1].remainder_label
        rows.append(f"| {label} | " + " | ".join(fmt(d.remainder, 2) for _, d in dists) + " |")
    return "\n".join([header, rule, *rows])


def or_reject(render: Callable[..., object], *args: object) -> object:
    """``render(*args)``, or the Reject it raised: a batch builder returns rejections in its list."""
    try:
        return render(*args)
    except Reject as r:
        return r


def only(outs: Sequence[object]) -> object:
    """The one result of a one-seed batch, raising it if it is a Reject."""
    (out,) = outs
    if isinstance(out, Reject):
        raise out
    return out


def wording(content: str, slot: int, wordings: Sequence[str]) -> str:
    """One of several wordings of an option, chosen by a hash of the variant's content.

    Every option of an item draws its wording from texts of about the same spread of lengths,
    so the key is no more often the longest (or the shortest, or in the middle) than any other
    option. The choice is a function of the content, not a draw from the generator: a template
    with fixed parameters stays one question, and the random stream is untouched.
    """
    import hashlib

    digest = hashlib.blake2b(f"{content}\x00{slot}".encode(), digest_size=8).digest()
    return wordings[int.from_bytes(digest, "big") % len(wordings)]


def shuffle(options: Sequence[Option], rng: np.random.Generator) -> tuple[Option, ...]:
    """Options in a uniformly random order, so the key's position carries no signal."""
    return tuple(options[i] for i in rng.permutation(len(options)))


def draw_probs(rng: np.random.Generator, n: int, alpha: float = 1.0, min_prob: float = 0.01, decimals: int = 2) -> np.ndarray:
    """``n`` probabilities from Dirichlet(alpha), rounded by largest remainder, distinct and >= ``min_prob``."""
    from ...engine import largest_remainder_round

    g = rng.standard_gamma(np.full(n, float(alpha)))
    p = largest_remainder_round(g / g.sum(), decimals)
    if p.min() < min_prob - 1e-12:
        raise Reject(f"a probability is below {min_prob}")
    if len(np.unique(p)) < n:
        raise Reject("two probabilities are equal")
    return np.round(p, decimals)


def pick_gold(dist: TokenDistribution, gold_is_argmax: bool, rng: np.random.Generator) -> int:
    """The index of the gold token: the argmax, or a uniformly chosen other named token."""
    probs = np.array(dist.probs)
    top = int(np.argmax(probs))
    if gold_is_argmax:
        return top
    others = [i for i in range(len(probs)) if i != top]
    return int(others[int(rng.integers(len(others)))])


# ---------------------------------------------------------------------------------------
# Numeric answers
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def tolerance(decimals: int = 3) -> Tolerance:
    """CONTENT.md section 0: |x - x*| <= max(5 units of the last asked decimal, 0.5 % of |x*|).

    For 3 decimals that is max(0.005, 0.5 %). Cached: a Tolerance is immutable, and
    building one per item was a tenth of a numeric family's time.
    """
    return Tolerance(absolute=round(5 * 10.0**-decimals, decimals + 1), relative=0.005)


def decimals_for(key: float, at_least: int = 3) -> int:
    """Decimals to ask for so that 5 units of the last one stay within about 5 % of a small ``key``.

    With a fixed 4 decimals a sequence probability of 0.002 would accept ±25 %.
    """
    if key == 0 or not math.isfinite(key):
        return at_least
    return max(at_least, 2 - math.floor(math.log10(abs(key))))


def tolerance_note(decimals: int = 3) -> str:
    """The sentence a numeric stem ends with."""
    tol = tolerance(decimals)
    return (
        f"Give your answer to {decimals} decimals; answers within ±{tol.absolute:g} or 0.5 % "
        "(whichever is larger) are accepted."
    )


def _bound(b: float, tol: Tolerance) -> float:
    """How far from ``b`` a value still counts as ``b`` (the grader's rule, plus float slack)."""
    return max(tol.absolute or 0.0, (tol.relative or 0.0) * abs(b)) + 1e-12


@dataclass(frozen=True)
class Wrong:
    """A wrong answer (a value or an option text) and the misconception behind it."""

    value: float | str
    misconception: str
    feedback: str


def _numeric_distractors(key: float, wrongs: Sequence[Wrong], decimals: int) -> tuple[NumericDistractor, ...]:
    key = canonical_float(key)
    bound = _bound(key, tolerance(decimals))
    shown = {fmt(key, decimals)}
    out = []
    for w in wrongs:
        v = canonical_float(float(w.value))
        if not math.isfinite(v):
            continue
        if abs(v - key) <= bound:
            if abs(v - key) <= 1e-9 * max(1.0, abs(key)):
                continue  # the misconception gives the right answer in this variant: nothing to tell apart
            # the tolerance would accept the misconception as right: this variant cannot tell them apart
            raise Reject(f"the {w.misconception} value {v:g} is within the tolerance of the key {key:g}")
        text = fmt(v, decimals)
        if text in shown:
            continue  # equal to another distractor as displayed
        shown.add(text)
        out.append(NumericDistractor(value=v, misconception=w.misconception, feedback=w.feedback))
    return tuple(out)


def numeric_item(stem: str, key: float, wrongs: Sequence[Wrong], explanation: str, decimals: int = 3, unit: str | None = None) -> NumericContent:
    """A numeric item whose stem states decimals and tolerance.

    A distractor equal to the key is dropped (the misconception gives the right answer here); one
    that the tolerance would accept without being equal raises Reject, so that no variant grades a
    catalogued misconception as right.

    The key is shown at the end of the explanation as the grader rounds it (items store
    floats at 12 significant digits, so the display is taken from that stored value).
    """
    key = canonical_float(float(key))
    shown = fmt(key, decimals)
    if not explanation.rstrip().endswith(f"Answer: {shown}."):
        explanation = f"{explanation.rstrip()} Answer: {shown}."
    return NumericContent(
        stem=f"{stem}\n\n{tolerance_note(decimals)}", answer=float(key), tolerance=tolerance(decimals), decimals=decimals,
        unit=unit, distractors=_numeric_distractors(float(key), wrongs, decimals), explanation=explanation,
    )


def numeric_part(label: str, prompt: str, key: float, wrongs: Sequence[Wrong], decimals: int = 3) -> NumericPart:
    """One numeric part of a multipart item (tolerance as for whole items)."""
    return NumericPart(
        label=label, prompt=prompt, answer=float(key), tolerance=tolerance(decimals), decimals=decimals,
        distractors=_numeric_distractors(float(key), wrongs, decimals),
    )


# ---------------------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


def choice_item(
    stem: str, key: str, key_feedback: str, wrongs: Sequence[Wrong], rng: np.random.Generator,
    explanation: str, n_options: int = 4,
) -> SingleChoiceContent:
    """Single choice: the key plus ``n_options - 1`` distinct wrong options drawn from ``wrongs``.

    A fixed option count keeps the key's position uniform over exactly ``n_options`` slots.
    Raises Reject when fewer distinct wrong options remain.
    """
    seen = {_norm(key)}
    pool = []
    for w in wrongs:
        if _norm(str(w.value)) not in seen:
            seen.add(_norm(str(w.value)))
            pool.append(w)
    if len(pool) < n_options - 1:
        raise Reject("too few distinct distractors")
    chosen = [pool[i] for i in sorted(rng.choice(len(pool), n_options - 1, replace=False))] if len(pool) > n_options - 1 else pool
    options = [Option(text=key, correct=True, feedback=key_feedback)]
    options += [Option(text=str(w.value), misconception=w.misconception, feedback=w.feedback) for w in chosen]
    return SingleChoiceContent(stem=stem, options=shuffle(options, rng), explanation=explanation, shuffle=True)


def numeric_choice_item(
    stem: str, key: float, key_feedback: str, wrongs: Sequence[Wrong], rng: np.random.Generator,
    explanation: str, decimals: int = 3, n_options: int = 4, suffix: str = "",
) -> SingleChoiceContent:
    """Single choice among numbers: wrong values equal to the key at ``decimals`` are dropped."""
    texts = [Wrong(fmt(float(w.value), decimals) + suffix, w.misconception, w.feedback) for w in wrongs if np.isfinite(float(w.value))]
    return choice_item(stem, fmt(key, decimals) + suffix, key_feedback, texts, rng, explanation, n_options)


def multiple_response_item(
    stem: str, statements: Sequence[tuple[str, bool, str, str | None]], rng: np.random.Generator,
    explanation: str, n_options: int | None = None, scoring: str = "right_minus_wrong",
) -> MultipleResponseContent:
    """Multiple response from (text, correct, feedback, misconception) statements.

    With ``n_options`` a random subset is shown that keeps at least one true and one false
    statement; wrong statements must name a misconception.
    """
    items = list(statements)
    if n_options is not None and n_options < len(items):
        for _ in range(50):
            idx = sorted(rng.choice(len(items), n_options, replace=False))
            sub = [items[i] for i in idx]
            if any(s[1] for s in sub) and not all(s[1] for s in sub):
                items = sub
                break
        else:
            raise Reject("no subset with both true and false statements")
    options = [Option(text=t, correct=c, feedback=f, misconception=None if c else m) for t, c, f, m in items]
    return MultipleResponseContent(
        stem=stem, options=shuffle(options, rng), explanation=explanation, scoring=scoring, shuffle=True  # type: ignore[arg-type]
    )
