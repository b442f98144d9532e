"""F04 as a matching item: each token to its gradient entry, the gold entry under a misconception left over."""

from __future__ import annotations

from collections import Counter

from qbank.grader import check
from qbank.questions.families._common import fmt
from qbank.questions.items import letter
from qbank.questions.misconceptions import is_known

from family_testing import variants

SEEDS = 1000


def _gold(item) -> int:
    return next(i for i, n in enumerate(item.data["params"]["probs"]["tokens"]) if f"gold next token is `{n}`" in item.stem)


LEFT_OVER = {  # misconception -> its value of the gold entry, by hand
    "M-SIGN-FLIP": lambda pc: 1 - pc, "M-PROB-GRAD": lambda pc: -1 / pc,
    "M-JACOBIAN-DIAG": lambda pc: pc * (1 - pc), "M-ONLY-CORRECT": lambda pc: 0.0,
}


def test_every_token_matches_p_minus_one_hot_and_the_left_over_is_a_named_misconception():
    drawn = Counter()
    for item in variants("logit-gradient-match", SEEDS):
        probs = list(item.data["params"]["probs"]["tokens"].values())
        c = _gold(item)
        expected = [p - (1.0 if j == c else 0.0) for j, p in enumerate(probs)]  # g = p - e_c, by hand
        assert [item.choices[a] for a in item.answer] == [fmt(g, 2) for g in expected], item.id
        assert len(set(item.choices)) == len(item.choices) == len(probs) + 1
        (left,) = [j for j in range(len(item.choices)) if j not in item.answer]
        (extra,) = item.distractors
        assert extra.choice == left and is_known(extra.misconception) and extra.feedback
        assert item.choices[left] == fmt(LEFT_OVER[extra.misconception](probs[c]), 2)
        drawn[extra.misconception] += 1
        assert "spread over many tokens, each tiny" in item.stem
    assert set(drawn) == set(LEFT_OVER) and min(drawn.values()) > 0.15 * SEEDS, drawn


def test_the_gold_token_is_not_always_the_argmax_and_the_answer_positions_vary():
    items = variants("logit-gradient-match", SEEDS)
    not_argmax = sum(_gold(i) != max(range(4), key=lambda j: list(i.data["params"]["probs"]["tokens"].values())[j]) for i in items)
    assert 0.55 * SEEDS < not_argmax < 0.78 * SEEDS  # weights 1:2
    assert len({i.answer for i in items}) > 100


def test_grading_a_matching_answer():
    item = variants("logit-gradient-match", 1)[0]
    right = " ".join(f"{i + 1}-{letter(a).lower()}" for i, a in enumerate(item.answer))
    assert check(item, right).fraction == 1.0
    left = next(j for j in range(len(item.choices)) if j not in item.answer)
    c = _gold(item)
    flipped = " ".join(f"{i + 1}-{letter(left if i == c else a).lower()}" for i, a in enumerate(item.answer))
    grade = check(item, flipped)
    assert grade.fraction == 0.75  # partial: three of four
    (extra,) = item.distractors
    assert grade.misconception == extra.misconception and extra.feedback in grade.feedback
