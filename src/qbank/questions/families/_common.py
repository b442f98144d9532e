"""Helpers shared by the families: formatting, option shuffling, and item builders.

The builders enforce the bank's quality rules in one place, so that no family can forget
them: wrong options carry a misconception and feedback, options are distinct as displayed,
distractors equal to the key at the displayed precision are dropped, the key's position is
uniform over seeds, and numeric stems state their decimals and tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from hashlib import blake2b
from functools import lru_cache
from typing import NamedTuple, get_args

import numpy as np

from .._draws import bounded_integers
from .._model import canonical_float, trusted, validator
from ..items import (
    MultipleResponseContent,
    MultipleResponseScoring,
    NumericContent,
    NumericDistractor,
    NumericPart,
    Option,
    SingleChoiceContent,
    Tolerance,
)
from ..params import Reject, TokenDistribution

__all__ = [
    "Wrong", "choice_item", "decimals_for", "distractor_reject", "draw_probs", "fmt", "only", "or_reject", "multiple_response_item",
    "numeric_item", "numeric_part", "numpy_sum", "permutation", "pick", "bounded_integers", "choice_without_replacement",
    "numeric_choice_item", "option", "pick_gold", "shuffle", "single_choice", "tok", "token_table", "tolerance", "tolerance_note", "wording",
    "wording_index",
]


def fmt(x: float, decimals: int = 3) -> str:
    """A number as the stem shows it; never prints -0.000."""
    s = "%.*f" % (decimals, x)  # f"{x:.{decimals}f}": the same formatter, a third cheaper
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
        rows = [f"| {tok(t)} | {_prob_text(p)} |" for t, p in dists[0][1].tokens.items()]
    elif len(dists) == 2 and dists[0][1].tokens.keys() == dists[1][1].tokens.keys() and list(dists[0][1].tokens) == list(dists[1][1].tokens):
        # two columns over the same tokens in the same order (two states of one model)
        second = dists[1][1].tokens
        rows = [f"| {tok(t)} | {_prob_text(p)} | {_prob_text(second[t])} |" for t, p in dists[0][1].tokens.items()]
    else:
        names = list(dict.fromkeys(t for _, d in dists for t in d.tokens))
        rows = [f"| {tok(t)} | " + " | ".join(_prob_text(d.tokens.get(t, 0.0)) for _, d in dists) + " |" for t in names]
    if any(d.remainder for _, d in dists):
        label = dists[0][1].remainder_label
        rows.append(f"| {label} | " + " | ".join(_prob_text(d.remainder) for _, d in dists) + " |")
    return "\n".join([header, rule, *rows])


def _prob_text(p: float) -> str:
    """``fmt(p, 2)``, remembered: a table's probabilities are whole percentages, the same hundred values."""
    text = _PROB_TEXT.get(p)
    if text is None:
        if len(_PROB_TEXT) >= 4096:
            _PROB_TEXT.clear()
        text = _PROB_TEXT[p] = fmt(p, 2)
    return text


_PROB_TEXT: dict[float, str] = {}


def numpy_sum(values: Sequence[float]) -> float:
    """``float(np.sum(values))`` for a short list of floats, without the array.

    numpy adds fewer than 8 values one by one from 0.0 (its pairwise summation starts at
    blocks of 8), so a plain loop gives the same bits (a test compares them); longer lists
    are summed by numpy. Not the builtin ``sum()``: from Python 3.12 it compensates.
    """
    if len(values) >= 8:
        return float(np.sum(np.asarray(values, dtype=float)))
    total = 0.0
    for v in values:
        total += v
    return total


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
    return wordings[wording_index(content, slot, len(wordings))]


