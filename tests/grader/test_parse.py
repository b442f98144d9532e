"""Reading responses: what students type, and the format errors they get instead of a wrong mark."""

from __future__ import annotations

import pytest

from qbank.grader import (
    ChoiceResponse,
    EssayResponse,
    FormatError,
    MatchResponse,
    MultipartResponse,
    NumberResponse,
    OrderResponse,
    TextResponse,
    TruthResponse,
    parse,
    parse_number,
)

from grader_testing import OPTIONS, item


@pytest.mark.parametrize("raw, value", [
    # plain decimals
    ("0.25", 0.25), (".25", 0.25), ("+0.25", 0.25), ("1.", 1.0), ("  0.25 ", 0.25),
    # scientific notation
    ("2.5e-1", 0.25), ("2.5E-1", 0.25), ("2.5×10^-1", 0.25), ("2.5*10^(-1)", 0.25),
    # percentages and fractions
    ("25%", 0.25), ("1/4", 0.25), ("1 / 4", 0.25), ("-3/8", -0.375),
    # Unicode minus, en dash, full-width digits
    ("\u22120.3", -0.3), ("\u20130.3", -0.3), ("０.２５", 0.25),
])
def test_number_notations(raw: str, value: float) -> None:
    assert parse_number(raw) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("raw, message", [
    ("", "empty"), ("abc", "not a number"), ("0,25", "comma"), ("1,000", "comma"), ("1 000", "not a number"),
    ("nan", "not a finite number"), ("-inf", "not a finite number"), ("∞", "not a finite number"),
    ("1e999", "too large"), ("1/0", "divides by zero"), ("1e", "not a number"), ("+-1", "not a number"), (".", "not a number"),
])
def test_number_format_errors(raw: str, message: str) -> None:
    result = parse_number(raw)
    assert isinstance(result, FormatError)
    assert message in result.message
    assert result.hint


def test_number_with_the_items_unit() -> None:
    assert parse_number("0.25 nats", unit="nats") == 0.25
    assert isinstance(parse_number("0.25 bits", unit="nats"), FormatError)


@pytest.mark.parametrize("raw, positions", [
    ("B", (1,)), ("b", (1,)), (" (B) ", (1,)), ("B.", (1,)), ("B)", (1,)), ("wrong one", (1,)),
])
def test_single_choice(raw: str, positions: tuple[int, ...]) -> None:
    assert parse(item({"type": "single_choice", "options": OPTIONS[:3]}), raw) == ChoiceResponse(positions)


@pytest.mark.parametrize("raw, message", [
    ("", "empty"), ("D", "There is no option D"), ("B,C", "Only one option"), ("1", "not an option letter"), ("bé", "not an option letter"),
])
def test_single_choice_errors(raw: str, message: str) -> None:
    result = parse(item({"type": "single_choice", "options": OPTIONS[:3]}), raw)
    assert isinstance(result, FormatError) and message in result.message


@pytest.mark.parametrize("raw, positions", [
    ("B,D", (1, 3)), ("B D", (1, 3)), ("d; b", (1, 3)), ("BD", (1, 3)), ("B, B, D", (1, 3)), ("A", (0,)),
])
def test_multiple_response(raw: str, positions: tuple[int, ...]) -> None:
    assert parse(item({"type": "multiple_response", "options": OPTIONS}), raw) == ChoiceResponse(positions)


def test_multiple_response_unknown_option_is_a_format_error() -> None:
    result = parse(item({"type": "multiple_response", "options": OPTIONS}), "B,E")
    assert isinstance(result, FormatError) and "no option E" in result.message


@pytest.mark.parametrize("raw, value", [("true", True), ("T", True), ("False", False), ("no", False)])
def test_true_false(raw: str, value: bool) -> None:
    assert parse(item({"type": "true_false", "answer": True}), raw) == TruthResponse(value)


