"""JSON: the canonical Items, for other tools.

The instructor version is ``Assessment.model_dump(mode="json")``, which
``Assessment.model_validate`` reads back unchanged. The student version is what a student is
given: the first ``pick`` items of each group, with every key-bearing field removed.
"""

from __future__ import annotations

import json
from typing import Any

from ..questions import Assessment
from . import Audience, Format, Rendered, register

__all__ = ["item_json", "student_view"]

# Fields that carry the key or reveal it; a student export drops them everywhere.
_KEY_FIELDS = {"correct", "answer", "answers", "feedback", "misconception", "distractors", "explanation",
               "rubric", "sample_answer", "feedback_true", "feedback_false", "data"}


def student_view(value: Any) -> Any:
    """The item data with every key-bearing field removed, recursively."""
    if isinstance(value, dict):
        return {k: student_view(v) for k, v in value.items() if k not in _KEY_FIELDS}
    if isinstance(value, list):
        return [student_view(v) for v in value]
    return value


def item_json(item: Any, *, key: bool = False) -> str:
    data = item.model_dump(mode="json")
    return json.dumps(data if key else student_view(data), indent=2, ensure_ascii=False)


def render_assessment(assessment: Assessment, audience: Audience = "student") -> Rendered:
    if audience == "instructor":
        # pydantic's own serialiser: the same JSON as model_dump + json.dumps, several times faster
        return Rendered(assessment.model_dump_json(indent=2) + "\n")
    data = json.loads(assessment.model_dump_json())  # faster than model_dump(mode="json")
    if audience == "student":
        for section in data["sections"]:
            for group in section["groups"]:
                group["items"] = group["items"][: group["pick"]]
        data = student_view(data)
    return Rendered(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


register(Format("json", ".json", "JSON: the canonical items (student version without keys)", lambda a, audience="student": render_assessment(a, audience)))
