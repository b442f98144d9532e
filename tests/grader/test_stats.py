"""Item statistics: facility, discrimination, reliability and review flags, on small classes worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qbank.grader.stats import cronbach_alpha, item_statistics, kr20, point_biserial, upper_lower_index

# 5 students x 3 right/wrong items
CORRECT = np.array([
    [1, 1, 0],
    [1, 1, 0],
    [1, 0, 1],
    [1, 0, 0],
    [1, 0, 1],
], dtype=float)


def test_kr20_by_hand() -> None:
    # p = 1, .4, .4; sum pq = 0 + .24 + .24 = .48; totals 2,2,2,1,2 -> variance .16
    assert kr20(CORRECT) == pytest.approx(3 / 2 * (1 - 0.48 / 0.16))


def test_alpha_equals_kr20_on_right_wrong_items() -> None:
    assert cronbach_alpha(CORRECT) == pytest.approx(kr20(CORRECT))


def test_reliability_is_nan_when_totals_do_not_vary() -> None:
    assert math.isnan(kr20(np.ones((4, 3))))


def test_point_biserial_is_corrected_against_the_rest_score() -> None:
    r = point_biserial(CORRECT, CORRECT)
    assert math.isnan(r[0])  # everyone right: no variance
    rest = CORRECT.sum(axis=1) - CORRECT[:, 1]
    assert r[1] == pytest.approx(np.corrcoef(CORRECT[:, 1], rest)[0, 1])


def test_upper_lower_index() -> None:
    totals = np.array([5.0, 4, 3, 2, 1, 0, 0, 0, 0, 0])  # 27% of 10 -> groups of 3
    item = np.array([[1.0], [1], [0], [1], [0], [0], [0], [1], [0], [0]])
    assert upper_lower_index(item, totals)[0] == pytest.approx(2 / 3 - 1 / 3)


def test_flags() -> None:
    points = np.array([[1, 0, 1, 1], [1, 0, 1, 0], [1, 0, 0, 1], [1, 1, 0, 0], [1, 0, 1, 1], [1, 0, 1, 1]], dtype=float)
    stats = item_statistics(["q1", "q2", "q3", "q4"], points, np.ones_like(points),
                            chosen=[{}, {"M-SIGN": 4}, {}, {}], offered=[[], ["M-SIGN", "M-NO-NEG"], [], []])
    flags = {s.item: s.flags for s in stats.items}
    assert "facility above 0.95" in flags["q1"]
    assert "facility below 0.2" in flags["q2"]
    assert "distractor nobody chose: M-NO-NEG" in flags["q2"]
    assert stats.items[1].distractors == {"M-SIGN": 4}
    assert stats.reliability_kind == "KR-20"
    assert any("negative discrimination" in f for s in stats.items for f in s.flags)


def test_partial_credit_uses_cronbach_alpha() -> None:
    points = np.array([[0.5, 1], [1, 1], [0, 0.5], [1, 0]])
    assert item_statistics(["a", "b"], points, np.ones_like(points)).reliability_kind == "Cronbach's alpha"


def test_a_template_is_broken_down_by_variant_and_leaves_out_students_without_it() -> None:
    # 4 students x 2 templates; student 3 did not get template b (maximum 0)
    points = np.array([[1, 1], [1, 0], [0, 0], [0, 1]], dtype=float)
    maxima = np.array([[1, 1], [1, 1], [1, 0], [1, 1]], dtype=float)
    variants = [["a-v1-s1", "b-v1-s1"], ["a-v1-s2", "b-v1-s1"], ["a-v1-s1", None], ["a-v1-s2", "b-v1-s2"]]
    picks = [[[], []], [[], ["M-X"]], [["M-Y"], []], [["M-Y"], []]]
    stats = item_statistics(["a", "b"], points, maxima, variants=variants, picks=picks)
    a, b = stats.items
    assert (a.n, a.facility) == (4, 0.5)
    assert (b.n, b.facility) == (3, pytest.approx(2 / 3))  # student 3 is not counted as a 0
    assert [(v.item, v.n, v.facility, v.distractors) for v in a.variants] == [
        ("a-v1-s1", 2, 0.5, {"M-Y": 1}), ("a-v1-s2", 2, 0.5, {"M-Y": 1})]
    assert [(v.item, v.n, v.facility, v.distractors) for v in b.variants] == [
        ("b-v1-s1", 2, 0.5, {"M-X": 1}), ("b-v1-s2", 1, 1.0, {})]


def test_a_matching_distractor_is_offered_and_reported_when_chosen():
    from qbank.grader import check
    from qbank.grader.report import _offered
    from qbank.questions import builtin_bank

    item = builtin_bank()["logit-gradient-match"].instantiate(5)
    (extra,) = item.distractors
    assert _offered(item) == [extra.misconception]
    wrong = " ".join(f"{i + 1}-{'abcde'[extra.choice if i == 0 else a]}" for i, a in enumerate(item.answer))
    grade = check(item, wrong)
    assert grade.misconceptions == (extra.misconception,) and grade.fraction == 0.75
