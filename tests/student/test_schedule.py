"""The Leitner rule that picks a session's items."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.student.progress import Attempt
from qbank.student.schedule import leitner_boxes, plan, weakness


def attempt(template: str, outcome: str, topics=("t",)) -> Attempt:
    return Attempt(item_id=f"{template}-v1-s0", template=template, version=1, seed=0, topics=topics, bloom="apply",
                   outcome=outcome, score=1.0 if outcome == "correct" else 0.0, max_score=1.0)


def template(tid: str, *topics: str, family: str | None = None):
    return SimpleNamespace(id=tid, family=family, tags=SimpleNamespace(topics=topics or ("t",)))


@pytest.mark.parametrize("outcomes, box", [
    (["correct"], 2),                                   # first answer right: up from box 1
    (["wrong"], 1),
    (["correct", "correct", "correct"], 4),
    (["correct"] * 10, 5),                              # the top box is 5
    (["correct", "correct", "correct", "wrong"], 1),    # a wrong answer sends it back to box 1
    (["wrong", "correct"], 2),
    (["correct", "skipped", "skipped"], 2),             # a skip leaves it where it is
])
def test_leitner_boxes(outcomes: list[str], box: int) -> None:
    assert leitner_boxes([attempt("x", o) for o in outcomes]) == {"x": box}


def test_skipped_only_is_not_in_a_box() -> None:
    assert leitner_boxes([attempt("x", "skipped")]) == {}


def test_weakness_is_the_weakest_topic_and_unpractised_counts_as_zero() -> None:
    assert weakness(("a", "b"), {"a": 0.9, "b": 0.4}) == 0.4
    assert weakness(("a", "new"), {"a": 0.9}) == 0.0


def test_wrong_answers_come_first_then_new_then_known() -> None:
    templates = [template("known"), template("new"), template("missed"), template("once")]
    history = [attempt("known", "correct")] * 3 + [attempt("missed", "wrong"), attempt("once", "correct")]
    got = [p.template for p in plan(templates, history, 4, np.random.default_rng(0))]
    # missed is in box 1, once in box 2, new has no box, known is in box 4
    assert got == ["missed", "once", "new", "known"]


def test_weakest_topic_first_within_a_step() -> None:
    templates = [template("strong", "s"), template("weak", "w")]
    history = [attempt("s1", "correct", ("s",)), attempt("w1", "wrong", ("w",))]
    for seed in range(5):
        got = [p.template for p in plan(templates, history, 2, np.random.default_rng(seed))]
        assert got == ["weak", "strong"]


def test_the_order_repeats_with_fresh_variants_when_n_exceeds_the_templates() -> None:
    got = plan([template("a"), template("b")], [], 5, np.random.default_rng(1))
    assert [p.template for p in got][:2] == [p.template for p in got][2:4]
    assert len({p.seed for p in got}) == 5


def test_the_same_seed_gives_the_same_session_and_another_seed_may_not() -> None:
    templates = [template(f"t{i}") for i in range(8)]
    first = plan(templates, [], 8, np.random.default_rng(42))
    assert first == plan(templates, [], 8, np.random.default_rng(42))
    assert any(plan(templates, [], 8, np.random.default_rng(s)) != first for s in range(43, 48))


def test_no_templates_means_no_items() -> None:
    assert plan([], [], 10, np.random.default_rng(0)) == []


def test_two_templates_of_one_family_are_never_asked_back_to_back_when_another_can_go_between() -> None:
    templates = [template("states", family="compare-states"), template("states-original", family="compare-states"),
                 template("step", family="next-step"), template("fact")]
    for seed in range(20):
        got = plan(templates, [], 4, np.random.default_rng(seed))
        families = [next(t.family or t.id for t in templates if t.id == p.template) for p in got]
        assert all(a != b for a, b in zip(families, families[1:])), (seed, [p.template for p in got])
        assert sorted(p.template for p in got) == sorted(t.id for t in templates)


def test_a_session_of_one_family_still_asks_every_item() -> None:
    templates = [template("a", family="f"), template("b", family="f")]
    assert sorted(p.template for p in plan(templates, [], 2, np.random.default_rng(0))) == ["a", "b"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcd"), min_size=1, max_size=12), st.integers(0, 2**32 - 1))
def test_near_duplicates_are_kept_apart_whenever_the_families_allow_it(families: list[str], seed: int) -> None:
    templates = [template(f"t{i}", family=f) for i, f in enumerate(families)]
    got = [p.template for p in plan(templates, [], len(templates), np.random.default_rng(seed))]
    assert sorted(got) == sorted(t.id for t in templates)
    shown = [families[int(t[1:])] for t in got]
    if max(map(families.count, set(families))) <= (len(families) + 1) // 2:
        assert all(a != b for a, b in zip(shown, shown[1:])), shown
