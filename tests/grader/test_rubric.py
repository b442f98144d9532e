"""Open responses: criteria, contradictions, caps, keyword lists, and the calibrated preamble rubric."""

from __future__ import annotations

import pytest

from qbank.grader import KEYWORD_LIST_CAP, check, is_keyword_list, score_rubric

from grader_testing import RUBRIC, item
from preamble_calibration import agreement, load


@pytest.mark.parametrize("answer, fraction, met", [
    ("The loss is a sum over tokens, the weights are shared, and greedy decoding picks the mode.", 1.0, {"A", "B", "C"}),
    ("The loss is a sum over tokens and greedy decoding picks the mode.", 0.75, {"A", "C"}),
    # B needs two cues (min_cues=2)
    ("The loss is a sum over tokens, and it has weights.", 0.5, {"A"}),
    # the contradiction cancels B even though both cues appear
    ("The loss is a sum over tokens; the weights are not shared.", 0.5, {"A"}),
    # without A the cap of 0.3 applies to B + C = 0.5
    ("The weights are shared and greedy decoding picks the mode.", 0.3, {"B", "C"}),
    ("Something else entirely, said in a full sentence.", 0.0, set()),
])
def test_criteria_contradictions_and_caps(answer: str, fraction: float, met: set[str]) -> None:
    result = score_rubric(RUBRIC, answer)
    assert result.fraction == pytest.approx(fraction)
    assert {c.id for c in result.criteria if c.met} == met


def test_feedback_has_one_sentence_per_criterion_and_the_cap_reason() -> None:
    result = score_rubric(RUBRIC, "The weights are shared and greedy decoding picks the mode.")
    assert result.feedback[:3] == ("A missed.", "B met.", "C met.")
    assert "Capped without A." in result.feedback
    assert any("Full credit needs A, B" in f and "misses A" in f for f in result.feedback)


def test_a_contradicted_criterion_says_so() -> None:
    result = score_rubric(RUBRIC, "The loss is a sum over tokens; the weights are not shared.")
    b = next(c for c in result.criteria if c.id == "B")
    assert b.contradicted and b.feedback.startswith("Part of your answer contradicts")


def test_required_for_full_means_not_correct() -> None:
    spec = item({"type": "open_response", "rubric": RUBRIC.model_dump(), "sample_answer": "x"}, points=4)
    g = check(spec, "The loss is a sum over tokens and greedy decoding picks the mode.")
    assert (g.score, g.correct) == (3.0, False)
    assert check(spec, "The loss is a sum over tokens, the weights are shared, and greedy decoding picks the mode.").correct


def test_min_words() -> None:
    spec = item({"type": "open_response", "rubric": RUBRIC.model_dump(), "sample_answer": "x", "min_words": 20})
    g = check(spec, "The loss is a sum over tokens, the weights are shared, and greedy decoding picks it.")
    assert g.fraction == 0.0 and "write at least 20" in g.feedback[0]


@pytest.mark.parametrize("text, listed", [
    ("per-token loss, shared parameters, frequency, greedy decoding", True),
    ("MLE; cross-entropy; shared weights; mode", True),
    ("sum greedy shared", True),
    ("The loss is a sum over tokens, so the first token is its own prediction.", False),
    ("Each token is its own term in the loss, and the weights are shared, so the mode wins.", False),
])
def test_keyword_lists(text: str, listed: bool) -> None:
    assert is_keyword_list(text) is listed


def test_a_keyword_list_is_capped() -> None:
    result = score_rubric(RUBRIC, "sum, per-token, shared weights, greedy")
    assert result.fraction == pytest.approx(KEYWORD_LIST_CAP) and KEYWORD_LIST_CAP <= 0.1
    assert any("list of terms" in f for f in result.feedback)


# The preamble rubric against hand grades (tests/grader/data/preamble_answers.yaml).
# Calibration answers tuned the patterns, so the bar is high there; held-out answers were
# written afterwards, so they show how the grader does on answers it was not tuned on.


def test_preamble_rubric_agrees_with_hand_grades_on_calibration_answers() -> None:
    a = agreement(load("calibration"))
    assert a.n >= 30
    assert a.within_015 >= 0.90
    assert a.mean_abs_diff <= 0.05
    assert a.pearson >= 0.95
    assert a.criterion_agreement >= 0.95


def test_preamble_rubric_on_held_out_answers() -> None:
    a = agreement(load("holdout"))
    assert a.n >= 10
    assert a.pearson >= 0.8
    assert a.mean_abs_diff <= 0.15
    # Its misses are under-credit a reviewer fixes on appeal; it never gives an answer
    # more than 0.15 above the human grade.
    assert all(auto - human <= 0.15 + 1e-9 for _, human, auto, _, _ in a.rows)


@pytest.mark.parametrize("answer", [a for a in load() if a["kind"] in ("wrong", "off-topic")], ids=lambda a: a["id"])
def test_wrong_and_off_topic_answers_score_at_most_015(answer: dict) -> None:
    from qbank.questions.families._rubrics import PREAMBLE_RUBRIC

    assert score_rubric(PREAMBLE_RUBRIC, answer["answer"]).fraction <= 0.15


def test_the_seed_items_sample_answer_earns_full_marks() -> None:
    from qbank.questions import builtin_bank

    spec = builtin_bank()["primary-colors-preamble"].instantiate(0)
    g = check(spec, spec.sample_answer)
    assert g.correct and g.score == spec.points
