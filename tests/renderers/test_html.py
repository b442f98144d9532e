"""HTML page: self-contained, accessible, printable, math typeset, and no key for students."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fixtures_text import bank_assessment, key_markers, parse_page
from qbank.questions import Assessment
from qbank.renderers._mathml import tex_to_mathml
from qbank.renderers.html import render_html


@pytest.fixture(scope="module")
def quiz(every_type_items: list[Any]) -> Assessment:
    return Assessment.from_items(every_type_items, title="Every type")


@pytest.fixture(scope="module", params=["student", "instructor"])
def page(request: pytest.FixtureRequest, quiz: Assessment) -> str:
    out = render_html(quiz, request.param).content
    assert isinstance(out, str)
    return out


def test_self_contained_no_script_no_network(page: str) -> None:
    p = parse_page(page)
    assert not p.all("script") and not p.all("link") and not p.all("img") and not p.all("iframe")
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    assert "@import" not in page and "url(" not in page


def test_landmarks_language_and_heading_order(page: str) -> None:
    p = parse_page(page)
    assert p.all("html")[0]["lang"] == "en"
    assert p.all("header") and len(p.all("main")) == 1 and p.all("footer")
    levels = [int(t[1]) for t, _ in p.tags if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_every_question_is_a_labelled_section(page: str, quiz: Assessment) -> None:
    p = parse_page(page)
    ids = {a.get("id") for _, a in p.tags}
    sections = [a for a in p.all("section") if a.get("class") == "question"]
    assert len(sections) == len(list(quiz.items()))
    assert all(a["aria-labelledby"] in ids for a in sections)


def test_every_student_input_has_a_label(quiz: Assessment) -> None:
    p = parse_page(render_html(quiz, "student").content)  # type: ignore[arg-type]
    labelled = {a["for"] for a in p.all("label") if a.get("for")}
    fields = p.all("input") + p.all("textarea")
    assert fields and all(f["id"] in labelled for f in fields)
    assert len(p.all("fieldset")) == len(p.all("legend")) >= 1


def test_print_stylesheet_and_focus_styles(page: str) -> None:
    assert "@media print" in page and "break-inside: avoid" in page
    assert ":focus-visible" in page


def test_math_is_mathml_with_the_tex_as_alt_text(quiz: Assessment) -> None:
    page = render_html(quiz, "student").content
    assert '<math alttext="p = 0.5" xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in page
    assert "$p = 0.5$" not in page


def test_math_that_fails_shows_its_source_and_warns(every_type_items: list[Any]) -> None:
    item = every_type_items[0].model_copy(update={"stem": "Broken $x^$ math"})
    out = render_html(Assessment.from_items([item], title="T"), "student")
    assert '<code class="math-fallback">$x^$</code>' in out.content
    assert out.warnings == ("t-single-v1-s0: math not typeset, shown as TeX source: 'x^' "
                            "(MissingSuperScriptOrSubscriptError)",)


def test_tex_cannot_inject_markup() -> None:
    out = tex_to_mathml("\\text{<script>alert(1)</script> & ]]>}", False)
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_hostile_text_is_shown_intact_and_never_runs(hostile_item: Any) -> None:
    from renderer_testing import HOSTILE

    for audience in ("student", "instructor"):
        p = parse_page(render_html(Assessment.from_items([hostile_item], title=HOSTILE), audience).content)  # type: ignore[arg-type]
        assert not p.all("script")
        text = "".join(p.text)
        assert f"Stem {HOSTILE} end" in text and f"Right {HOSTILE}" in text and f"Hostile {HOSTILE}" in text
        assert "Wrong ]]> <b>bold</b>" in text


def test_student_page_carries_no_key(quiz: Assessment) -> None:
    p = parse_page(render_html(quiz, "student").content)  # type: ignore[arg-type]
    classes = {c for _, a in p.tags for c in (a.get("class") or "").split()}
    assert not classes & {"key", "correct", "feedback", "misconception", "explanation", "rubric", "sample", "item-id"}
    text = p.plain
    assert "Answer:" not in text and "correct" not in text.lower().replace("incorrect", "")
    for item in quiz.items():
        for marker in key_markers(item):
            plain = " ".join(parse_page(f"<p>{marker}</p>").plain.split())
            if len(plain) >= 6 and "$" not in marker:
                assert plain not in text, f"{item.id}: {plain!r} leaked"


def test_instructor_page_highlights_the_key_with_feedback_and_rubric(quiz: Assessment) -> None:
    page = render_html(quiz, "instructor").content
    p = parse_page(page)  # type: ignore[arg-type]
    correct = [a for a in p.all("li") if a.get("class") == "correct"]
    # one per single choice / true-false, two per 2-correct multiple response, parts included
    assert len(correct) == sum(len(s.key) if hasattr(s, "key") and s.type != "true_false" else 1
                               for i in quiz.items() for s in (i.parts if i.type == "multipart" else (i,))
                               if s.type in ("single_choice", "multiple_response", "true_false"))
    text = p.plain
    assert "✓ correct" in text and "M-SIGN" in text and "Sample answer." in text
    assert "C1 Per-token loss" in text and "67%" in text
    assert "Answer: 1.386 nats (accepted within ±0.001)" in text


def test_student_page_shows_only_the_picked_variants(every_type_items: list[Any]) -> None:
    from qbank.questions import Group, Section

    group = Group(id="pool", title="pool", pick=2, items=tuple(every_type_items[:4]))
    quiz = Assessment(id="q", title="Q", sections=(Section(groups=(group,)),))
    assert len([a for a in parse_page(render_html(quiz, "student").content).all("section")]) == 2  # type: ignore[arg-type]
    assert len([a for a in parse_page(render_html(quiz, "instructor").content).all("section")]) == 4  # type: ignore[arg-type]


def test_every_builtin_template_renders_without_warnings() -> None:
    out = render_html(bank_assessment(), "instructor")
    assert out.warnings == ()
