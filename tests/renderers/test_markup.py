"""Markdown with math to HTML: the fast path gives exactly the markdown package's HTML.

``_markup._fast_markdown`` renders the Markdown subset the bank's texts use without the
``markdown`` package and returns None for anything else, which then goes to the package.
The proof that this changes no output: for every text of every built-in template over
several seeds, and for a table of tricky hand-written cases, the fast path's HTML is byte
for byte the package's whenever the fast path accepts the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.questions import builtin_bank
from qbank.renderers import _markup
from qbank.renderers._markup import _fast_markdown, _markdown_package, _markdown_source, tex_delimiters, to_html
from qbank.renderers._xml import rubric_markdown

SEEDS = range(5)
TEMPLATES = list(builtin_bank())


# Fields of a dumped item whose text is displayed (and so goes through to_html); the rest
# are ids, tags, parameters and grading patterns.
DISPLAYED = frozenset({
    "stem", "text", "explanation", "hint", "prompt", "entries", "choices", "title", "description",
    "sample_answer", "reason", "feedback", "feedback_true", "feedback_false", "feedback_met", "feedback_missed",
})


def _displayed(value: Any, key: str | None = None) -> Iterator[str]:
    """Every displayed string in a dumped item: stems, options, feedback, explanations,
    part prompts, ordering entries, matching choices, rubric criteria, hints."""
    if isinstance(value, str):
        if key in DISPLAYED:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _displayed(v, k)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _displayed(v, key)


def template_texts(template: Any) -> set[str]:
    """The texts a template's items hand to to_html, including those renderers compose:
    a multipart part's ``**(a)** prompt`` (with and without Canvas's answer blank) and an
    open response's rubric notes."""
    texts: set[str] = set()
    for seed in SEEDS:
        item = template.instantiate(seed)
        texts.update(_displayed(item.model_dump(mode="json")))
        for i, part in enumerate(getattr(item, "parts", ())):
            texts.add(f"**({part.label})** {part.prompt}")
            texts.add(f"**({part.label})** {part.prompt} [p{i + 1}]")
        spec = getattr(item, "spec", item)
        if getattr(spec, "rubric", None) is not None:
            texts.add(rubric_markdown(spec))
    return {t for t in texts if t.strip()}


def sources(texts: set[str]) -> set[str]:
    """The Markdown sources the texts become once math is cut out and the text escaped."""
    return {_markdown_source(text, tex_delimiters)[0] for text in texts}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_fast_path_equals_markdown_package_on_every_bank_text(template: Any) -> None:
    mismatches = []
    for source in sorted(sources(template_texts(template))):
        fast = _fast_markdown(source)
        if fast is not None and fast != _markdown_package(source):
            mismatches.append((source, fast, _markdown_package(source)))
    assert not mismatches, f"{len(mismatches)} texts differ, first: {mismatches[0]}"


def test_fast_path_covers_the_bank() -> None:
    # Only texts with Markdown syntax reach Markdown at all; of those the fast path should
    # render nearly all, or an export is back to the package's speed.
    reach = {s for t in TEMPLATES for s in sources(template_texts(t)) if _markup._markdown_syntax(s)}
    covered = sum(_fast_markdown(s) is not None for s in reach)
    print(f"\nfast path renders {covered} of {len(reach)} bank texts that need Markdown ({covered / len(reach):.1%})")
    assert covered / len(reach) >= 0.95, f"fast path covers only {covered}/{len(reach)}"


