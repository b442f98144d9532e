"""Hints: every built-in item has one to show on `?`, and none gives away a variant's answer."""

from __future__ import annotations

import pytest

from qbank.questions import builtin_bank
from qbank.questions.hints import TOPIC_HINTS, hint_for
from qbank.renderers._markup import split_math

TEMPLATES = list(builtin_bank())


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_every_built_in_item_has_a_hint(template) -> None:
    item = template.instantiate(0)
    assert hint_for(item), f"{template.id}: topics {template.tags.topics} have no hint and the item has none"


def test_an_items_own_hint_comes_before_its_topics() -> None:
    own = next(t.instantiate(0) for t in TEMPLATES if t.instantiate(0).hint)
    assert hint_for(own) == own.hint


def test_topic_hints_hold_no_numbers_of_a_variant() -> None:
    # A topic hint is shared by every variant: the only digits it may hold are in formulas.
    for topic, hint in TOPIC_HINTS.items():
        prose = "".join(text for kind, text in split_math(hint) if kind == "text")
        assert not any(ch.isdigit() for ch in prose), topic
