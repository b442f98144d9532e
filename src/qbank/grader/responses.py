"""What the grader hands back: parsed responses, format errors and grades.

A :class:`FormatError` is a value, not an exception: a response the grader cannot read
("abc" where a number belongs, an option that does not exist, an empty answer) is not a
wrong answer, and the student should simply be asked again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

__all__ = [
    "ChoiceResponse", "CriterionResult", "EssayResponse", "FormatError", "Grade", "MatchResponse",
    "MultipartResponse", "NumberResponse", "OrderResponse", "PartResult", "Response", "TextResponse",
    "TruthResponse",
]


@dataclass(frozen=True, slots=True)
class ChoiceResponse:
    """Chosen option positions (A = 0), sorted and distinct."""

    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TruthResponse:
    """A true/false answer."""

    value: bool


@dataclass(frozen=True, slots=True)
class NumberResponse:
    """A finite number, as parsed from any accepted notation."""

    value: float


@dataclass(frozen=True, slots=True)
class TextResponse:
    """A short text answer, already normalised (see :mod:`qbank.grader.text`)."""

    text: str


@dataclass(frozen=True, slots=True)
class OrderResponse:
    """A permutation of entry positions, first to last."""

    order: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MatchResponse:
    """``pairs[i]`` is the choice position the student matched to prompt i."""

    pairs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class EssayResponse:
    """A free-text answer, kept as written (the rubric normalises it)."""

    text: str


@dataclass(frozen=True, slots=True)
class MultipartResponse:
    """One parsed response per part label."""

    parts: dict[str, "Response"]


Response = Union[
    ChoiceResponse, TruthResponse, NumberResponse, TextResponse, OrderResponse, MatchResponse,
    EssayResponse, MultipartResponse,
]


@dataclass(frozen=True, slots=True)
class FormatError:
    """A response that cannot be read; ``message`` says what is wrong, ``hint`` what is expected."""

    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One rubric criterion: met or not, why, and the feedback sentence for the student.

    ``evidence`` is the sentence of the answer that earned it (None when none did);
    ``source`` says how: "relation" (a clause states the criterion's relation),
    "paraphrase" (a clause means one of its statements; ``similarity`` is the cosine) or
    "cues" (older rubrics without relations).
    """

    id: str
    title: str
    weight: float
    met: bool
    feedback: str
    cues: tuple[str, ...] = ()
    contradicted: bool = False
    evidence: str | None = None
    source: str = ""
    similarity: float | None = None


@dataclass(frozen=True, slots=True)
class PartResult:
    """The result of one part of a multipart item; ``fraction`` is of that part."""

    label: str
    weight: float
    fraction: float
    correct: bool
    feedback: tuple[str, ...] = ()
    misconception: str | None = None
    criteria: tuple[CriterionResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Grade:
    """The grade of one response.

    ``score`` is in points (``fraction * max_score``); ``correct`` means full marks;
    ``misconception`` names what a chosen distractor stands for (the first, for several).
    """

    score: float
    max_score: float
    fraction: float
    correct: bool
    feedback: tuple[str, ...] = ()
    misconception: str | None = None
    misconceptions: tuple[str, ...] = ()
    parts: tuple[PartResult, ...] = ()
    criteria: tuple[CriterionResult, ...] = field(default=())
    review: tuple[str, ...] = ()
