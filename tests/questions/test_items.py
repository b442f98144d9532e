"""Item models accept every documented form and reject bad ones with the messages users see."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from qbank.questions import Item, Tags, letter, parse_item_id
from qbank.questions.items import (
    MatchingContent,
    MultipartContent,
    MultipleResponseContent,
    NumericContent,
    OpenResponseContent,
    Option,
    OrderingContent,
    ShortTextContent,
    SingleChoiceContent,
    Tolerance,
    TrueFalseContent,
    item_id,
    make_item,
)

ITEM = TypeAdapter(Item)
META = {"template": "t", "version": 2, "seed": 9, "title": "T", "tags": Tags(bloom="apply")}
RUBRIC = {"criteria": [{"id": "C1", "title": "says it", "weight": 1, "cues": ["loss"]}]}

EVERY_TYPE = [
    {"type": "single_choice", "stem": "s", "options": [{"text": "a", "correct": True}, {"text": "b", "misconception": "M-SIGN"}]},
    {"type": "multiple_response", "stem": "s", "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c"}], "scoring": "partial"},
    {"type": "true_false", "stem": "s", "answer": False, "misconception": "M-ALL-WRONG-DOWN"},
    {"type": "numeric", "stem": "s", "answer": 1.8971, "tolerance": {"absolute": 0.005, "relative": 0.005}, "decimals": 3},
    {"type": "numeric", "stem": "s", "answer": 1234.5, "tolerance": {"sigfig": 3}},
    {"type": "short_text", "stem": "s", "answers": ["J'"]},
    {"type": "ordering", "stem": "s", "entries": ["x", "y", "z"], "answer": [2, 0, 1]},
    {"type": "matching", "stem": "s", "prompts": ["1", "2"], "choices": ["a", "b", "c"], "answer": [1, 0]},
    {"type": "matching", "stem": "s", "prompts": ["1", "2"], "choices": ["a", "b", "c"], "answer": [1, 0],
     "distractors": [{"choice": 2, "misconception": "M-SIGN-FLIP", "feedback": "c is -g"}]},
    {"type": "open_response", "stem": "s", "rubric": RUBRIC, "sample_answer": "the loss"},
    {"type": "multipart", "stem": "s", "parts": [
        {"type": "numeric", "label": "t1", "prompt": "g(Je)", "answer": 0.35, "tolerance": {"absolute": 0.005}},
        {"type": "numeric", "label": "t2", "prompt": "g(J')", "answer": -0.75, "tolerance": {"absolute": 0.005}, "weight": 2},
    ]},
]


@pytest.mark.parametrize("content", EVERY_TYPE, ids=lambda c: c["type"])
def test_every_item_type_round_trips_through_json(content: dict) -> None:
    item = ITEM.validate_python({**content, "id": "t-v2-s9", "template": "t", "version": 2, "seed": 9, "title": "T", "tags": {"bloom": "apply"}})
    assert item.type == content["type"]
    again = ITEM.validate_json(item.model_dump_json())
    assert again == item
    assert again.content_hash() == item.content_hash()


def _content(**overrides: object) -> dict:
    base = {"type": "single_choice", "stem": "s", "options": [{"text": "a", "correct": True}, {"text": "b"}]}
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # choices
        (_content(options=[{"text": "a"}, {"text": "b"}]), "exactly 1 correct option, got 0"),
        (_content(options=[{"text": "a", "correct": True}, {"text": "b", "correct": True}]), "exactly 1 correct option, got 2"),
        (_content(options=[{"text": "a", "correct": True}, {"text": "a "}]), "distinct as displayed"),
        (_content(options=[{"text": "a", "correct": True}]), "at least 2 items"),
        (_content(options=[{"text": "a", "correct": True}, {"text": "b", "misconception": "sign error"}]), "should match pattern"),
        ({"type": "multiple_response", "stem": "s", "options": [{"text": "a"}, {"text": "b"}]}, "at least 1 correct option"),
        # numbers
        ({"type": "numeric", "stem": "s", "answer": float("nan"), "tolerance": {"absolute": 0.1}}, "must be finite"),
        ({"type": "numeric", "stem": "s", "answer": 1, "tolerance": {}}, "give absolute, relative or sigfig"),
        ({"type": "numeric", "stem": "s", "answer": 1, "tolerance": {"sigfig": 3, "absolute": 0.1}}, "cannot be combined"),
        ({"type": "numeric", "stem": "s", "answer": 1, "tolerance": {"absolute": -1}}, "greater than or equal to 0"),
        # ordering and matching
        ({"type": "ordering", "stem": "s", "entries": ["x", "y"], "answer": [0, 0]}, "permutation of 0..1"),
        ({"type": "matching", "stem": "s", "prompts": ["1", "2"], "choices": ["a", "b"], "answer": [0]}, "one choice per prompt"),
        ({"type": "matching", "stem": "s", "prompts": ["1", "2"], "choices": ["a", "b"], "answer": [1, 1]}, "at most one prompt"),
        ({"type": "matching", "stem": "s", "prompts": ["1", "2"], "choices": ["a", "b", "c"], "answer": [1, 0],
          "distractors": [{"choice": 3, "misconception": "M-SIGN"}]}, r"distractors\[\]\.choice must lie in 0\.\.2"),
        ({"type": "matching", "stem": "s", "prompts": ["1", "2"], "choices": ["a", "b", "c"], "answer": [1, 0],
          "distractors": [{"choice": 2, "misconception": "M-SIGN"}, {"choice": 2, "misconception": "M-SIGN-FLIP"}]},
         "at most one distractor entry"),
        # rubric
        ({"type": "open_response", "stem": "s", "sample_answer": "x", "rubric": {"criteria": [{"id": "C1", "title": "t", "weight": 1, "cues": ["("]}]}}, "invalid regular expression"),
        ({"type": "open_response", "stem": "s", "sample_answer": "x", "rubric": {**RUBRIC, "required_for_full": ["C9"]}}, "unknown criterion 'C9'"),
        # multipart
        ({"type": "multipart", "stem": "s", "parts": [
            {"type": "true_false", "label": "a", "prompt": "p", "answer": True},
            {"type": "true_false", "label": "a", "prompt": "q", "answer": False}]}, "labels must be unique"),
        # strictness: a typo is an error, not a silently ignored key
        (_content(explanaton="x"), "Extra inputs are not permitted"),
        (_content(type="essay"), "does not match any of the expected tags"),
    ],
)
def test_bad_items_are_rejected_with_a_message(content: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ITEM.validate_python({**content, "id": "x", "template": "t", "version": 1, "seed": 0, "title": "T", "tags": {"bloom": "apply"}})


def test_items_are_frozen() -> None:
    item = make_item(SingleChoiceContent(stem="s", options=[Option(text="a", correct=True), Option(text="b")]), **META)
    with pytest.raises(ValidationError, match="frozen"):
        item.stem = "changed"  # type: ignore[misc]


def test_item_ids_encode_template_version_and_seed() -> None:
    item = make_item(TrueFalseContent(stem="s", answer=True), **META)
    assert item.id == item_id("t", 2, 9) == "t-v2-s9"
    assert parse_item_id("paris-states-original-v1-s42") == ("paris-states-original", 1, 42)
    assert parse_item_id("not an id") is None


def test_floats_are_canonical_so_json_is_identical_across_machines() -> None:
    # the last bits of exp/log may differ between CPUs; 12 significant digits never do
    item = make_item(NumericContent(stem="s", answer=1.0 / 3.0 + 1e-15, tolerance=Tolerance(absolute=0.005)), **META, data={"x": [2 / 3]})
    assert item.answer == 0.333333333333
    assert item.data == {"x": [0.666666666667]}


def test_letters_continue_past_z() -> None:
    assert [letter(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_keys_of_choice_items_are_positions() -> None:
    c = MultipleResponseContent(stem="s", options=[Option(text="a"), Option(text="b", correct=True), Option(text="c", correct=True)])
    assert c.key == (1, 2)


def test_tolerance_descriptions_read_naturally() -> None:
    assert Tolerance(absolute=0.005).describe() == "±0.005"
    assert Tolerance(absolute=0.005, relative=0.005).describe() == "the larger of ±0.005 and ±0.5%"
    assert Tolerance(sigfig=3).describe() == "3 significant figures"


def test_content_types_mirror_item_types() -> None:
    for cls in (SingleChoiceContent, MultipleResponseContent, TrueFalseContent, NumericContent, ShortTextContent,
                OrderingContent, MatchingContent, OpenResponseContent, MultipartContent):
        assert "stem" in cls.model_fields and "type" in cls.model_fields


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_canonical_json_writes_what_json_dumps_writes(value: object) -> None:
    """Content hashes are taken of these bytes: the encoder made once must write json.dumps's."""
    import json

    from qbank.questions.items import canonical_json

    assert canonical_json(value) == json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_canonical_json_after_a_failed_encoding_still_writes_the_same() -> None:
    import json

    from qbank.questions.items import canonical_json

    with pytest.raises(TypeError, match="not JSON serializable"):
        canonical_json({"a": [{"b": object()}]})
    value = {"a": [{"b": 1.5}], "c": "\u00e9"}
    assert canonical_json(value) == json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