def wording_index(content: str, slot: int, n: int) -> int:
    """Which of ``n`` wordings :func:`wording` takes for ``slot``: a family with wordings to
    format picks first and formats only the one it shows."""
    digest = blake2b(f"{content}\x00{slot}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n


def shuffle(options: Sequence[Option], rng: np.random.Generator) -> tuple[Option, ...]:
    """Options in a uniformly random order, so the key's position carries no signal."""
    return tuple([options[i] for i in permutation(rng, len(options))])


def permutation(rng: np.random.Generator, n: int) -> list[int]:
    """``rng.permutation(n).tolist()``: the same order from the same draws, at a seventh of the cost.

    ``permutation(n)`` shuffles ``arange(n)`` in place, and ``Generator.shuffle`` on a list
    makes the same swaps from the same bounded draws (a test compares the orders and the
    generators' states after); the array and its conversion were most of the cost.
    """
    order = list(range(n))
    rng.shuffle(order)
    return order


def choice_without_replacement(rng: np.random.Generator, n: int, k: int) -> list[int]:
    """``rng.choice(n, k, replace=False).tolist()``, from the same draws, at a fifth of the cost.

    For such a small population numpy's ``choice`` runs Floyd's algorithm (one bounded
    integer below ``j + 1`` for each j from ``n - k`` to ``n - 1``), then shuffles the k picks
    (one below ``i + 1`` for each i from ``k - 1`` down to 1): :func:`bounded_integers` draws
    all of them at once. A test compares the picks, and the generators' states after, with
    ``rng.choice`` over thousands of seeds.
    """
    if not 0 < k <= n <= 10_000:  # numpy's other branches (an empty pick, a large population)
        return rng.choice(n, k, replace=False).tolist()  # type: ignore[no-any-return]
    draws = bounded_integers(rng, [*range(n - k + 1, n + 1), *range(k, 1, -1)])
    picks: list[int] = []
    taken = set()
    for j, v in zip(range(n - k, n), draws):
        if v in taken:
            v = j
        taken.add(v)
        picks.append(v)
    for i, j in zip(range(k - 1, 0, -1), draws[k:]):
        picks[i], picks[j] = picks[j], picks[i]
    return picks


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


def pick(rng: np.random.Generator, values: Sequence[int]) -> int:
    """One of ``values``, uniformly: ``rng.choice(values)``'s draw (a bounded integer below
    ``len(values)``, a test compares the streams) without its argument handling, a fifth of the cost."""
    return values[int(rng.integers(len(values)))]


def pick_gold(dist: TokenDistribution, gold_is_argmax: bool, rng: np.random.Generator) -> int:
    """The index of the gold token: the argmax, or a uniformly chosen other named token."""
    probs = dist.probs
    top = probs.index(max(probs))  # the first largest, as np.argmax
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


class Wrong(NamedTuple):
    """A wrong answer (a value or an option text) and the misconception behind it.

    A named tuple (immutable, and made at half a frozen dataclass's cost: items make dozens).
    """

    value: float | str
    misconception: str
    feedback: str


def distractor_reject(key: float, wrongs: Sequence[Wrong], decimals: int = 3) -> Reject | None:
    """The Reject that :func:`numeric_item` or :func:`numeric_part` raises for these wrong
    values, or None: a family checks its parts with it before it renders any text, so that a
    rejected variant costs only its numbers."""
    key = canonical_float(float(key))
    bound = _bound(key, tolerance(decimals))
    near = 1e-9 * max(1.0, abs(key))
    for w in wrongs:  # Wrong, or a plain (value, misconception, feedback) tuple
        v = canonical_float(float(w[0]))
        # _accepted_as_key, inlined (this runs for every part of every attempt); a value that is
        # not finite never compares within the bound
        if near < abs(v - key) <= bound:
            return Reject(f"the {w[1]} value {v:g} is within the tolerance of the key {key:g}")
    return None


def _accepted_as_key(v: float, key: float, bound: float) -> bool:
    """The tolerance would accept the misconception's value ``v`` as right (and it is not the key itself):
    this variant cannot tell them apart."""
    return abs(v - key) <= bound and abs(v - key) > 1e-9 * max(1.0, abs(key))


def _numeric_distractors(key: float, wrongs: Sequence[Wrong], decimals: int) -> tuple[NumericDistractor, ...]:
    key = canonical_float(key)
    bound = _bound(key, tolerance(decimals))
    shown = {fmt(key, decimals)}
    out = []
    for value, misconception, feedback in wrongs:  # Wrong, or a plain tuple of the same three
        v = canonical_float(float(value))
        if not math.isfinite(v):
            continue
        if abs(v - key) <= bound:
            if not _accepted_as_key(v, key, bound):
                continue  # the misconception gives the right answer in this variant: nothing to tell apart
            raise Reject(f"the {misconception} value {v:g} is within the tolerance of the key {key:g}")
        text = fmt(v, decimals)
        if text in shown:
            continue  # equal to another distractor as displayed
        shown.add(text)
        out.append(_distractor(v, misconception, feedback))
    return tuple(out)


def _distractor(value: float, misconception: str, feedback: str) -> NumericDistractor:
    """``NumericDistractor(value=..., misconception=..., feedback=...)``, validated in one call."""
    return _validate_distractor({"value": value, "misconception": misconception, "feedback": feedback})  # type: ignore[no-any-return]


_validate_distractor = validator(NumericDistractor)
_validate_option = validator(Option)
# Part labels that passed validation (Identifier) once.
_CHECKED_LABELS: set[str] = set()


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
    given = {
        "stem": f"{stem}\n\n{tolerance_note(decimals)}", "answer": key, "tolerance": tolerance(decimals), "decimals": decimals,
        "unit": unit, "distractors": _numeric_distractors(key, wrongs, decimals), "explanation": explanation,
    }
    # What NumericContent's validation checks, checked here (the rest holds by construction:
    # a non-empty stem, a canonical key, validated tolerance and distractors).
    if math.isfinite(key) and type(decimals) is int and 0 <= decimals <= 12 and (unit is None or type(unit) is str) and type(explanation) is str:
        return trusted(NumericContent, given)  # type: ignore[no-any-return]
    return NumericContent(**given)


def numeric_part(label: str, prompt: str, key: float, wrongs: Sequence[Wrong], decimals: int = 3) -> NumericPart:
    """One numeric part of a multipart item (tolerance as for whole items)."""
    answer = canonical_float(float(key))
    given = {
        "label": label, "prompt": prompt, "answer": answer, "tolerance": tolerance(decimals), "decimals": decimals,
        "distractors": _numeric_distractors(answer, wrongs, decimals),
    }
    if (type(label) is str and label in _CHECKED_LABELS and type(prompt) is str and prompt and math.isfinite(answer)
            and type(decimals) is int and 0 <= decimals <= 12):
        return trusted(NumericPart, given)  # type: ignore[no-any-return]
    part = NumericPart(**given)
    if type(label) is str:
        _CHECKED_LABELS.add(label)
    return part


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
        shown = _norm(str(w.value))
        if shown not in seen:
            seen.add(shown)
            pool.append(w)
    if len(pool) < n_options - 1:
        raise Reject("too few distinct distractors")
    chosen = [pool[i] for i in sorted(choice_without_replacement(rng, len(pool), n_options - 1))] if len(pool) > n_options - 1 else pool
    options = [_option({"text": key, "correct": True, "feedback": key_feedback})]
    options += [_option({"text": str(w.value), "misconception": w.misconception, "feedback": w.feedback}) for w in chosen]
    # One key and texts distinct as displayed, by construction: what SingleChoiceContent's validators check.
    return single_choice({"stem": stem, "options": shuffle(options, rng), "explanation": explanation, "shuffle": True}, checked=True)


def option(**given: object) -> Option:
    """``Option(**given)``, validated in one call (pydantic-core's, without ``__init__``'s frame)."""
    return _option(given)


def _option(given: dict[str, object]) -> Option:
    """``Option(**given)``, validated in one call."""
    return _validate_option(given)  # type: ignore[no-any-return]


def single_choice(given: dict[str, object], checked: bool = False) -> SingleChoiceContent:
    """``SingleChoiceContent(**given)`` for options built by :func:`_option` (or validated).

    Its validators (at least two options, texts distinct as displayed, exactly one correct) are
    checked here unless the caller built the options so (``checked``); a failure goes to
    validation, which reports it as usual. (Validating the content would validate its
    options again, each a validated Option already.)
    """
    options, stem = given["options"], given["stem"]
    if (type(options) is tuple and len(options) >= 2 and type(stem) is str and stem and type(given.get("explanation", "")) is str
            and type(given.get("shuffle", False)) is bool
            and (checked or (_distinct_texts(options) and sum(o.correct for o in options) == 1))):
        return trusted(SingleChoiceContent, given)  # type: ignore[no-any-return]
    return SingleChoiceContent(**given)  # type: ignore[arg-type]


def _distinct_texts(options: Sequence[Option]) -> bool:
    return len({_norm(o.text) for o in options}) == len(options)


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
            idx = sorted(choice_without_replacement(rng, len(items), n_options))
            sub = [items[i] for i in idx]
            if any(s[1] for s in sub) and not all(s[1] for s in sub):
                items = sub
                break
        else:
            raise Reject("no subset with both true and false statements")
    options = [_option({"text": t, "correct": c, "feedback": f, "misconception": None if c else m}) for t, c, f, m in items]
    given = {"stem": stem, "options": shuffle(options, rng), "explanation": explanation, "scoring": scoring, "shuffle": True}
    # MultipleResponseContent's validators: two options or more, distinct as displayed, one correct at least.
    if (len(options) >= 2 and type(stem) is str and stem and type(explanation) is str and type(scoring) is str and scoring in _SCORINGS
            and _distinct_texts(options) and any(o.correct for o in options)):
        return trusted(MultipleResponseContent, given)  # type: ignore[no-any-return]
    return MultipleResponseContent(**given)  # type: ignore[arg-type]


_SCORINGS = frozenset(get_args(MultipleResponseScoring))
