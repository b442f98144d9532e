"""JSON: the canonical items for other tools; the student version has no key."""

from __future__ import annotations

import json
from typing import Any

from fixtures_text import bank_assessment
from qbank.questions import Assessment, Group, Section
from qbank.renderers.json_export import render_assessment, student_view

KEY_FIELDS = {"correct", "answer", "answers", "feedback", "misconception", "distractors", "explanation",
              "rubric", "sample_answer", "feedback_true", "feedback_false"}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_instructor_json_reads_back_as_the_same_assessment(every_type_items: list[Any], hostile_item: Any) -> None:
    quiz = Assessment.from_items([*every_type_items, hostile_item], title="Every type")
    data = json.loads(render_assessment(quiz, "instructor").content)
    assert Assessment.model_validate(data) == quiz


def test_student_json_has_no_key_field_anywhere(every_type_items: list[Any]) -> None:
    for quiz in (Assessment.from_items(every_type_items, title="T"), bank_assessment()):
        data = json.loads(render_assessment(quiz, "student").content)
        assert not _keys(data) & KEY_FIELDS
        stems = [i["stem"] for s in data["sections"] for g in s["groups"] for i in g["items"]]
        assert stems == [i.stem for i in quiz.items()]


def test_student_json_holds_only_the_picked_variants(every_type_items: list[Any]) -> None:
    group = Group(id="pool", title="pool", pick=1, items=tuple(every_type_items[:3]))
    quiz = Assessment(id="q", title="Q", sections=(Section(groups=(group,)),))
    data = json.loads(render_assessment(quiz, "student").content)
    assert [i["id"] for i in data["sections"][0]["groups"][0]["items"]] == [every_type_items[0].id]


def test_hostile_text_survives_in_json(hostile_item: Any) -> None:
    from renderer_testing import HOSTILE

    data = json.loads(render_assessment(Assessment.from_items([hostile_item], title="Q"), "student").content)
    item = data["sections"][0]["groups"][0]["items"][0]
    assert item["stem"] == f"Stem {HOSTILE} end" and item["options"][0] == {"text": f"Right {HOSTILE}"}


def test_student_view_drops_nested_key_fields() -> None:
    assert student_view({"parts": [{"answer": 1, "prompt": "p", "options": [{"text": "a", "correct": True}]}]}) == {
        "parts": [{"prompt": "p", "options": [{"text": "a"}]}]}
