"""Items in the terminal: LaTeX as readable Unicode, Markdown through rich."""

from __future__ import annotations

import io

import pytest

from qbank.student.terminal import answer_help, item_markdown, render_item, tex_to_text, text_for_terminal


@pytest.mark.parametrize("tex, text", [
    # functions and Greek letters
    (r"-\ln 0.20 = 1.6094", "−ln 0.20 = 1.6094"),
    (r"\eta(1 - p) = 0.460", "η(1 − p) = 0.460"),
    (r"\beta \cdot x", "β · x"),
    (r"\pi_\theta(y \mid x)", "π_θ(y | x)"),
    # the space after a control word is TeX's, not the reader's
    (r"\partial L/\partial z = p - \text{onehot}", "∂L/∂z = p − onehot"),
    # fractions: parenthesised unless a single symbol or number
    (r"\frac{a}{b}", "a/b"),
    (r"\frac{\partial L}{\partial z_i}", "(∂L)/(∂zᵢ)"),
    (r"\frac{1}{N}\sum_{i} x_i", "1/N∑ᵢ xᵢ"),
    # sub- and superscripts: Unicode where every character has one, else _x or ^(...)
    (r"z_i", "zᵢ"),
    (r"x^2", "x²"),
    (r"e^{-1}", "e⁻¹"),
    (r"p_{\text{gold}}", "p_gold"),
    (r"e^{z_j}", "e^(zⱼ)"),
    (r"\mathrm{softmax}(z)", "softmax(z)"),
    (r"\sqrt{2}", "√2"),
    (r"\left( x \right)", "( x )"),
    # what it does not know stays readable TeX; a lone backslash is kept
    (r"\unknowncommand{x}", r"\unknowncommandx"),
    ("a\\", "a\\"),
])
def test_tex_to_text(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text


def test_math_in_markdown_is_converted_and_escaped_for_markdown() -> None:
    assert text_for_terminal("The loss $-\\ln p_{\\text{gold}}$ falls.") == "The loss −ln p\\_gold falls."
    assert text_for_terminal("Code `x_1` stays.") == "Code `x_1` stays."


@pytest.mark.parametrize("template, expected", [
    ("paris-states", "one letter, A–E"),
    ("ce-one-hot-true-false", "T or F"),
    ("rlhf-pipeline-order", "the letters in order, e.g. D C B A"),
    ("alignment-terms-matching", "pairs such as 1-a 2-b"),
    ("primary-colors-preamble", "a paragraph; finish with an empty line"),
])
def test_answer_help_says_how_to_type_each_kind(template: str, expected: str) -> None:
    from qbank.questions import builtin_bank

    assert answer_help(builtin_bank()[template].instantiate(3)) == expected


def test_student_view_has_no_key() -> None:
    from qbank.questions import builtin_bank

    item = builtin_bank()["paris-states"].instantiate(3)
    text = item_markdown(item)
    assert "−ln 0.25 = 1.3863" in text
    assert "Answer:" not in text and "M-SIGN" not in text and "Explanation" not in text


def test_render_item_prints_title_options_and_how_to_answer() -> None:
    from rich.console import Console

    from qbank.questions import builtin_bank

    item = builtin_bank()["paris-states"].instantiate(3)
    out = io.StringIO()
    render_item(Console(file=out, width=100), item, 2, 5)
    shown = out.getvalue()
    assert "2/5  Comparing two training states by loss" in shown
    assert "E. State B fits this example better: its loss −ln 0.25 = 1.3863" in shown
    assert "paris-states-v2-s3" in shown
    assert "Answer with one letter, A–E.  ? hint · s skip · q quit" in shown
