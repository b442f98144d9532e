"""TeX math to typst math: the commands the bank uses, escaping, and failures as TexError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.renderers._markup import split_math
from qbank.renderers._typst_markup import typst_escape, typst_markup
from qbank.renderers._typst_math import TexError, tex_to_typst

typst = pytest.importorskip("typst", reason="the pdf extra (typst) is not installed")


@pytest.mark.parametrize("tex,expected", [
    # letters are separate variables: TeX's KL is K times L, typst's KL an unknown name
    ("KL", "K L"),
    ("p_a/p_b", r"p_(a) \/ p_(b)"),  # a slash is a slash, not typst's fraction
    (r"\frac{1}{2}", "(1)/(2)"),
    (r"\tfrac{a}{b+c}", "(a)/(b + c)"),
    (r"\binom{K}{2}", "binom(K, 2)"),
    (r"x^{t-1}", "x^(t - 1)"),
    (r"x^23", "x^(2) 3"),  # TeX takes one digit as the script
    (r"-\ln p_\theta(y_t \mid x)", r"- ln p_(theta) \( y_(t) divides x \)"),
    (r"\varepsilon \epsilon \phi \varphi", "epsilon epsilon.alt phi.alt phi"),
    (r"\mathrm{softmax}(z)", r"upright(s o f t m a x) \( z \)"),
    (r"\pi_{\text{ref}}", 'pi_("ref")'),
    (r'\text{a "quote" #x}', r'"a \"quote\" #x"'),
    (r"\beta\,KL(\pi\|\pi_{ref})", r"beta thin K L \( pi bar.v.double pi_(r e f) \)"),
    (r"\hat r_l", "hat(r)_(l)"),
    (r"\left( \frac{a}{b} \right]", r"lr(\( (a)/(b) \])"),
    (r"a \le b \ne c \to d", "a lt.eq b eq.not c arrow.r d"),
    (r"\sum_{i=1}^{n} x_i", "sum_(i = 1)^(n) x_(i)"),
    (r"\hat{a, b}", r"hat(a \, b)"),  # a comma would start a second argument
    ("a -> b", "a - > b"),  # no typst shorthand can form: atoms are spaced
    ("#x $ @y", r"\# x \$ \@ y"),
    ("é", '"é"'),
])
def test_tex_converts_to_typst(tex: str, expected: str) -> None:
    assert tex_to_typst(tex) == expected


@pytest.mark.parametrize("tex,message", [
    (r"\foo x", r"unknown command \\foo"),
    (r"\frac{1}{2", "unbalanced braces"),
    ("a}", "unbalanced braces"),
    (r"a & b \\ c", "outside an environment"),
    (r"\left( x", "unbalanced|end of math"),
    (r"\text{$x$}", "math inside"),
])
def test_tex_outside_the_subset_raises(tex: str, message: str) -> None:
    with pytest.raises(TexError, match=message):
        tex_to_typst(tex)


def _compiles(markup: str) -> str:
    """Typeset the markup; return the PDF's text."""
    import io

    import pypdf

    pdf = typst.Compiler(ignore_system_fonts=True).compile(markup.encode("utf-8"), format="pdf")
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _texts(obj: Any) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _texts(v)]
    if isinstance(obj, (list, tuple)):
        return [t for v in obj for t in _texts(v)]
    return []


def test_every_text_of_every_builtin_template_converts_and_typesets(bank_items: list[Any]) -> None:
    texts = sorted({t for item in bank_items for t in _texts(item.model_dump()) if t})
    maths = {v for t in texts for kind, v in split_math(t) if kind in ("inline", "display")}
    assert maths, "the bank has math"
    failed = [(t, typst_markup(t)[1]) for t in texts if typst_markup(t)[1]]
    assert failed == []
    # all at once (one compile), each text its own paragraph
    source = "\n\n".join(typst_markup(t)[0] for t in texts)
    typst.Compiler(ignore_system_fonts=True).compile(source.encode("utf-8"), format="pdf")


@pytest.mark.parametrize("text,shown", [
    ('Then #read("/etc/passwd") #import "@preview/x:0.1.0": * #let x = 1', ['#read("/etc/passwd")', "#import", "#let x = 1"]),
    ("= not a heading\n\n[link](http://example.com) // not a comment <label> @ref",
     ["= not a heading", "link", "// not a comment <label> @ref"]),
    ("`#read(\"x\")` and \\u{1F600}", ['#read("x")', "\\u{1F600}"]),
    (r"$\text{#read(\"x\")}$ and $\text{#read}$", ["#read"]),
])
def test_hostile_text_is_shown_as_text_never_run(text: str, shown: list[str]) -> None:
    markup, _ = typst_markup(text)
    pdf_text = _compiles(markup)  # a #read or #import that ran would fail: outside the root, no network
    for s in shown:
        assert s in pdf_text


def test_markdown_structures_become_typst() -> None:
    markup, _ = typst_markup("Some **bold** and *em*, `code`:\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "#strong[bold]" in markup and "#emph[em]" in markup and '#raw(block: false, "code")' in markup
    assert "#list(tight: true, [one], [two])" in markup
    assert "#table(columns: 2" in markup and "table.header([a], [b])" in markup and "[1], [2]" in markup
    _compiles(markup)


def test_math_that_does_not_convert_shows_its_source_and_is_reported() -> None:
    markup, failed = typst_markup(r"Broken $\foo{x}$ here")
    assert '#raw("$\\\\foo{x}$")' in markup
    assert failed == ("'\\\\foo{x}' (unknown command \\foo)",)
    _compiles(markup)


def test_escape_leaves_letters_and_escapes_punctuation() -> None:
    assert typst_escape("a*b  #c\n=d") == r"a\*b \#c \=d"

_PIECES = st.sampled_from([
    "x", "KL", "0.5", "12", "_", "^", "{", "}", "(", ")", "[", "]", "|", "/", ",", ";", "'", "-", "=", "<", ">", "!",
    "#", "@", '"', "~", "&", " ", r"\frac", r"\ln", r"\sum", r"\text{a b}", r"\mathrm{ab}", r"\left(", r"\right)",
    r"\hat", r"\sqrt", r"\,", r"\|", r"\mid", r"\to", r"\binom", r"\pi", r"\\", "é", "→",
])


@settings(max_examples=80, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_any_tex_either_converts_to_math_typst_accepts_or_raises_tex_error(tex: str) -> None:
    try:
        body = tex_to_typst(tex)
    except TexError:
        return
    typst.Compiler(ignore_system_fonts=True).compile(f"${body}$".encode("utf-8"), format="pdf")


_TEXT = st.sampled_from([
    "a", "word ", " ", "\n", "\n\n", "*", "**", "_", "`", "#", "= ", "- ", "1. ", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "$x^2$", "$$\\frac{1}{2}$$", "$\\foo$", "<b>", "&amp;", "&", "\\", "[link](http://x.y)", "// ", "@ref", "<lbl>",
    '"', "'", "~", "{", "}", "[", "]", "(", ")", "é", "🤖", "\t", "> ", "    code\n",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, max_size=16).map("".join))
def test_any_author_text_typesets(text: str) -> None:
    markup, _ = typst_markup(text)
    typst.Compiler(ignore_system_fonts=True).compile(markup.encode("utf-8"), format="pdf")
