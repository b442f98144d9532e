"""One-shot checks: one answer to one item, or a whole quiz a student received.

The student quiz file (``students/<id>/quiz.json``, written by ``qbank build``) carries item
ids and points, never keys; each item is regenerated from the bank by its id. The answers
file has one line per slot, ``q1: B`` (multipart: ``q3: t1: 0.25; t2: -0.75``); blank lines
and ``#`` comments are allowed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InputError

if TYPE_CHECKING:
    from .quiz_file import StudentQuiz

__all__ = ["QuizCheck", "SlotCheck", "StudentQuiz", "check_quiz", "grade_json", "read_answers", "read_student_quiz"]

_SLOT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def read_student_quiz(path: str | Path) -> StudentQuiz:
    """Read and validate a student quiz file; errors name the file and the field."""
    from .._files import read_json, validate_data
    from .quiz_file import STUDENT_QUIZ_FORMAT, StudentQuiz

    path = Path(path)
    data = read_json(path, what="a qbank student quiz file")
    if not isinstance(data, dict) or data.get("format") != STUDENT_QUIZ_FORMAT:
        raise InputError(f"{path}: format: expected {STUDENT_QUIZ_FORMAT!r} (the quiz.json `qbank build` writes for each student)")
    return validate_data(StudentQuiz, data, str(path))


def __getattr__(name: str) -> Any:
    # The quiz file's models need pydantic, which checking one answer does not: loaded on first use.
    if name in ("StudentQuiz", "StudentQuizItem", "STUDENT_QUIZ_FORMAT"):
        from . import quiz_file

        return getattr(quiz_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_answers(path: str | Path, slots: list[str]) -> dict[str, tuple[str, int]]:
    """Answers by slot, each with its line number, from an answers file.

    Raises:
        InputError: a line is not ``slot: answer``, names a slot the quiz does not have, or
            repeats a slot; the message names the file and the line.
    """
    from .._files import read_text

    path = Path(path)
    text = read_text(path, what="answers file")
    known = set(slots)
    answers: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        slot, sep, answer = stripped.partition(":")
        slot = slot.strip()
        if not sep or not _SLOT.match(slot):
            raise InputError(f"{path}:{number}: expected 'slot: answer' such as 'q1: B', got {stripped!r}")
        if slot not in known:
            raise InputError(f"{path}:{number}: no slot {slot!r} in this quiz (slots: {', '.join(slots)})")
        if slot in answers:
            raise InputError(f"{path}:{number}: {slot} is answered twice (first on line {answers[slot][1]})")
        answers[slot] = (answer.strip(), number)
    return answers


@dataclass(frozen=True)
class SlotCheck:
    """One slot of a checked quiz."""

    slot: str
    item: str
    status: Literal["correct", "partial", "wrong", "unanswered", "unreadable"]
    score: float
    points: float
    response: str = ""
    feedback: tuple[str, ...] = ()
    misconception: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class QuizCheck:
    quiz_id: str
    student: str
    slots: tuple[SlotCheck, ...]

    @property
    def score(self) -> float:
        return sum(s.score for s in self.slots)

    @property
    def max_score(self) -> float:
        return sum(s.points for s in self.slots)

    @property
    def all_correct(self) -> bool:
        return all(s.status == "correct" for s in self.slots)

    def to_json(self) -> dict[str, Any]:
        return {
            "quiz_id": self.quiz_id, "student": self.student, "score": self.score, "max_score": self.max_score,
            "slots": [dataclasses.asdict(s) for s in self.slots],
        }


def check_quiz(
    quiz: StudentQuiz, answers: dict[str, tuple[str, int]], bank: Any, check: Callable[[Any, str], Any] | None = None
) -> QuizCheck:
    """Grade every slot of ``quiz``; a slot with no answer is unanswered (0 points)."""
    if check is None:
        from ..grader import check
    out = []
    for entry in quiz.items:
        item = bank.item(entry.item)
        raw, line = answers.get(entry.slot, ("", None))
        if not raw:
            out.append(SlotCheck(entry.slot, entry.item, "unanswered", 0.0, entry.points, line=line))
            continue
        grade = check(item, raw)
        if not hasattr(grade, "correct"):
            out.append(SlotCheck(entry.slot, entry.item, "unreadable", 0.0, entry.points, raw, (str(grade),), line=line))
            continue
        status = "correct" if grade.correct else ("partial" if grade.fraction > 0 else "wrong")
        out.append(SlotCheck(
            entry.slot, entry.item, status, round(grade.fraction * entry.points, 6), entry.points, raw,
            tuple(grade.feedback), grade.misconception, line,
        ))
    return QuizCheck(quiz.quiz_id, quiz.student, tuple(out))


def grade_json(grade: Any, item: Any) -> dict[str, Any]:
    """A Grade as JSON-ready data, with the item id."""
    return {"item": item.id, **dataclasses.asdict(grade)}