def test_numeric_response() -> None:
    spec = item({"type": "numeric", "answer": 1.0, "tolerance": {"absolute": 0.1}})
    assert parse(spec, "1/4") == NumberResponse(0.25)
    assert isinstance(parse(spec, "one"), FormatError)


@pytest.mark.parametrize("raw", ["J’ai", "J‘ai", "Jʼai", "J`ai", "J´ai", "  j'AI  "])
def test_short_text_folds_apostrophes_and_case(raw: str) -> None:
    assert parse(item({"type": "short_text", "answers": ["J'ai"]}), raw) == TextResponse("j'ai")


def test_short_text_case_sensitive_keeps_case() -> None:
    assert parse(item({"type": "short_text", "answers": ["Paris"], "case_sensitive": True}), "Paris") == TextResponse("Paris")


ORDERING = {"type": "ordering", "entries": ["x", "y", "z"], "answer": [2, 0, 1]}


@pytest.mark.parametrize("raw", ["C A B", "c,a,b", "C > A > B", "CAB"])
def test_ordering(raw: str) -> None:
    assert parse(item(ORDERING), raw) == OrderResponse((2, 0, 1))


@pytest.mark.parametrize("raw, message", [("C A", "B is missing"), ("C A A", "A appears more than once"), ("C A D", "no option D")])
def test_ordering_errors(raw: str, message: str) -> None:
    result = parse(item(ORDERING), raw)
    assert isinstance(result, FormatError) and message in result.message


MATCHING = {"type": "matching", "prompts": ["p1", "p2"], "choices": ["c1", "c2", "c3"], "answer": [1, 0]}


@pytest.mark.parametrize("raw", ["1-b 2-a", "1:b, 2:a", "2=a; 1=B", "1->b 2→a", "1b 2a"])
def test_matching(raw: str) -> None:
    assert parse(item(MATCHING), raw) == MatchResponse((1, 0))


@pytest.mark.parametrize("raw, message", [
    ("1-b", "Prompt 2 is not matched"), ("1-b 3-a", "no prompt 3"), ("1-b 2-d", "no choice d"),
    ("1-b 1-a", "matched twice"), ("b a", "not a pair"),
])
def test_matching_errors(raw: str, message: str) -> None:
    result = parse(item(MATCHING), raw)
    assert isinstance(result, FormatError) and message in result.message


def test_open_response_keeps_text_and_rejects_empty() -> None:
    from grader_testing import RUBRIC

    spec = item({"type": "open_response", "rubric": RUBRIC.model_dump(), "sample_answer": "sum"})
    assert parse(spec, " It is a sum. ") == EssayResponse("It is a sum.")
    assert isinstance(parse(spec, "   "), FormatError)


MULTIPART = {"type": "multipart", "parts": [
    {"label": "a", "prompt": "pick", "type": "single_choice", "options": OPTIONS[:3]},
    {"label": "b", "prompt": "match", **MATCHING},
    {"label": "c", "prompt": "value", "type": "numeric", "answer": 0.5, "tolerance": {"relative": 0.01}},
]}


@pytest.mark.parametrize("raw", ["a: A\nb: 1-b; 2-a\nc: 1/2", "a: A; b: 1-b 2-a; c: 50%", "C: .5\nA: a\nB: 1-b 2-a"])
def test_multipart_lines_or_semicolons(raw: str) -> None:
    result = parse(item(MULTIPART), raw)
    assert result == MultipartResponse({"a": ChoiceResponse((0,)), "b": MatchResponse((1, 0)), "c": NumberResponse(0.5)})


@pytest.mark.parametrize("raw, message", [
    ("a: A", "Part b, c is not answered"), ("a: A\nb: 1-b 2-a\nc: x", "Part c: 'x' is not a number"),
    ("A", "must start with its label"), ("a: A\na: B\nb: 1-b 2-a\nc: 1", "Part a is answered twice"),
])
def test_multipart_errors_name_the_part(raw: str, message: str) -> None:
    result = parse(item(MULTIPART), raw)
    assert isinstance(result, FormatError) and message in result.message
