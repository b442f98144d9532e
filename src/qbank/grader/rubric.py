"""Scoring open responses against a rubric of weighted criteria.

The rules, in the order they apply:

1. **Normalise** the answer: NFKC, quote variants folded, whitespace collapsed (cue
   patterns are matched case-insensitively).
2. **Too short.** An answer with fewer than ``min_words`` words scores 0 (it is graded, not
   a format error: the student did answer).
3. **Criteria.** A criterion is met when at least ``min_cues`` of its distinct cue patterns
   match somewhere in the answer and none of its ``contradictions`` does (an answer that
   says the opposite, such as "lower the temperature" for a remedy, does not earn the
   criterion by also using the right words). The raw score is the met weight over the total.
4. **Caps.** For each :class:`~qbank.questions.Cap`, if the answer meets none of the
   criteria in ``unless``, the score is limited to ``max_score``.
5. **Keyword lists.** An answer that is a bare list of terms rather than sentences (see
   :func:`is_keyword_list`) is capped at :data:`KEYWORD_LIST_CAP`: naming the concepts is
   not explaining the mechanism, and a cue list must not be gameable by pasting keywords.
6. **required_for_full.** An answer that misses any of these criteria never gets full
   marks. Its score is the weighted sum of what it met (which, weights being positive, is
   already below 1); the grader also says which required criteria are missing, and the
   grade's ``correct`` flag is False.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .responses import CriterionResult
from .text import normalise

__all__ = ["KEYWORD_LIST_CAP", "RubricScore", "is_keyword_list", "score_rubric"]

KEYWORD_LIST_CAP = 0.2

# Words that hold sentences together. A list of terms has almost none; an explanation,
# however terse, cannot avoid them.
_FUNCTION_WORDS = frozenset(
    "a an the is are was were be been being it its this that these those there they them their so because "
    "since as of to in on for by with from at than then which who what when while if but and or not no "
    "does do did has have had can could would will should may might must each every one all many more most "
    "how why into onto after before only also even still just very".split()
)
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


@dataclass(frozen=True)
class RubricScore:
    """The fraction earned, one result per criterion, and the feedback sentences."""

    fraction: float
    criteria: tuple[CriterionResult, ...]
    feedback: tuple[str, ...]


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def is_keyword_list(text: str) -> bool:
    """Whether ``text`` lists terms instead of explaining.

    True when fewer than one word in eight is a function word ("the", "is", "because",
    "so", ...), or when the answer splits on commas, semicolons, newlines and bullets into
    three or more fragments averaging under four words.
    """
    words = _WORD.findall(text.casefold())
    if len(words) < 3:
        return True
    function = sum(w in _FUNCTION_WORDS for w in words)
    if function / len(words) < 0.125:
        return True
    fragments = [f for f in re.split(r"[,;\n•·*|/]+|\s-\s", text) if _WORD.search(f)]
    return len(fragments) >= 3 and len(words) / len(fragments) < 4


def score_rubric(rubric: Any, raw: str, min_words: int = 0) -> RubricScore:
    """Score the answer ``raw`` against ``rubric`` (a :class:`~qbank.questions.Rubric`)."""
    text = normalise(raw, case_sensitive=True)
    n_words = len(_WORD.findall(text))
    results = []
    for c in rubric.criteria:
        matched = tuple(p for p in c.cues if _compiled(p).search(text))
        contradicted = any(_compiled(p).search(text) for p in c.contradictions)
        met = len(matched) >= c.min_cues and not contradicted
        if met:
            feedback = c.feedback_met
        elif contradicted:
            feedback = "Part of your answer contradicts the mechanism. " + c.feedback_missed
        else:
            feedback = c.feedback_missed
        results.append(CriterionResult(c.id, c.title, c.weight, met, feedback, matched, contradicted))
    if n_words < min_words:
        return RubricScore(0.0, tuple(results), (f"Your answer has {n_words} words; write at least {min_words}.",))
    met_ids = {r.id for r in results if r.met}
    fraction = sum(r.weight for r in results if r.met) / rubric.total_weight
    notes: list[str] = []
    for cap in rubric.caps:
        if not met_ids.intersection(cap.unless) and fraction > cap.max_score:
            fraction = cap.max_score
            notes.append(cap.reason or f"Without {' or '.join(cap.unless)} the score is limited to {cap.max_score:.0%}.")
    if fraction > KEYWORD_LIST_CAP and is_keyword_list(text):
        fraction = KEYWORD_LIST_CAP
        notes.append(f"A list of terms is not an explanation: write sentences that connect them (capped at {KEYWORD_LIST_CAP:.0%}).")
    missing_required = [r for r in rubric.required_for_full if r not in met_ids]
    if missing_required:
        notes.append("Full credit needs " + ", ".join(rubric.required_for_full) + "; this answer misses " + ", ".join(missing_required) + ".")
    feedback = tuple(r.feedback for r in results if r.feedback) + tuple(notes)
    return RubricScore(max(0.0, fraction), tuple(results), feedback)
