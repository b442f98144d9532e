"""Canvas's fast path writes exactly what serialising the item's element tree writes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from renderer_testing import HOSTILE, _item, make_every_type_items, make_hostile_item

from qbank.questions import builtin_bank
from qbank.renderers._xml import raw, tostring
from qbank.renderers.canvas import item_element, item_xml

FAST_TYPES = {"single_choice", "multiple_response", "numeric"}


def assert_same_xml(item: Any, *, points: float = 1.0, shuffle: bool = False, ident: str | None = None) -> None:
    ident = ident or item.id
    fast = item_xml(item, ident, points, shuffle=shuffle)
    assert fast is not None
    assert tostring(raw(fast)) == tostring(item_element(item, ident, points, shuffle=shuffle))


def test_every_built_in_choice_and_numeric_item_is_written_as_its_tree() -> None:
    seen = set()
    for template in builtin_bank():
        for seed in (0, 1, 7):
            item = template.instantiate(seed)
            if item.type in FAST_TYPES:
                seen.add(item.type)
                assert_same_xml(item, points=float(template.points), shuffle=seed == 7)
    assert seen == FAST_TYPES


def test_the_test_items_and_hostile_text_are_written_as_their_trees() -> None:
    for item in (*make_every_type_items(), make_hostile_item()):
        if item.type in FAST_TYPES:
            assert_same_xml(item, points=2.5, ident=f"{item.id}-2 & <\"x\">")
        else:
            assert item_xml(item, item.id, 1.0) is None  # the tree path for every other type


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20) | st.sampled_from(
    ["", " ", HOSTILE, "**bold** and `code`", "$x^2$ and $$y$$", "a\nb\n\n- c\n- d", "tab\there \"q\" 'a' \r end",
     "| a | b |\n|---|---|\n| 1 | 2 |"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stem=texts, title=texts, explanation=texts, options=st.lists(st.tuples(texts, texts), min_size=2, max_size=5),
       multiple=st.booleans(), shuffle=st.booleans(), points=st.sampled_from([1.0, 0.5, 3.0, 1e-3, 12.25]))
def test_any_choice_item_is_written_as_its_tree(stem: str, title: str, explanation: str, options: list[tuple[str, str]],
                                                multiple: bool, shuffle: bool, points: float) -> None:
    texts_seen = [f"{n}. {text}" for n, (text, _) in enumerate(options)]  # distinct, never empty
    correct = [True] + [multiple and n % 2 == 1 for n in range(1, len(options))]
    item = _item("t-fast", type="multiple_response" if multiple else "single_choice", title=title, stem=stem or "S",
                 explanation=explanation, shuffle=shuffle,
                 options=[{"text": t, "correct": c, "feedback": fb} for t, c, (_, fb) in zip(texts_seen, correct, options)])
    assert_same_xml(item, points=points, shuffle=not shuffle)


@pytest.mark.parametrize("tolerance", [{"absolute": 0.01}, {"relative": 0.05}, {"sigfig": 3}, {"absolute": 0.0}])
@pytest.mark.parametrize("answer", [0.0, 2.5, -1234.5678, 1e-9, 6.02e23])
@pytest.mark.parametrize("unit", ["", "nats", HOSTILE])
def test_numeric_items_are_written_as_their_trees(tolerance: dict[str, float], answer: float, unit: str) -> None:
    item = _item("t-num", type="numeric", stem=f"How much {HOSTILE}?", answer=answer, tolerance=tolerance, unit=unit,
                 explanation="Because." if unit else "")
    assert_same_xml(item, points=4.0)
