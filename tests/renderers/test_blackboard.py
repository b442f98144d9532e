"""Blackboard tab-delimited upload: one line per question, the type mapping, the real validator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fixtures_text import bank_assessment, parse_page, write_outputs
from qbank.questions import Assessment
from qbank.renderers.blackboard import bb_field, bb_html, render_blackboard


def _quiz(items: list[Any]) -> Assessment:
    return Assessment.from_items(items, title="Q")


def _rows(items: list[Any]) -> dict[str, list[str]]:
    out = render_blackboard(_quiz(items), "instructor").content
    assert isinstance(out, str) and out.endswith("\n") and "\n\n" not in out
    carried = [i for i in items if i.type != "multipart"]
    return {item.id: line.split("\t") for item, line in zip(carried, out.splitlines(), strict=True)}


@pytest.mark.parametrize(("text", "field"), [("a\tb", "a b"), ("one\ntwo\r\nthree", "one two three"), (" x ", "x")])
def test_bb_field_holds_no_tab_or_newline(text: str, field: str) -> None:
    assert bb_field(text) == field


def test_bb_html_is_one_line_and_keeps_code_lines_as_br() -> None:
    out = bb_html("Para one\n\nPara two\twith tab\n\n    code line 1\n    code line 2\n")
    assert "\n" not in out and "\t" not in out
    assert "code line 1<br>" in out


def test_each_type_maps_to_its_blackboard_type(every_type_items: list[Any]) -> None:
    rows = _rows(every_type_items)
    assert rows["t-single-v1-s0"][0] == "MC" and rows["t-single-v1-s0"][3::2] == ["correct", "incorrect", "incorrect"]
    assert rows["t-multi-v1-s0"][0] == "MA" and rows["t-multi-v1-s0"][3::2] == ["correct", "correct", "incorrect", "incorrect"]
    assert rows["t-tf-v1-s0"][0::2] == ["TF", "true"]
    assert rows["t-num-abs-v1-s0"][0] == "NUM" and rows["t-num-abs-v1-s0"][2:] == ["1.386", "0.001"]
    assert rows["t-num-rel-v1-s0"][2:] == ["50", "1"]
    assert rows["t-short-v1-s0"][0] == "FIB" and rows["t-short-v1-s0"][2:] == ["softmax", "soft-max"]
    assert rows["t-order-v1-s0"][0] == "ORD" and rows["t-order-v1-s0"][2:] == ["Pretraining", "SFT", "RLHF"]
    assert rows["t-match-v1-s0"][0] == "MAT" and rows["t-match-v1-s0"][2:] == [
        "Cross-entropy", "Classification", "DPO loss", "Preferences", "MSE", "Regression"]
    essay = rows["t-open-v1-s0"]
    assert essay[0] == "ESS" and essay[2].startswith("<p>The per-token loss") and "C1 Per-token loss (67%)" in essay[2]


def test_multipart_and_unused_choices_are_reported(every_type_items: list[Any]) -> None:
    warnings = render_blackboard(_quiz(every_type_items), "instructor").warnings
    assert "t-multipart-v1-s0: skipped, Blackboard upload has no multipart question (use QTI)" in warnings
    assert "t-match-v1-s0: Blackboard MAT drops the unused choices ['Ranking']" in warnings


def test_hostile_text_survives_as_text_not_markup(hostile_item: Any) -> None:
    from renderer_testing import HOSTILE

    row = _rows([hostile_item])[hostile_item.id]
    stem = parse_page(row[1])
    assert "".join(stem.text) == f"Stem {HOSTILE} end"
    assert not stem.all("script")
    assert "".join(parse_page(row[2]).text) == f"Right {HOSTILE}"


@pytest.fixture(scope="session")
def bb_files(tmp_path_factory: pytest.TempPathFactory, every_type_items: list[Any], hostile_item: Any) -> list[Path]:
    return write_outputs("blackboard", {
        "bank": bank_assessment(), "every-type": _quiz(every_type_items), "hostile": _quiz([hostile_item]),
    }, tmp_path_factory.mktemp("blackboard"))


def test_every_builtin_template_passes_the_blackboard_validator(validate: Any, bb_files: list[Path]) -> None:
    result = validate("blackboard", bb_files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout


def test_bank_lines_keep_every_non_multipart_variant(bb_files: list[Path]) -> None:
    items = [i for i in bank_assessment().items() if i.type != "multipart"]
    lines = bb_files[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(items)
    assert [ln.split("\t")[0] for ln in lines] == [
        {"single_choice": "MC", "multiple_response": "MA", "true_false": "TF", "numeric": "NUM", "short_text": "FIB",
         "ordering": "ORD", "matching": "MAT", "open_response": "ESS"}[i.type] for i in items]
