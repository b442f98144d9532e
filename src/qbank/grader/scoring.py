"""Grading parsed responses: one pure function per answer type, chosen through a registry.

Each grader takes an answer spec (an item or a multipart part: both carry the same
fields) and a parsed response, and returns an :class:`Outcome`: the fraction earned in
[0, 1], feedback sentences and the misconceptions behind chosen distractors.
:func:`grade` turns an outcome into a :class:`~qbank.grader.Grade` in the item's points.

Scoring rules:

* single choice, true/false, numeric, short text: right or wrong;
* multiple response, per item (``scoring``): ``all_or_nothing``; ``partial``, the fraction
  of options marked rightly (chosen when correct, left when wrong); ``right_minus_wrong``,
  (right choices - wrong choices) / number of correct options, floored at 0;
* ordering: ``exact``, or ``partial``: the length of the longest subsequence of the answer
  already in the right relative order, over the number of entries (C A B for A B C keeps
  A B in order: 2/3);
* matching: ``all_or_nothing`` or ``partial`` (fraction of prompts matched rightly);
* open response: the rubric (:mod:`qbank.grader.rubric`);
* multipart: the weighted mean of the parts' fractions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .responses import (
    ChoiceResponse,
    CriterionResult,
    EssayResponse,
    FormatError,
    Grade,
    MatchResponse,
    MultipartResponse,
    NumberResponse,
    OrderResponse,
    PartResult,
    Response,
    TextResponse,
    TruthResponse,
)
from .rubric import score_rubric
from .text import normalise
from .tolerance import within

__all__ = [
    "GRADERS", "Outcome", "describe_misconception", "distractor_outcome", "grade", "grade_from_outcome", "grade_spec",
    "longest_in_order",
]

_FULL = 1.0 - 1e-9


@dataclass(frozen=True)
class Outcome:
    fraction: float
    feedback: tuple[str, ...] = ()
    misconceptions: tuple[str, ...] = ()
    criteria: tuple[CriterionResult, ...] = ()
    parts: tuple[PartResult, ...] = ()
    review: tuple[str, ...] = ()


Grader = Callable[[Any, Any], Outcome]
GRADERS: dict[str, Grader] = {}


def _grader(kind: str) -> Callable[[Grader], Grader]:
    def register(fn: Grader) -> Grader:
        GRADERS[kind] = fn
        return fn

    return register


def describe_misconception(mid: str) -> str:
    """A sentence naming a misconception: its id and, when the glossary is installed, its description."""
    try:
        from ..questions.misconceptions import describe  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return f"Misconception {mid}."
    try:
        text = describe(mid)
    except LookupError:
        return f"Misconception {mid}."
    return f"Misconception {mid}: {text}".rstrip(".") + "." if text else f"Misconception {mid}."


def _mistakes(mids: list[str | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    seen = tuple(dict.fromkeys(m for m in mids if m))
    return seen, tuple(describe_misconception(m) for m in seen)


def grade_spec(spec: Any, response: Response) -> Outcome:
    """The outcome of ``response`` on an answer spec (an item or a multipart part)."""
    return GRADERS[spec.type](spec, response)


def grade(item: Any, response: Response | FormatError) -> Grade:
    """Grade a parsed response to ``item``; the score is in the item's points.

    Raises TypeError for a FormatError: a response that cannot be read is not graded.
    """
    if isinstance(response, FormatError):
        raise TypeError(f"cannot grade a format error ({response.message}); ask for the answer again")
    return grade_from_outcome(item, grade_spec(item, response))


def grade_from_outcome(item: Any, out: Outcome) -> Grade:
    """The Grade of an outcome, in the item's points."""
    fraction = min(1.0, max(0.0, out.fraction))
    return Grade(
        score=fraction * item.points, max_score=item.points, fraction=fraction, correct=fraction >= _FULL,
        feedback=out.feedback, misconception=out.misconceptions[0] if out.misconceptions else None,
        misconceptions=out.misconceptions, parts=out.parts, criteria=out.criteria, review=out.review,
    )


@_grader("single_choice")
def grade_single_choice(spec: Any, r: ChoiceResponse) -> Outcome:
    (pos,) = r.positions
    option = spec.options[pos]
    mids, described = _mistakes([option.misconception] if not option.correct else [])
    feedback = tuple(s for s in (option.feedback, *described) if s)
    return Outcome(1.0 if option.correct else 0.0, feedback, mids)


