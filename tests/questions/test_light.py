"""Light items (a cached item's JSON data as attributes) grade exactly as the full items do:
every built-in template, several seeds, right, wrong, partial, distractor and garbled answers."""

from __future__ import annotations

import pytest

from answer_battery import GARBLED, answers

from qbank.grader import check
from qbank.questions import builtin_bank
from qbank.questions._light import light_item, needs_rubric

def cases() -> list[tuple[str, int]]:
    return [(t.id, seed) for t in builtin_bank() for seed in (0, 1, 7)]


@pytest.mark.parametrize(("template_id", "seed"), cases())
def test_a_light_item_grades_every_answer_as_the_full_item(template_id: str, seed: int) -> None:
    item = builtin_bank()[template_id].instantiate(seed)
    data = item.model_dump(mode="json")
    if needs_rubric(data):
        assert item.type == "open_response" or any(p.type == "open_response" for p in item.parts)
        return
    light = light_item(data)
    tried = answers(item) + GARBLED
    for raw in tried:
        assert check(light, raw) == check(item, raw), (item.id, raw)
    assert (light.id, light.explanation, light.points) == (item.id, item.explanation, item.points)


def test_the_answers_tried_reach_every_outcome() -> None:
    """Not a vacuous comparison: over the bank the answers above are right, partly right, wrong and unreadable."""
    seen = set()
    for template_id, seed in cases()[::3]:
        item = builtin_bank()[template_id].instantiate(seed)
        if needs_rubric(item.model_dump(mode="json")):
            continue
        for raw in answers(item) + GARBLED[:6]:
            grade = check(item, raw)
            if not hasattr(grade, "correct"):
                seen.add("unreadable")
            elif grade.correct:
                seen.add("correct")
            else:
                seen.add("partial" if grade.fraction > 0 else "wrong")
                seen.add("misconception" if grade.misconception else "wrong")
    assert seen == {"correct", "partial", "wrong", "unreadable", "misconception"}


def test_an_open_answer_needs_the_rubric() -> None:
    assert needs_rubric({"type": "open_response"})
    assert needs_rubric({"type": "multipart", "parts": [{"type": "numeric"}, {"type": "open_response"}]})
    assert not needs_rubric({"type": "multipart", "parts": [{"type": "numeric"}]})
    assert not needs_rubric({"type": "single_choice"})


def test_free_form_data_stays_as_it_is() -> None:
    light = light_item({"type": "numeric", "data": {"key": [1, 2], "x": {"y": 1}}})
    assert light.data == {"key": [1, 2], "x": {"y": 1}}
