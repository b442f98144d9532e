"""Markdown: the student paper carries no key, the instructor version does, math stays TeX."""

from __future__ import annotations

from typing import Any

import markdown as md_lib
import pytest

from fixtures_text import bank_assessment, key_markers, parse_page
from qbank.questions import Assessment
from qbank.renderers.markdown import md_text, render_assessment


@pytest.fixture(scope="module")
def quiz(every_type_items: list[Any]) -> Assessment:
    return Assessment.from_items(every_type_items, title="Every type")


@pytest.mark.parametrize(("text", "out"), [
    ("<script>x</script>", "&lt;script>x&lt;/script>"),
    ("a < b and a<b", "a < b and a&lt;b"),  # a lone "<" starts no tag and stays readable; "<b" would
    ("&amp; and & alone", "&amp;amp; and & alone"),
    ("`<b>` in code and $a<b$ in math", "`<b>` in code and $a<b$ in math"),
])
def test_md_text_escapes_only_what_starts_html(text: str, out: str) -> None:
    assert md_text(text) == out


@pytest.mark.parametrize("assessment", ["every", "bank"])
def test_student_markdown_carries_no_key(quiz: Assessment, assessment: str) -> None:
    a = quiz if assessment == "every" else bank_assessment()
    out = render_assessment(a, "student").content
    assert isinstance(out, str)
    assert "**Answer:**" not in out and "**Accepted:**" not in out and "**Rubric:**" not in out
    assert "**Explanation:**" not in out and "(correct)" not in out
    for item in a.items():
        for marker in key_markers(item):
            if len(marker) >= 6:
                assert md_text(marker) not in out, f"{item.id}: {marker!r} leaked"


def test_instructor_markdown_has_key_feedback_explanation_and_rubric(quiz: Assessment) -> None:
    out = render_assessment(quiz, "instructor").content
    assert isinstance(out, str)
    assert "**Answer:** A\n" in out  # t-single
    assert "- B (M-SIGN): Only when $p = 1$." in out
    assert "**Explanation:** The loss is $-\\ln p$." in out
    assert "**Answer:** 1.386 nats" in out and "(accepted within ±0.001)" in out
    assert "- **C1 Per-token loss** (67%): Names the per-token NLL." in out
    assert "**Answer:** B C A" in out  # ordering
    assert "**Answer:** 1-b 2-c 3-a" in out  # matching


def test_math_stays_as_dollar_tex(quiz: Assessment) -> None:
    out = render_assessment(quiz, "student").content
    assert "What is the loss for $p = 0.5$?" in out
    assert "- **A.** $p = 0.5$ gives $-\\ln p \\approx 0.693$" in out


def test_hostile_text_renders_as_text_in_a_markdown_viewer(hostile_item: Any) -> None:
    from renderer_testing import HOSTILE

    out = render_assessment(Assessment.from_items([hostile_item], title="Q"), "instructor").content
    page = parse_page(md_lib.markdown(out, extensions=["tables"]))  # type: ignore[arg-type]
    assert not page.all("script") and not page.all("b")
    text = "".join(page.text)
    assert f"Stem {HOSTILE} end" in text
    assert "Wrong ]]> <b>bold</b>" in text


def test_points_are_what_the_quiz_gives_not_the_items_own() -> None:
    from qbank.questions import Assessment, Group, Section, builtin_bank

    item = builtin_bank()["paris-states"].instantiate(1)
    assessment = Assessment(id="q", title="Q", sections=(Section(groups=(Group(id="g1", title="t", points=2.5, items=(item,)),)),))
    text = render_assessment(assessment, "student").content
    assert "(2.5 points)" in text and "(1 point)" not in text
