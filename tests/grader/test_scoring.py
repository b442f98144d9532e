"""Grading: scores, feedback and misconceptions per item type."""

from __future__ import annotations

import pytest

from qbank.grader import FormatError, check, grade, parse
from qbank.grader.scoring import longest_in_order

from grader_testing import MATCHING_SPEC, OPTIONS, item


def test_single_choice_right_and_distractor(single) -> None:
    right = check(single, "A")
    assert (right.score, right.max_score, right.correct, right.feedback) == (1.0, 1.0, True, ("Yes.",))
    wrong = check(single, "B")
    assert (wrong.score, wrong.correct, wrong.misconception) == (0.0, False, "M-SIGN")
    assert wrong.feedback[0] == "No."
    assert wrong.feedback[1].startswith("Misconception M-SIGN")


def test_a_format_error_is_returned_not_graded(single) -> None:
    result = check(single, "Z")
    assert isinstance(result, FormatError)
    with pytest.raises(TypeError, match="cannot grade a format error"):
        grade(single, result)


@pytest.mark.parametrize("scoring, raw, fraction", [
    # key is A and D out of A-D
    ("all_or_nothing", "A,D", 1.0), ("all_or_nothing", "A", 0.0),
    ("partial", "A", 0.75), ("partial", "A,B", 0.5), ("partial", "B,C", 0.0), ("partial", "A,B,C,D", 0.5),
    ("right_minus_wrong", "A", 0.5), ("right_minus_wrong", "A,B", 0.0), ("right_minus_wrong", "A,B,C", 0.0),
    ("right_minus_wrong", "A,D,B", 0.5), ("right_minus_wrong", "A,D", 1.0),
])
def test_multiple_response_scoring(multiple, scoring: str, raw: str, fraction: float) -> None:
    assert check(multiple(scoring), raw).fraction == pytest.approx(fraction)


def test_multiple_response_names_every_chosen_misconception(multiple) -> None:
    g = check(multiple("partial"), "A,B,C")
    assert g.misconceptions == ("M-SIGN", "M-NO-NEG") and g.misconception == "M-SIGN"


@pytest.mark.parametrize("raw, score, misconception", [
    ("0.25", 2.0, None), ("0.254", 2.0, None), ("25%", 2.0, None), ("0.256", 0.0, None),
    ("-0.25", 0.0, "M-NO-NEG"), ("\u22120.251", 0.0, "M-NO-NEG"), ("0.25 nats", 2.0, None),
])
def test_numeric_scores_points_and_recognises_distractors(numeric, raw: str, score: float, misconception: str | None) -> None:
    g = check(numeric, raw)
    assert (g.score, g.max_score, g.misconception) == (score, 2.0, misconception)


def test_true_false_feedback_and_misconception() -> None:
    spec = item({"type": "true_false", "answer": False, "feedback_true": "It is not.", "misconception": "M-SIGN"})
    wrong = check(spec, "true")
    assert (wrong.fraction, wrong.misconception, wrong.feedback[0]) == (0.0, "M-SIGN", "It is not.")
    assert check(spec, "f").correct


def test_short_text_answers_and_distractors() -> None:
    spec = item({"type": "short_text", "answers": ["J’ai"], "distractors": [{"text": "Je", "misconception": "M-ARGMAX"}]})
    assert check(spec, "j'ai").correct
    assert check(spec, "je").misconception == "M-ARGMAX"
    assert check(spec, "tu").fraction == 0.0


@pytest.mark.parametrize("scoring, raw, fraction", [
    ("exact", "A B C D", 1.0), ("exact", "A B D C", 0.0),
    ("partial", "A B C D", 1.0), ("partial", "A B D C", 0.75), ("partial", "D C B A", 0.25), ("partial", "B C D A", 0.75),
])
def test_ordering(scoring: str, raw: str, fraction: float) -> None:
    spec = item({"type": "ordering", "entries": ["w", "x", "y", "z"], "answer": [0, 1, 2, 3], "scoring": scoring})
    assert check(spec, raw).fraction == pytest.approx(fraction)


@pytest.mark.parametrize("seq, length", [([], 0), ([0], 1), ([2, 0, 1], 2), ([3, 2, 1, 0], 1), ([0, 5, 1, 2, 6, 3], 4)])
def test_longest_in_order(seq: list[int], length: int) -> None:
    assert longest_in_order(seq) == length


@pytest.mark.parametrize("scoring, raw, fraction", [
    ("partial", "1-b 2-a", 1.0), ("partial", "1-b 2-c", 0.5), ("all_or_nothing", "1-b 2-c", 0.0), ("partial", "1-a 2-a", 0.5),
])
def test_matching(scoring: str, raw: str, fraction: float) -> None:
    assert check(item({**MATCHING_SPEC, "scoring": scoring}), raw).fraction == fraction


def test_multipart_is_the_weighted_sum_of_parts() -> None:
    spec = item({"type": "multipart", "parts": [
        {"label": "a", "prompt": "pick", "type": "single_choice", "options": OPTIONS[:3], "weight": 3},
        {"label": "b", "prompt": "value", "type": "numeric", "answer": 0.5, "tolerance": {"absolute": 0.01}, "weight": 1},
    ]}, points=4)
    g = check(spec, "a: B\nb: 0.5")
    assert (g.score, g.fraction, g.correct) == (1.0, 0.25, False)
    assert [(p.label, p.fraction) for p in g.parts] == [("a", 0.0), ("b", 1.0)]
    assert g.misconception == "M-SIGN" and g.parts[0].misconception == "M-SIGN"
    assert g.feedback[0] == "(a) No."
    assert check(spec, "a: A; b: 1/2").correct


def test_parse_is_pure_and_repeatable(single) -> None:
    assert parse(single, "b") == parse(single, "B")