@_grader("multiple_response")
def grade_multiple_response(spec: Any, r: ChoiceResponse) -> Outcome:
    chosen, key = set(r.positions), set(spec.key)
    right, wrong = len(chosen & key), len(chosen - key)
    if spec.scoring == "all_or_nothing":
        fraction = 1.0 if chosen == key else 0.0
    elif spec.scoring == "partial":
        fraction = (right + (len(spec.options) - len(chosen | key))) / len(spec.options)
    else:
        fraction = max(0.0, (right - wrong) / len(key))
    picked = [spec.options[p] for p in sorted(chosen)]
    mids, described = _mistakes([o.misconception for o in picked if not o.correct])
    feedback = tuple(o.feedback for o in picked if o.feedback) + described
    return Outcome(fraction, feedback, mids)


@_grader("true_false")
def grade_true_false(spec: Any, r: TruthResponse) -> Outcome:
    ok = r.value == spec.answer
    text = spec.feedback_true if r.value else spec.feedback_false
    mids, described = _mistakes([] if ok else [spec.misconception])
    return Outcome(1.0 if ok else 0.0, tuple(s for s in (text, *described) if s), mids)


@_grader("numeric")
def grade_numeric(spec: Any, r: NumberResponse) -> Outcome:
    if within(spec.tolerance, r.value, spec.answer):
        return Outcome(1.0)
    for d in spec.distractors:
        if within(spec.tolerance, r.value, d.value):
            return distractor_outcome(d)
    return Outcome(0.0)


def distractor_outcome(d: Any) -> Outcome:
    """The outcome of a wrong answer that matches a numeric or text distractor."""
    mids, described = _mistakes([d.misconception])
    return Outcome(0.0, tuple(s for s in (d.feedback, *described) if s), mids)


@_grader("short_text")
def grade_short_text(spec: Any, r: TextResponse) -> Outcome:
    if r.text in {normalise(a, spec.case_sensitive) for a in spec.answers}:
        return Outcome(1.0)
    for d in spec.distractors:
        if r.text == normalise(d.text, spec.case_sensitive):
            return distractor_outcome(d)
    return Outcome(0.0)


def longest_in_order(sequence: list[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    for x in sequence:
        i = bisect_left(tails, x)
        tails[i:i + 1] = [x]
    return len(tails)


@_grader("ordering")
def grade_ordering(spec: Any, r: OrderResponse) -> Outcome:
    if spec.scoring == "exact":
        return Outcome(1.0 if tuple(r.order) == tuple(spec.answer) else 0.0)
    rank = {entry: i for i, entry in enumerate(spec.answer)}
    return Outcome(longest_in_order([rank[e] for e in r.order]) / len(spec.entries))


@_grader("matching")
def grade_matching(spec: Any, r: MatchResponse) -> Outcome:
    right = sum(a == b for a, b in zip(r.pairs, spec.answer))
    notes = {d.choice: d for d in getattr(spec, "distractors", ())}
    picked = [notes[a] for a, b in zip(r.pairs, spec.answer) if a != b and a in notes]
    mids, described = _mistakes([d.misconception for d in picked])
    feedback = tuple(dict.fromkeys(d.feedback for d in picked if d.feedback)) + described
    if spec.scoring == "all_or_nothing":
        return Outcome(1.0 if right == len(spec.answer) else 0.0, feedback, mids)
    return Outcome(right / len(spec.answer), feedback, mids)


@_grader("open_response")
def grade_open_response(spec: Any, r: EssayResponse) -> Outcome:
    from .calibration import active_fit, fitted_rubric

    # an instructor's fitted weights and thresholds for this template (qbank rubric calibrate --save)
    rubric = fitted_rubric(spec.rubric, active_fit(getattr(spec, "template", None)))
    result = score_rubric(rubric, r.text, spec.min_words)
    return Outcome(result.fraction, result.feedback, criteria=result.criteria, review=result.review)


@_grader("multipart")
def grade_multipart(spec: Any, r: MultipartResponse) -> Outcome:
    total = sum(p.weight for p in spec.parts)
    parts, feedback, mids = [], [], []
    fraction = 0.0
    for part in spec.parts:
        out = grade_spec(part, r.parts[part.label])
        f = min(1.0, max(0.0, out.fraction))
        fraction += part.weight * f / total
        parts.append(PartResult(part.label, part.weight, f, f >= _FULL, out.feedback,
                                out.misconceptions[0] if out.misconceptions else None, out.criteria))
        feedback += [f"({part.label}) {s}" for s in out.feedback]
        mids += out.misconceptions
    return Outcome(fraction, tuple(feedback), tuple(dict.fromkeys(mids)), parts=tuple(parts))
