"""Fixed-parameter templates reproduce CONTENT.md's published numbers."""

from __future__ import annotations

import pytest

from qbank.questions import builtin_bank


def test_paris_original_reproduces_seed_2():
    item = builtin_bank()["paris-states-original"].instantiate(0)
    assert item.data["loss_a"] == pytest.approx(1.8971, abs=5e-5)
    assert item.data["loss_b"] == pytest.approx(1.3863, abs=5e-5)
    assert "0.5108" in item.explanation


def test_french_original_reproduces_the_seed_3_logit_changes():
    item = builtin_bank()["french-next-step-original"].instantiate(0)
    change = item.data["logit_change"]
    assert change == pytest.approx({"J'": 0.75, "Je": -0.35, "Le": -0.15, "Mon": -0.10})


@pytest.mark.parametrize("seed", range(5))
def test_seed_3_statements_follow_the_d2_table(seed):
    item = builtin_bank()["next-step-seed3-statements"].instantiate(seed)
    assert item.data["new_probs"] == pytest.approx({"J'": 0.4620, "Je": 0.2153, "Le": 0.1127, "Mon": 0.0790}, abs=5e-5)
    assert item.data["new_remainder"] == pytest.approx(0.1309, abs=5e-5)
    every_wrong_falls = [o for o in item.options if o.text.startswith("Every probability except")]
    assert all(o.correct for o in every_wrong_falls)  # tau_1 < 0 at seed 3: every wrong token falls


def test_a_distractor_equal_to_the_key_is_dropped():
    from qbank.questions.families._common import Wrong, numeric_item

    item = numeric_item("Q?", 0.5, [Wrong(0.5004, "M-SIGN", "x"), Wrong(0.7, "M-SIGN", "y"), Wrong(0.7001, "M-NO-NEG", "z")], "E")
    assert [d.value for d in item.distractors] == [0.7]
    assert "3 decimals" in item.stem and "±0.005" in item.stem and item.explanation.endswith("Answer: 0.500.")
