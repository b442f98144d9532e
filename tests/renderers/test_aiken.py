"""Aiken: one-line stems, single choice only (true/false as two options), the real validator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fixtures_text import bank_assessment, write_outputs
from qbank.questions import Assessment, letter
from qbank.renderers._markup import to_line
from qbank.renderers.aiken import aiken_line, render_aiken


def _quiz(items: list[Any]) -> Assessment:
    return Assessment.from_items(items, title="Q")


def _blocks(text: str) -> list[list[str]]:
    return [b.splitlines() for b in text.strip().split("\n\n")]


@pytest.mark.parametrize(("markdown", "line"), [
    # tables flatten to one readable line
    ("Probabilities:\n\n| token | p |\n|---|---:|\n| `Paris` | 0.15 |\n| `London` | 0.10 |\n\nWhich?",
     "Probabilities: (token: p) Paris: 0.15; London: 0.10. Which?"),
    ("| token | state A | state B |\n|---|---:|---:|\n| Paris | 0.20 | 0.08 |",
     "(token: state A, state B) Paris: 0.20, 0.08."),
    # emphasis and code marks go, their words stay
    ("The *gold* token is **`J'`**.", "The gold token is J'."),
    ("snake_case_names keep their underscores", "snake_case_names keep their underscores"),
    # math is untouched by the Markdown rules, and whitespace collapses
    ("Loss $-\\ln p_{*}$\n\n$$a_1 *\n b$$", "Loss $-\\ln p_{*}$ $$a_1 * b$$"),
    ("escaped \\* star", "escaped * star"),
])
def test_to_line_flattens_markdown_readably(markdown: str, line: str) -> None:
    assert to_line(markdown) == line


def test_aiken_writes_math_for_moodle_mathjax() -> None:
    assert aiken_line("Loss $-\\ln p$ and $$x^2$$") == "Loss \\(-\\ln p\\) and \\[x^2\\]"


def test_single_choice_and_true_false_with_answers_by_position(every_type_items: list[Any]) -> None:
    out = render_aiken(_quiz(every_type_items), "instructor")
    blocks = _blocks(out.content)  # type: ignore[arg-type]
    single = next(i for i in every_type_items if i.type == "single_choice")
    tf = next(i for i in every_type_items if i.type == "true_false")
    assert blocks[0] == [
        "What is the loss for \\(p = 0.5\\)? (p: loss) 0.5: ?.",
        "A. \\(p = 0.5\\) gives \\(-\\ln p \\approx 0.693\\)", "B. It is zero", "C. It is 1",
        f"ANSWER: {letter(single.key[0])}",
    ]
    assert blocks[1] == ["Softmax outputs sum to 1.", "A. True", "B. False", "ANSWER: A" if tf.answer else "ANSWER: B"]
    assert len(blocks) == 2


def test_every_other_type_is_skipped_with_a_warning_naming_it(every_type_items: list[Any]) -> None:
    warnings = render_aiken(_quiz(every_type_items), "instructor").warnings
    assert "t-order-v1-s0: skipped, Aiken carries single choice only, not ordering" in warnings
    assert len(warnings) == sum(i.type not in ("single_choice", "true_false") for i in every_type_items)


@pytest.mark.parametrize("stem", ["A) first option-like stem", "U.S. data", "ANSWER: trick"])
def test_a_stem_that_reads_like_an_option_is_set_off(every_type_items: list[Any], stem: str) -> None:
    item = next(i for i in every_type_items if i.type == "single_choice").model_copy(update={"stem": stem})
    first = _blocks(render_aiken(_quiz([item]), "instructor").content)[0][0]  # type: ignore[arg-type]
    assert first == f"Question: {stem}"


def test_hostile_text_survives_on_one_line(hostile_item: Any) -> None:
    from renderer_testing import HOSTILE

    (block,) = _blocks(render_aiken(_quiz([hostile_item]), "instructor").content)  # type: ignore[arg-type]
    assert block[0] == f"Stem {HOSTILE} end"
    assert block[1] == f"A. Right {HOSTILE}"
    assert block[-1] == "ANSWER: A"


@pytest.fixture(scope="session")
def aiken_files(tmp_path_factory: pytest.TempPathFactory, every_type_items: list[Any], hostile_item: Any) -> list[Path]:
    return write_outputs("aiken", {
        "bank": bank_assessment(), "every-type": _quiz(every_type_items), "hostile": _quiz([hostile_item]),
    }, tmp_path_factory.mktemp("aiken"))


def test_every_builtin_template_passes_the_aiken_validator(validate: Any, aiken_files: list[Path]) -> None:
    result = validate("aiken", aiken_files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bank_stems_are_single_lines_with_the_key(aiken_files: list[Path]) -> None:
    items = {i.id: i for i in bank_assessment().items() if i.type in ("single_choice", "true_false")}
    blocks = _blocks(aiken_files[0].read_text(encoding="utf-8"))
    assert len(blocks) == len(items)
    for block in blocks:
        assert not re.match(r"^[A-Z][.)]", block[0])
        assert all(re.match(r"^[A-Z]\. \S", line) for line in block[1:-1])
        assert re.fullmatch(r"ANSWER: [A-Z]", block[-1])
