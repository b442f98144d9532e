"""Variants: K distinct variants per LMS group, and each student's own seed."""

from __future__ import annotations

from typing import Any

import pytest

from qbank.errors import InputError
from qbank.quiz.variants import fingerprint, group_variants, item_order, student_seed


def test_a_group_holds_k_distinct_variants_the_same_on_every_run(bank: Any) -> None:
    variants = group_variants(bank["states"], 7, 5)
    assert len({fingerprint(v) for v in variants}) == 5
    assert [v.id for v in variants] == [v.id for v in group_variants(bank["states"], 7, 5)]
    assert [v.id for v in variants] != [v.id for v in group_variants(bank["states"], 8, 5)]


def test_option_order_alone_does_not_make_a_variant_distinct(bank: Any) -> None:
    fixed = bank["states-fixed"]
    a, b = fixed.instantiate(0), fixed.instantiate(1)
    assert [o.text for o in a.options] != [o.text for o in b.options], "the family places options per seed"
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize(("template", "message"), [
    ("states-fixed", r"sections\[0\]: template states-fixed gave 1 distinct variant in 32 tries, but 3 are asked for; "
                     r"lower `variants` for this section or set `allow_fewer_variants: true`"),
    ("ce-true-false", r"template ce-true-false is a static item with one variant, but 3 are asked for"),
])
def test_asking_for_more_variants_than_a_template_has_fails(bank: Any, template: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        group_variants(bank[template], 7, 3, where="quiz.yaml: sections[0]")
    assert len(group_variants(bank[template], 7, 3, allow_fewer=True)) == 1


def test_a_students_seed_depends_on_quiz_student_and_template_only() -> None:
    seed = student_seed(7, "s001", "states")
    assert seed == student_seed(7, "s001", "states")
    assert len({seed, student_seed(8, "s001", "states"), student_seed(7, "s002", "states"),
                student_seed(7, "s001", "step")}) == 4


def test_item_order_is_a_permutation_per_student() -> None:
    orders = {sid: item_order(7, sid, 0, 6) for sid in ("a", "b", "c", "d")}
    assert all(sorted(o) == list(range(6)) for o in orders.values())
    assert orders["a"] == item_order(7, "a", 0, 6)
    assert len({tuple(o) for o in orders.values()}) > 1
