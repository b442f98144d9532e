"""The GIFT grammar, case by case: what each construct becomes, and what is an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qbank.errors import BankError
from qbank.importers import ImportResult
from qbank.importers.gift import read_gift


def _read(text: str) -> ImportResult:
    result = ImportResult()
    read_gift(text, "q.gift", result)
    return result


def _one(text: str) -> dict[str, Any]:
    result = _read(text)
    assert len(result.questions) == 1, result.skipped
    return result.questions[0].content


@pytest.mark.parametrize(("gift", "expected"), [
    # choices: = right, ~ wrong, #feedback; weights make multiple response
    ("::A:: Q? {=yes#Good ~no#Bad}", {"type": "single_choice", "stem": "Q?", "options": [
        {"text": "yes", "correct": True, "feedback": "Good"}, {"text": "no", "correct": False, "feedback": "Bad"}]}),
    ("Q? {~%50%a ~%50%b ~%-50%c}", {"type": "multiple_response", "stem": "Q?", "scoring": "right_minus_wrong", "options": [
        {"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": False}]}),
    # true/false: the first feedback is for a wrong answer, the second for a right one
    ("Sky blue? {T#No way#Yes}", {"type": "true_false", "stem": "Sky blue?", "answer": True,
                                  "feedback_true": "Yes", "feedback_false": "No way"}),
    ("Q? {FALSE}", {"type": "true_false", "stem": "Q?", "answer": False}),
    # short answer: only = answers
    ("Capital? {=Paris =paris}", {"type": "short_text", "stem": "Capital?", "answers": ["Paris", "paris"]}),
    # numeric: value:tolerance, a range, several answers
    ("Pi? {#3.14:0.01}", {"type": "numeric", "stem": "Pi?", "answer": 3.14, "tolerance": {"absolute": 0.01}}),
    ("N? {#1.5..2.5}", {"type": "numeric", "stem": "N?", "answer": 2.0, "tolerance": {"absolute": 0.5}}),
    ("N? {#=2:0 =%0%3:0#Off by one}", {"type": "numeric", "stem": "N?", "answer": 2.0, "tolerance": {"absolute": 0.0},
                                       "distractors": [{"value": 3.0, "misconception": "M-IMPORTED", "feedback": "Off by one"}]}),
    # matching
    ("Match {=a -> 1 =b -> 2 = -> 3}", {"type": "matching", "stem": "Match", "prompts": ["a", "b"],
                                        "choices": ["1", "2", "3"], "answer": [0, 1], "scoring": "partial"}),
    # escapes, [html], general feedback, newlines
    ("::E:: a \\: b \\= c \\{d\\} \\\\ \\n e {=x\\#y ####Why\\: because}",
     {"type": "short_text", "stem": "a : b = c {d} \\\\ \n e", "answers": ["x#y"], "explanation": "Why: because"}),
    ("::H::[html]<p>2 &lt; 3</p> {=<b>yes</b> ~no}", {"type": "single_choice", "stem": "2 < 3", "options": [
        {"text": "**yes**", "correct": True}, {"text": "no", "correct": False}]}),
])
def test_gift_constructs(gift: str, expected: dict[str, Any]) -> None:
    assert _one(gift) == expected


def test_titles_categories_comments_and_ids() -> None:
    result = _read("// a comment\n$CATEGORY: $course$/top/Unit 1/Loss\n\n// id\n::Loss question [loss-q-v1-s2]:: Q? {=a ~b}\n\n"
                   "::Other:: R? {=c ~d}\n")
    first, second = result.questions
    assert (first.title, first.id, first.category, first.place.line) == ("Loss question", "loss-q-v1-s2", ("Unit 1", "Loss"), 5)
    assert (second.title, second.id, second.place.line) == ("Other", None, 7)


def test_essay_is_an_open_response_with_a_placeholder_rubric_and_a_note() -> None:
    result = _read("::E:: Explain. {}")
    q = result.questions[0]
    assert q.content["type"] == "open_response"
    assert q.content["rubric"]["criteria"][0]["id"] == "graded-by-hand"
    assert "placeholder rubric" in q.notes[0]


@pytest.mark.parametrize(("gift", "line", "message"), [
    ("::A:: ok {=a ~b}\n\n::B:: bad {=a ~b\n", 3, "not closed by '}'"),
    ("::A:: a {=b}\n::B:: c {=d}", 2, "a second question starts here: separate questions with a blank line"),
    ("::T:: at 10:30 {=a ~b}", 1, "unescaped ':' in the question text"),
    ("::N:: {#3,14}", 1, "use a decimal point"),
    ("::W:: {~%33%a ~%67%b}", 1, "33% is not one of Moodle's grades"),
    ("::S:: {~%50%a ~%40%b ~c}", 1, "add up to 90%"),
    ("::X:: {=a =b=c}", 1, "unescaped '=' inside an answer"),
    ("no braces here", 1, "no answer block"),
])
def test_gift_errors_name_the_line(gift: str, line: int, message: str) -> None:
    with pytest.raises(BankError) as info:
        _read(gift)
    assert any(p.line == line and message in str(p) for p in info.value.problems), str(info.value)


def test_the_validator_sample_round_trips_through_the_grammar(tmp_path: Path) -> None:
    from qbank.renderers.gift import gift_escape

    hostile = "a ~ b = c # d { e } f : g \\ h\nnew line"
    result = _read(f"::{gift_escape(hostile)}:: {gift_escape(hostile)} {{={gift_escape(hostile)} ~x}}")
    q = result.questions[0]
    assert q.title == hostile
    assert q.content["options"][0]["text"].replace("\\\\", "\\") == hostile