# (case id, Markdown source as _markdown_source makes it, whether the fast path must accept it)
TRICKY = [
    ("plain", "Which token is most likely?", True),
    ("code-apostrophe", "The probability of `J'` rises.", True),
    ("em-strong", "For *What is the capital?* the **gold** token.", True),
    ("em-then-punctuation", "Responses begin *Of course!*, so `Of` leads.", True),
    ("em-inside-word", "un*frigging*believable and **a**b**c**", True),
    ("em-in-parentheses", "(*see below*) and [*no*]", False),
    ("star-inside-code", "The `a*b*c` token and `**` are code.", True),
    ("em-around-code", "*the `x` token* and **`y`**", True),
    ("escaped-star", r"2 \* 3 and \*not em\* and \\ backslash", True),
    ("escaped-underscore-bracket", r"\_x\_ and \[1\] and \| pipe \# hash", True),
    ("backslash-space", "previous \\ next and C:\\path", True),
    ("backslash-at-end", "ends with \\", True),
    ("escaped-backtick", r"a \` tick", False),
    ("nested-emphasis", "**bold with *em* inside**", False),
    ("triple-star", "***both***", False),
    ("unbalanced-star", "a *b", False),
    ("lone-star", "2 * 3 = 6", False),
    ("star-before-space", "*a * b*", False),
    ("underscore-in-word", "snake_case_name and zero_grad", True),
    ("underscore-emphasis", "_em_ and __strong__", False),
    ("underscore-next-to-code", "`x`_y", False),
    ("html-escaped-script", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", True),
    ("entity-numeric", "&#169; and &#x263A;", True),
    ("bare-ampersand", "a & b", False),
    ("raw-html", "<b>bold</b>", False),
    ("code-with-token-tag", "Gold tokens: `Red` `.` `<eos>`.", True),
    ("code-with-block-tag", "`<div>` is a tag", False),
    ("code-with-comparison", "`a < b` and `x <= 1` and `<-`", True),
    ("code-with-ampersand", "`a & b` and `&lt;` and `\"q\"`", True),
    ("code-with-comment", "`<!--` opens a comment", False),
    ("code-spaces", "`  padded  ` code", True),
    ("double-backtick", "``code with ` tick``", False),
    ("stray-backtick", "a ` b", False),
    ("link", "[text](http://example.com)", False),
    ("answer-blank", "**(t1)** qbmath0qb for `Je` [p1]", True),
    ("bracketed-words", "[a] [b] and [zero_grad]: [c]d", False),
    ("bracket-separated", "[a], then [b-2] and [c]", True),
    ("reference-link", "[a][b]", False),
    ("image", "![alt]", False),
    ("bracket-before-paren", "[a] (b)", True),
    ("bracket-with-space", "[a b]", False),
    ("reference-definition", "[a]: http://example.com\n\nsee [a]", False),
    ("rtl-emoji", "מה הטוקן הבא? 🙂 `שלום` *كلمة*", True),
    ("placeholders", "With qbmath0qb, *qbmath1qb* gives `x`: qbmath2qb.", True),
    ("multi-line-paragraph", "first line\nsecond *line*\nthird", True),
    ("trailing-spaces-break", "line one  \nline two", False),
    ("trailing-space", "line one \nline two", False),
    ("indented-code", "    code block", False),
    ("heading", "# Heading", False),
    ("heading-later-line", "text\n# Heading", False),
    ("setext", "Title\n=====", False),
    ("rule", "text\n\n---\n\nmore", False),
    ("ordered-list", "1. one\n2. two", False),
    ("numbered-sentence", "0.5 is the answer.", True),
    ("quote", "&gt; quoted", True),
    ("bullet-list", "Probabilities:\n\n* sequence 1: 0.50, 0.64\n* sequence 2: `x` **y**\n\nWhat next?", True),
    ("dash-list", "**Rubric**\n\n- **C1 Decomposition** (25%): the loss\n- Score capped at 50%.\n\n**Sample answer**\n\nIt is.", True),
    ("mixed-markers", "* a\n- b\n+ c", True),
    ("list-continuation", "* a\ncontinued\n* b", False),
    ("list-nested-marker", "* * x", False),
    ("two-lists", "* a\n\n* b", False),
    ("list-then-text", "* a\n* b\n\ntext after", True),
    ("list-after-text-no-gap", "text\n* a", False),
    ("pipe-in-sentence", "P(`Of` | *List the colors*) after training?", True),
    ("pipe-two-lines", "a | b\nc | d", False),
    ("table", "| token | p |\n|---|---:|\n| `Paris` | 0.06 |\n| (all other tokens) | 0.94 |", True),
    ("table-alignments", "| a | b | c | d |\n|---|:---|:-:|--:|\n| 1 | 2 | 3 | 4 |", True),
    ("table-between-paragraphs", "Before:\n\n| t | A | B |\n|---|---:|---:|\n| `x` | qbmath0qb | 0.1 |\n\nAfter?", True),
    ("table-empty-cells", "| a | b |\n|---|---|\n|  | 2 |\n| 1 | |", True),
    ("table-no-body", "| a | b |\n|---|---|", True),
    ("table-one-column", "| a |\n|---|\n| 1 |", True),
    ("table-emphasis-in-cells", "| **h** | *e* |\n|---|---|\n| `c*d` | 2 |", True),
    ("table-tight-pipes", "|a|b|\n|-|-|\n|1|2|", True),
    ("table-backslash-cell", "| previous \\ next | the |\n|---|---:|\n| (start) | 0.02 |", True),
    ("table-escaped-pipe", "| a \\| b | c |\n|---|---|\n| 1 | 2 |", False),
    ("table-pipe-in-code", "| `a|b` | c |\n|---|---|\n| 1 | 2 |", False),
    ("table-ragged-row", "| a | b |\n|---|---|\n| 1 |", False),
    ("table-no-outer-pipes", "a | b\n--|--\n1 | 2", False),
    ("table-trailing-space", "| a | b | \n|---|---|\n| 1 | 2 |", False),
    ("table-after-text-no-gap", "Text\n| a | b |\n|---|---|", False),
    ("tab", "a\tb *c*", False),
    ("carriage-return", "a\r\nb", False),
    ("blank-lines", "\n\npara one\n\n\n\npara *two*\n\n", True),
    ("nbsp", "0.5\u00a0% and *x*\u00a0y", True),
    ("only-stars-in-code", "`*`", True),
]


@pytest.mark.parametrize(("source", "accepted"), [(s, a) for _, s, a in TRICKY], ids=[c for c, _, _ in TRICKY])
def test_fast_path_on_tricky_cases(source: str, accepted: bool) -> None:
    fast = _fast_markdown(source)
    if accepted:
        assert fast == _markdown_package(source)
    else:
        assert fast is None, f"the fast path should leave this to the package; it gave {fast!r}"


@pytest.mark.parametrize("inline", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "Is $p_{t}$ *small*? Use `x_1` and $$\\sum_i p_i = 1$$.",
        "<script>alert('x')</script> & **bold**",
        "| t | $p$ |\n|---|---:|\n| `a` | $0.5$ |",
        "Costs \\$5 and $6 with *a* $x*y*z$",
        "**(t1)** $\\Delta z$ for `Je` [t1]",
    ],
)
def test_to_html_is_unchanged_by_the_fast_path(text: str, inline: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    _markup._to_html.cache_clear()
    with_fast = to_html(text, inline=inline)
    monkeypatch.setattr(_markup, "_fast_markdown", lambda source: None)
    _markup._to_html.cache_clear()
    assert to_html(text, inline=inline) == with_fast
    _markup._to_html.cache_clear()


def test_html_blockish_names_cover_the_packages_block_level_elements() -> None:
    # A tag inside a code span that the package treats as block-level HTML must never be
    # accepted by the fast path; this fails if a markdown upgrade adds such a name.
    from markdown.util import BLOCK_LEVEL_ELEMENTS

    assert set(BLOCK_LEVEL_ELEMENTS) <= _markup._HTML_BLOCKISH


# The one-pattern form the check had: Markdown syntax anywhere, or a block marker at any line start.
_SYNTAX_ANYWHERE = re.compile(r"[*_`#|\[\]!\n\\]|^\s*(?:[-+>]|\d+\.)\s", re.MULTILINE)


@given(st.text(alphabet=st.sampled_from(list(" \t\r\n\x0b\x0c\x85\u2028-+>.*_`#|[]!\\0123456789ab")), max_size=12))
@settings(max_examples=3000, deadline=None)
def test_the_markdown_syntax_check_finds_what_one_pattern_over_every_line_finds(text: str) -> None:
    assert _markup._markdown_syntax(text) == (_SYNTAX_ANYWHERE.search(text) is not None)
