"""Items built by hand for grader tests: one of each type, small and readable."""

from __future__ import annotations

from typing import Any

import pytest

from pydantic import TypeAdapter

from qbank.questions.items import ItemContent, make_item
from qbank.questions.rubric import Cap, Criterion, Rubric

TAGS = {"topics": ["testing"], "bloom": "apply"}


def item(spec: dict[str, Any], points: float = 1.0) -> Any:
    """An item of any type from its answer-spec fields (stem and identity filled in)."""
    content = TypeAdapter(ItemContent).validate_python({"stem": "Q?", **spec})
    return make_item(content, template="t", version=1, seed=0, title="test", tags=TAGS, points=points)


OPTIONS = [
    {"text": "right", "correct": True, "feedback": "Yes."},
    {"text": "wrong one", "feedback": "No.", "misconception": "M-SIGN"},
    {"text": "wrong two", "misconception": "M-NO-NEG"},
    {"text": "right too", "correct": True},
]


@pytest.fixture
def single() -> Any:
    return item({"type": "single_choice", "options": OPTIONS[:3]})


@pytest.fixture
def numeric() -> Any:
    return item({
        "type": "numeric", "answer": 0.25, "tolerance": {"absolute": 0.005}, "decimals": 3, "unit": "nats",
        "distractors": [{"value": -0.25, "misconception": "M-NO-NEG", "feedback": "Mind the sign."}],
    }, points=2)


@pytest.fixture
def multiple() -> Any:
    return lambda scoring: item({"type": "multiple_response", "options": OPTIONS, "scoring": scoring})


RUBRIC = Rubric(
    criteria=(
        Criterion(id="A", title="a", weight=2, cues=(r"\bsum\b", r"per[- ]token"), min_cues=1,
                  feedback_met="A met.", feedback_missed="A missed."),
        Criterion(id="B", title="b", weight=1, cues=(r"shared", r"weights"), min_cues=2,
                  contradictions=(r"not shared",), feedback_met="B met.", feedback_missed="B missed."),
        Criterion(id="C", title="c", weight=1, cues=(r"greedy",), feedback_met="C met.", feedback_missed="C missed."),
    ),
    caps=(Cap(unless=("A",), max_score=0.3, reason="Capped without A."),),
    required_for_full=("A", "B"),
)


MATCHING_SPEC = {"type": "matching", "prompts": ["p1", "p2"], "choices": ["c1", "c2", "c3"], "answer": [1, 0]}
