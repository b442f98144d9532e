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


def test_a_distractor_equal_to_the_key_is_dropped_and_one_the_tolerance_accepts_is_refused():
    from qbank.questions.families._common import Wrong, numeric_item
    from qbank.questions.params import Reject

    item = numeric_item("Q?", 0.5, [Wrong(0.5, "M-SIGN", "x"), Wrong(0.7, "M-SIGN", "y"), Wrong(0.7001, "M-NO-NEG", "z")], "E")
    assert [d.value for d in item.distractors] == [0.7]  # 0.5 is the key itself, 0.7001 shows as 0.700 again
    assert "3 decimals" in item.stem and "±0.005" in item.stem and item.explanation.endswith("Answer: 0.500.")
    # 0.5004 is not the key, but the tolerance would grade it right: the variant is redrawn
    with pytest.raises(Reject, match="M-SIGN value 0.5004 is within the tolerance of the key 0.5"):
        numeric_item("Q?", 0.5, [Wrong(0.5004, "M-SIGN", "x")], "E")


# -- F11: the closed-form M0 / M1 numbers of CONTENT.md section 4 -------------------------


@pytest.mark.parametrize("seed", range(6))
def test_preamble_mle_original_reproduces_m0_and_m1(seed):
    item = builtin_bank()["preamble-mle-original"].instantiate(seed)
    m0, m1 = item.data["model_a"], item.data["model_b"]
    assert (round(m0["Of"], 3), round(m0["Red"], 3)) == (0.675, 0.025)
    assert (round(m1["Of"], 3), round(m1["Red"], 3)) == (0.750, 0.083)
    grad = item.data["first_step_grad"]
    assert grad["Of"] == pytest.approx(-0.508, abs=5e-4) and grad["Red"] == pytest.approx(0.142, abs=5e-4)


@pytest.mark.parametrize("seed", range(6))
def test_preamble_mle_weighted_flips_the_greedy_token_at_w_10(seed):
    item = builtin_bank()["preamble-mle-weighted"].instantiate(seed)
    m1 = item.data["model_b"]
    assert (round(m1["Of"], 3), round(m1["Red"], 3)) == (0.429, 0.476)
    if item.type == "single_choice":
        key = item.options[item.key[0]].text
        assert "greedy decoding starts with `Red`, not `Of`" in key and "0.476" in key


@pytest.mark.parametrize("w, p_of, p_red", [(5, 0.5625, 0.3125), (9, 0.45, 0.45), (10, 0.4286, 0.4762), (20, 0.2903, 0.6452)])
def test_preamble_mle_matches_the_m1_weight_table(w, p_of, p_red):
    t = builtin_bank()["preamble-mle-weighted"]
    item = t.model_copy(update={"params": {**t.params, "weight": t.params["weight"].model_copy(update={"value": w})}}).instantiate(0)
    assert item.data["model_b"]["Of"] == pytest.approx(p_of, abs=5e-5)
    assert item.data["model_b"]["Red"] == pytest.approx(p_red, abs=5e-5)
    # p(Red) = w/(11+w): the greedy first token flips only for w > 9
    assert (item.data["model_b"]["Red"] > item.data["model_b"]["Of"]) == (w > 9)


@pytest.mark.parametrize("features, key", [("context_free", "model_a"), ("prompt_type", "model_b")])
@pytest.mark.parametrize("w", [1, 10])
def test_preamble_mle_agrees_with_gradient_descent_on_the_section_4_dataset(features, key, w):
    from qbank.engine import fit_first_token_model, preamble_dataset

    data = preamble_dataset()
    weights = [w if p == "List the primary colors" else 1 for p, _ in data]
    fit = fit_first_token_model(data, features=features, steps=20000, weights=weights)
    t = builtin_bank()["preamble-mle-original"]
    item = t.model_copy(update={"params": {**t.params, "weight": t.params["weight"].model_copy(update={"value": w})}}).instantiate(0)
    for token, p in item.data[key].items():
        assert fit.prob("List the primary colors", token) == pytest.approx(p, abs=2e-3), token
