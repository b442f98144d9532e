"""How a gradebook's item column names a quiz slot."""

from __future__ import annotations

import pytest

from qbank.grader.gradebook import slot_named

SLOTS = ("q1", "q2", "q3", "q10")


@pytest.mark.parametrize(("text", "slot"), [
    ("q3", "q3"),
    ("3", "q3"),
    ("03", "q3"),
    ("Q10", "q10"),
    ("٣", "q3"),  # a decimal digit in another script is still the number 3
    ("4", None),
    ("²3", None),  # a superscript is a digit to str.isdigit but not a number to int()
    ("³", None),
    ("q", None),
    ("", None),
])
def test_a_label_names_the_slot_it_spells_or_none(text: str, slot: str | None) -> None:
    assert slot_named(SLOTS, text) == slot
