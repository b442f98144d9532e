"""F20's worked example: the family's keys against a brute-force enumeration of every draw.

Best-of-n is simulated exactly: every n-tuple of responses drawn from pi, with its
probability, returns its highest-reward response. Two tie rules are enumerated, and both
must give the family's key: the stem's rule (one of the tied *draws*, uniformly) and the
rule of CONTENT.md D5 (the tuple's mass split over the tied responses in proportion to pi).
"""

from __future__ import annotations

import itertools
import math

import pytest

from qbank.grader import check
from qbank.questions import builtin_bank
from qbank.questions.template import Template

WORKED = {"pi": (0.4, 0.3, 0.2, 0.1), "rewards": (0.2, 0.9, 0.9, 1.5), "n": 4}


def brute_force(pi, rewards, n, rule):
    """P(best-of-n returns y_i) for every i, by enumerating all len(pi)**n ordered draws."""
    out = [0.0] * len(pi)
    for draws in itertools.product(range(len(pi)), repeat=n):
        mass = math.prod(pi[d] for d in draws)
        best = max(rewards[d] for d in draws)
        if rule == "uniform over tied draws":
            tied = [d for d in draws if rewards[d] == best]
            for d in tied:
                out[d] += mass / len(tied)
        else:  # "group split by pi"
            group = [j for j in range(len(pi)) if rewards[j] == best]
            total = sum(pi[j] for j in group)
            for j in group:
                out[j] += mass * pi[j] / total
    return out


def _item(params=None, seed=0):
    if params is None:
        return builtin_bank()["best-of-n-worked"].instantiate(seed)
    template = Template.model_validate({
        "id": "bon-test", "title": "t", "family": "best-of-n-table",
        "tags": {"topics": ["best-of-n"], "bloom": "apply"}, "params": params,
    })
    return template.instantiate(seed)


def _keys(item):
    return {p.label: p.answer for p in item.parts}


def test_the_bank_template_is_the_worked_example():
    item = _item()
    assert item.data["params"] == {"pi": list(WORKED["pi"]), "rewards": list(WORKED["rewards"]), "n": 4}
    assert "0.40" in item.stem and "Best-of-4" in item.stem
    assert "uniformly at random" in item.stem, "the stem states the tie rule, as CONTENT.md section 0 asks"


@pytest.mark.parametrize("rule", ["uniform over tied draws", "group split by pi"])
def test_worked_example_matches_brute_force(rule):
    pi, r, n = WORKED["pi"], WORKED["rewards"], WORKED["n"]
    expected = brute_force(pi, r, n, rule)
    keys = _keys(_item())
    for i, p in enumerate(expected):
        assert keys[f"y{i + 1}"] == pytest.approx(p, abs=1e-9), f"y{i + 1}"
    assert keys["reward"] == pytest.approx(sum(p * ri for p, ri in zip(expected, r)), abs=1e-9)


def test_worked_example_numbers_by_hand():
    """0.4^4; the tie group 0.9^4 - 0.4^4 split 3:2; 1 - 0.9^4 for the top response."""
    keys = _keys(_item())
    assert keys == pytest.approx({"y1": 0.0256, "y2": 0.3783, "y3": 0.2522, "y4": 0.3439, "reward": 1.08842}, abs=1e-12)


@pytest.mark.parametrize(("pi", "rewards", "n"), [
    ((0.4, 0.3, 0.2, 0.1), (0.2, 0.9, 0.9, 1.5), 4),
    ((0.5, 0.25, 0.15, 0.1), (1.0, -0.5, 2.0, 0.3), 3),
    ((0.05, 0.6, 0.35), (3.0, 1.0, 2.0), 5),
    ((0.1, 0.2, 0.3, 0.15, 0.25), (0.5, 0.5, 0.5, -1.0, 1.2), 2),
    ((0.7, 0.3), (0.0, 1.0), 1),
])
def test_p_top_is_one_minus_the_chance_of_never_drawing_it(pi, rewards, n):
    top = max(range(len(pi)), key=lambda j: rewards[j])
    by_enumeration = brute_force(pi, rewards, n, "uniform over tied draws")[top]
    assert by_enumeration == pytest.approx(1 - (1 - pi[top]) ** n, abs=1e-12)
    item = _item({"pi": list(pi), "rewards": list(rewards), "n": n})
    assert _keys(item)[f"y{top + 1}"] == pytest.approx(by_enumeration, abs=1e-9)
    for rule in ("uniform over tied draws", "group split by pi"):
        expected = brute_force(pi, rewards, n, rule)
        assert [_keys(item)[f"y{i + 1}"] for i in range(len(pi))] == pytest.approx(expected, abs=1e-9)


def test_grading_the_worked_example():
    item = _item()
    right = "y1: 0.0256; y2: 0.3783; y3: 0.2522; y4: 0.3439; reward: 1.0884"
    assert check(item, right).fraction == 1.0
    # the at-least-once answer for y1, 1 - 0.6^4, is a named misconception
    wrong = check(item, right.replace("y1: 0.0256", "y1: 0.8704"))
    assert wrong.fraction == pytest.approx(4 / 5)
    assert "M-BON-AT-LEAST-ONCE" in wrong.misconceptions


def test_a_table_that_is_not_a_distribution_is_refused():
    from qbank.errors import InputError

    with pytest.raises(InputError, match="pi must be positive and sum to 1"):
        _item({"pi": [0.5, 0.3], "rewards": [1.0, 2.0], "n": 2})
    with pytest.raises(InputError, match="one entry per response"):
        _item({"pi": [0.5, 0.5], "rewards": [1.0, 2.0, 3.0], "n": 2})
