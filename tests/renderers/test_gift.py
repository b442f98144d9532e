"""GIFT: escaping, the mapping of each type, round trips through a reader, and the real validator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures_text import bank_assessment, parse_page, write_outputs
from gift_reader import read_gift, unescape
from qbank.questions import Assessment
from qbank.renderers._markup import tex_delimiters, to_html
from qbank.renderers.gift import gift_escape, render_gift


@pytest.mark.parametrize(("text", "escaped"), [
    ("plain text", "plain text"),
    ("a~b", "a\\~b"),
    ("x = 1", "x \\= 1"),
    ("#1", "\\#1"),
    ("{set}", "\\{set\\}"),
    ("time 12:30", "time 12\\:30"),
    ("back\\slash", "back\\\\slash"),
    ("\\{", "\\\\\\{"),  # a backslash before a brace: both escaped, in that order
    ("two\nlines", "two\\nlines"),
    ("crlf\r\nline", "crlf\\nline"),
    ("مرحبا 🤖 <b>&", "مرحبا 🤖 <b>&"),  # only GIFT's own characters change
])
def test_gift_escape(text: str, escaped: str) -> None:
    assert gift_escape(text) == escaped
    assert unescape(escaped) == text.replace("\r", "")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("\\~=#{}:\n\rab 1é🤖")))
def test_any_text_escaped_reads_back_as_itself(text: str) -> None:
    assert unescape(gift_escape(text)) == text.replace("\r", "")


def _quiz(items: list[Any]) -> Assessment:
    return Assessment.from_items(items, title="Q")


def _by_id(items: list[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def test_round_trip_stems_options_and_keys(every_type_items: list[Any]) -> None:
    out = render_gift(_quiz(every_type_items), "instructor")
    questions = read_gift(out.content)  # type: ignore[arg-type]
    items = _by_id(every_type_items)
    assert {q.title.rsplit("[", 1)[1].rstrip("]") for q in questions} == {
        i.id for i in every_type_items if i.type not in ("ordering", "multipart")}
    for q in questions:
        item = items[q.title.rsplit("[", 1)[1].rstrip("]")]
        assert q.text == to_html(item.stem, math=tex_delimiters)
        if item.type in ("single_choice", "multiple_response"):
            assert [a.text for a in q.answers] == [to_html(o.text, math=tex_delimiters, inline=True) for o in item.options]
            if item.type == "single_choice":
                assert [a.mark == "=" for a in q.answers] == [o.correct for o in item.options]
            else:
                assert [float(a.weight or 0) > 0 for a in q.answers] == [o.correct for o in item.options]
        if item.explanation:
            assert q.general_feedback == to_html(item.explanation, math=tex_delimiters)


def test_multiple_response_weights_are_moodle_grades_that_sum_to_100(every_type_items: list[Any]) -> None:
    item = next(i for i in every_type_items if i.id == "t-multi-v1-s0")  # 2 correct of 4
    (q,) = read_gift(render_gift(_quiz([item]), "instructor").content)  # type: ignore[arg-type]
    assert [a.weight for a in q.answers] == ["50", "50", "-50", "-50"]


@pytest.mark.parametrize(("item_id", "answer", "tolerance"), [
    ("t-num-abs", "1.386", "0.001"),
    ("t-num-rel", "50", "1"),           # 2% of 50
    ("t-num-both", "0.002", "0.0002"),  # the larger of 0.0001 and 10% of 0.002
    ("t-num-sig", "0.367879441171", "0.0005"),  # 3 significant figures: half a unit in the third
])
def test_numeric_tolerance_is_absolute_at_the_key(every_type_items: list[Any], item_id: str, answer: str, tolerance: str) -> None:
    item = next(i for i in every_type_items if i.id == f"{item_id}-v1-s0")
    (q,) = read_gift(render_gift(_quiz([item]), "instructor").content)  # type: ignore[arg-type]
    assert q.answers[0].text == f"{answer}:{tolerance}"


def test_degradations_are_reported(every_type_items: list[Any]) -> None:
    warnings = render_gift(_quiz(every_type_items), "instructor").warnings
    assert any(w.startswith("t-num-sig-v1-s0: 3 significant figures") for w in warnings)
    assert any(w.startswith("t-short-case-v1-s0: GIFT short answers are case-insensitive") for w in warnings)
    assert any(w.startswith("t-match-v1-s0: GIFT matching drops the unused choices ['Ranking']") for w in warnings)
    assert any(w.startswith("t-multi-partial-v1-s0: GIFT scores multiple response right-minus-wrong") for w in warnings)


def test_essay_is_empty_braces_with_the_rubric_only_in_comments(every_type_items: list[Any]) -> None:
    item = next(i for i in every_type_items if i.type == "open_response")
    out = render_gift(_quiz([item]), "instructor").content
    assert isinstance(out, str)
    comments = [ln for ln in out.splitlines() if ln.startswith("//")]
    assert any("C1 Per-token loss (67%)" in ln for ln in comments)
    assert any(ln.startswith("// Sample answer: The per-token loss") for ln in comments)
    body = "\n".join(ln for ln in out.splitlines() if not ln.startswith("//"))
    assert "Sample answer" not in body and body.rstrip().endswith("}")


def test_hostile_text_survives_intact(hostile_item: Any) -> None:
    from renderer_testing import HOSTILE  # noqa: PLC0415  (the shared hostile string)

    (q,) = read_gift(render_gift(_quiz([hostile_item]), "instructor").content)  # type: ignore[arg-type]
    stem_text = "".join(parse_page(q.text).text)
    assert HOSTILE in stem_text
    assert not parse_page(q.text).all("script")
    assert HOSTILE in "".join(parse_page(q.answers[0].text).text)
    assert q.title == f"Hostile {HOSTILE} [t-hostile-v1-s0]"


@pytest.fixture(scope="session")
def gift_files(tmp_path_factory: pytest.TempPathFactory, every_type_items: list[Any], hostile_item: Any) -> list[Path]:
    return write_outputs("gift", {
        "bank": bank_assessment(),
        "every-type": _quiz(every_type_items),
        "hostile": _quiz([hostile_item]),
    }, tmp_path_factory.mktemp("gift"))


def test_every_builtin_template_and_every_type_passes_the_gift_validator(validate: Any, gift_files: list[Path]) -> None:
    result = validate("gift", gift_files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("VALID (gift") == len(gift_files)


def test_bank_round_trip_keys(gift_files: list[Path]) -> None:
    bank = bank_assessment()
    items = {i.id: i for i in bank.items()}
    questions = read_gift(gift_files[0].read_text(encoding="utf-8"))
    assert questions
    for q in questions:
        item = items[q.title.rsplit("[", 1)[1].rstrip("]")]
        if item.type == "single_choice":
            correct = [a.text for a in q.answers if a.mark == "="]
            assert correct == [to_html(item.options[item.key[0]].text, math=tex_delimiters, inline=True)]
