"""Reading student quiz files and answers files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qbank.errors import InputError
from qbank.student.checking import check_quiz, read_answers, read_student_quiz


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def quiz_file(tmp_path: Path, items) -> Path:
    data = {"format": "qbank-student-quiz/1", "quiz_id": "week1", "title": "Week 1", "student": "s001", "items": items}
    return write(tmp_path / "quiz.json", json.dumps(data))


def test_answers_file_with_comments_blank_lines_and_multipart(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "# my answers\n\nq1: B\nq3: t1: 0.25; t2: -0.75\n  q2 :  \n")
    assert read_answers(path, ["q1", "q2", "q3"]) == {"q1": ("B", 3), "q3": ("t1: 0.25; t2: -0.75", 4), "q2": ("", 5)}


@pytest.mark.parametrize("text, message", [
    ("q1 B\n", r"a\.txt:1: expected 'slot: answer' such as 'q1: B', got 'q1 B'"),
    ("q1: A\n\nq9: B\n", r"a\.txt:3: no slot 'q9' in this quiz \(slots: q1, q2\)"),
    ("q1: A\nq1: B\n", r"a\.txt:2: q1 is answered twice \(first on line 1\)"),
    ("1 2: A\n", r"a\.txt:1: expected 'slot: answer'"),
])
def test_malformed_answers_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_answers(write(tmp_path / "a.txt", text), ["q1", "q2"])


def test_quiz_file_must_be_a_student_quiz(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"quiz\.json: format: expected 'qbank-student-quiz/1'"):
        read_student_quiz(write(tmp_path / "quiz.json", '{"format": "qbank-manifest/1"}'))
    with pytest.raises(InputError, match=r"quiz\.json:1: not a qbank student quiz file \(invalid JSON"):
        read_student_quiz(write(tmp_path / "quiz.json", "{not json"))
    path = quiz_file(tmp_path, [{"slot": "q1", "points": 1}])
    with pytest.raises(InputError, match=r"quiz\.json: items\[0\]\.item: required field is missing"):
        read_student_quiz(path)


def test_check_quiz_grades_each_slot_and_lists_the_unanswered(tmp_path: Path, bank) -> None:
    quiz = read_student_quiz(quiz_file(tmp_path, [
        {"slot": "q1", "item": "geo-capital-v1-s4", "points": 2},
        {"slot": "q2", "item": "half-number-v1-s0", "points": 1},
        {"slot": "q3", "item": "half-number-v1-s9", "points": 1},
    ]))
    result = check_quiz(quiz, {"q1": ("B", 1), "q2": ("2", 2)}, bank)
    assert [(s.slot, s.status, s.score, s.points) for s in result.slots] == [
        ("q1", "correct", 2.0, 2.0), ("q2", "wrong", 0.0, 1.0), ("q3", "unanswered", 0.0, 1.0),
    ]
    assert result.slots[1].misconception == "M-SIGN"
    assert (result.score, result.max_score, result.all_correct) == (2.0, 4.0, False)
