"""TeX to MathML for the HTML pages: typeset as TeX would, with words upright and functions spaced."""

from __future__ import annotations

import re

import pytest

from qbank.renderers._mathml import html_with_math, tex_to_mathml


def body(tex: str) -> str:
    return tex_to_mathml(tex, False).split('display="inline">', 1)[1].removesuffix("</math>")


SPACE = '<mspace width="0.1667em"></mspace>'


@pytest.mark.parametrize(("tex", "shown"), [
    (r"-\ln 0.37", f"<mi>ln</mi>{SPACE}<mn>0.37</mn>"),                      # a space before a bare argument
    (r"-\log_2 0.07", f"<mn>2</mn></msub>{SPACE}<mn>0.07</mn>"),              # after the script, not inside it
    (r"\ln\frac{a}{b}", f"<mi>ln</mi>{SPACE}<mfrac>"),
])
def test_a_named_function_is_spaced_from_its_argument(tex: str, shown: str) -> None:
    assert shown in body(tex)


@pytest.mark.parametrize("tex", [r"\ln(0.37)", r"\exp(-1)", r"\ln[x]"])
def test_no_space_before_a_bracketed_argument(tex: str) -> None:
    assert "mspace" not in body(tex)


@pytest.mark.parametrize(("tex", "word"), [
    (r"L = -\ln p(Paris)", "Paris"), (r"p(the)", "the"), (r"\pi_{ref}", "ref"), (r"p(Je)", "Je"),
    (r"\beta\,KL(\pi\|\pi_{ref})", "KL"), (r"P_{BoN}", "BoN"),
])
def test_a_word_in_math_is_one_upright_identifier(tex: str, word: str) -> None:
    # a multi-letter <mi> is set upright; single letters would be italic variables
    assert f"<mi>{word}</mi>" in body(tex)


@pytest.mark.parametrize("tex", [r"dL/d\rho", r"(sP^{t-1})", r"xy"])
def test_a_product_of_single_letter_variables_stays_italic(tex: str) -> None:
    identifiers = re.findall(r"<mi>([^<]*)</mi>", body(tex))
    assert all(len(i) == 1 for i in identifiers), identifiers


def test_punctuation_after_a_formula_cannot_start_a_line() -> None:
    out = html_with_math("The loss is $-\\ln 0.37$, so it is $0.99$.")
    assert re.search(r'<span class="math-nowrap"><math [^>]*>.*?</math>,</span>', out)
    assert re.search(r'<span class="math-nowrap"><math [^>]*>.*?</math>\.</span>', out)
    assert "so it is" in out


def test_escaped_tex_in_alttext_cannot_close_the_formula_early() -> None:
    out = html_with_math(r"See $\text{</math>}$, then more.")
    assert out.count("</math>") == 1 and "<script" not in out
