"""The grader: student responses in, grades out.

    raw text --parse(item, raw)--> Response | FormatError --grade(item, response)--> Grade

The grader never calls the engine and never knows a family: the Item carries the key,
the tolerances, the misconceptions behind distractors and the rubric. A response that
cannot be read is a :class:`FormatError` value (ask again), never a wrong answer.
:func:`grade_batch` grades many responses, vectorised for choice and numeric items;
:mod:`qbank.grader.stats` computes item statistics over a class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .numbers import parse_number
from .parse import parse
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
from .rubric import KEYWORD_LIST_CAP, is_keyword_list, score_rubric
from .scoring import grade

if TYPE_CHECKING:
    from .batch import BatchResult, grade_batch, grade_choice_batch, grade_numeric_batch, parse_letters, parse_numbers

# The batch graders need numpy; one answer (`qbank check`, practice) does not, so they load on first use.
_BATCH = ("BatchResult", "grade_batch", "grade_choice_batch", "grade_numeric_batch", "parse_letters", "parse_numbers")


def __getattr__(name: str) -> Any:
    if name in _BATCH:
        from . import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "KEYWORD_LIST_CAP", "BatchResult", "ChoiceResponse", "CriterionResult", "EssayResponse", "FormatError", "Grade",
    "MatchResponse", "MultipartResponse", "NumberResponse", "OrderResponse", "PartResult", "Response", "TextResponse",
    "TruthResponse", "check", "grade", "grade_batch", "grade_choice_batch", "grade_numeric_batch", "is_keyword_list",
    "parse", "parse_letters", "parse_number", "parse_numbers", "score_rubric",
]


def check(item: Any, raw: str) -> Grade | FormatError:
    """Parse then grade: the Grade of ``raw``, or the FormatError to show the student."""
    response = parse(item, raw)
    return response if isinstance(response, FormatError) else grade(item, response)
