"""The student quiz file (``students/<id>/quiz.json``, written by ``qbank build``): its models."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from ..questions._model import Frozen

__all__ = ["STUDENT_QUIZ_FORMAT", "StudentQuiz", "StudentQuizItem"]

STUDENT_QUIZ_FORMAT = "qbank-student-quiz/1"


class StudentQuizItem(Frozen):
    slot: str = Field(min_length=1)
    item: str = Field(min_length=1, description="Item id, '<template>-v<version>-s<seed>'.")
    points: float = Field(default=1.0, gt=0)


class StudentQuiz(Frozen):
    """What a student receives besides the paper: which variant sits in which slot."""

    # Tolerate fields a later qbank adds; the ones read here are fixed by the format tag.
    model_config = ConfigDict(extra="ignore")

    format: Literal["qbank-student-quiz/1"]
    quiz_id: str
    title: str = ""
    student: str = ""
    items: tuple[StudentQuizItem, ...] = Field(min_length=1)
