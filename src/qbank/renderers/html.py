"""HTML: one self-contained, accessible, printable page per quiz (student, or instructor with key).

Author Markdown goes through :func:`qbank.renderers._mathml.html_with_math`: Markdown by
:mod:`._markup`, math converted to MathML at render time, so the page needs no script, font
or network.
Each item type has a view builder (``BODY``) that turns it into plain data for the jinja
template ``html.page.html``; fragments of author HTML are passed as ``Markup``, every other
string is escaped by the template. The student view never receives a key: the builders
read the key only when ``key`` is true.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from ..questions import Assessment, letter
from . import Audience, Format, Rendered, register
from ._markup import split_math
from ._mathml import failure, html_with_math
from ._templates import page_template

__all__ = ["render_assessment", "render_html"]

View = dict[str, Any]


def _md(text: str, inline: bool = False) -> Markup:
    return Markup(html_with_math(text, inline=inline))


def _number(value: float, decimals: int | None) -> str:
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def _choices(spec: Any, key: bool, qid: str) -> View:
    multiple = spec.type == "multiple_response"
    options = []
    for i, o in enumerate(spec.options):
        opt: View = {"letter": letter(i), "id": f"{qid}-{letter(i)}", "html": _md(o.text, inline=True)}
        if key:
            opt.update(correct=o.correct, feedback=_md(o.feedback) if o.feedback else None, misconception=o.misconception)
        options.append(opt)
    view: View = {
        "widget": "choices", "name": qid, "multiple": multiple, "options": options,
        "legend": "Select all that apply" if multiple else "Choose one answer",
    }
    if key:
        view["answer"] = ", ".join(letter(i) for i in spec.key)
    return view


def _true_false(spec: Any, key: bool, qid: str) -> View:
    options = []
    for value, text, feedback in ((True, "True", spec.feedback_true), (False, "False", spec.feedback_false)):
        opt: View = {"letter": text[0], "id": f"{qid}-{text[0]}", "html": Markup(text)}
        if key:
            wrong = value != spec.answer
            opt.update(correct=not wrong, feedback=_md(feedback) if feedback else None,
                       misconception=spec.misconception if wrong else None)
        options.append(opt)
    view: View = {"widget": "choices", "name": qid, "multiple": False, "options": options, "legend": "True or false"}
    if key:
        view["answer"] = "True" if spec.answer else "False"
    return view


def _numeric(spec: Any, key: bool, qid: str) -> View:
    view: View = {"widget": "blank", "id": f"{qid}-answer", "label": "Your answer", "unit": spec.unit or "",
                  "inputmode": "decimal"}
    if key:
        view["answer"] = _number(spec.answer, spec.decimals) + (f" {spec.unit}" if spec.unit else "")
        view["accepted"] = f"accepted within {spec.tolerance.describe()}"
        view["distractors"] = [{"text": f"{d.value:g}", "misconception": d.misconception,
                                "feedback": _md(d.feedback) if d.feedback else None} for d in spec.distractors]
    return view


def _short_text(spec: Any, key: bool, qid: str) -> View:
    view: View = {"widget": "blank", "id": f"{qid}-answer", "label": "Your answer", "unit": "", "inputmode": "text"}
    if key:
        view["answer"] = " / ".join(spec.answers)
        view["accepted"] = "case-sensitive" if spec.case_sensitive else "case-insensitive"
        view["distractors"] = [{"text": d.text, "misconception": d.misconception,
                                "feedback": _md(d.feedback) if d.feedback else None} for d in spec.distractors]
    return view


def _ordering(spec: Any, key: bool, qid: str) -> View:
    view: View = {"widget": "ordering", "id": f"{qid}-answer",
                  "entries": [{"letter": letter(i), "html": _md(e, inline=True)} for i, e in enumerate(spec.entries)]}
    if key:
        view["answer"] = " ".join(letter(i) for i in spec.answer)
    return view


def _matching(spec: Any, key: bool, qid: str) -> View:
    view: View = {
        "widget": "matching",
        "prompts": [{"n": i + 1, "id": f"{qid}-m{i + 1}", "html": _md(p, inline=True)} for i, p in enumerate(spec.prompts)],
        "choices": [{"letter": letter(j).lower(), "html": _md(c, inline=True)} for j, c in enumerate(spec.choices)],
    }
    if key:
        view["answer"] = " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(spec.answer))
    return view


def _open_response(spec: Any, key: bool, qid: str) -> View:
    view: View = {"widget": "essay", "id": f"{qid}-answer", "min_words": spec.min_words}
    if key:
        total = spec.rubric.total_weight
        view["rubric"] = {
            "criteria": [{"id": c.id, "title": c.title, "share": f"{c.weight / total:.0%}",
                          "description": _md(c.description, inline=True)} for c in spec.rubric.criteria],
            "caps": [f"At most {cap.max_score:.0%} unless {' or '.join(cap.unless)}" + (f": {cap.reason}" if cap.reason else "")
                     for cap in spec.rubric.caps],
            "required": ", ".join(spec.rubric.required_for_full),
        }
        view["sample_answer"] = _md(spec.sample_answer)
    return view


def _multipart(spec: Any, key: bool, qid: str) -> View:
    parts = []
    for part in spec.parts:
        pid = f"{qid}-{part.label}"
        parts.append({"label": part.label, "id": pid, "prompt": _md(part.prompt), "body": BODY[part.type](part, key, pid)})
    return {"widget": "multipart", "parts": parts}


BODY: dict[str, Callable[[Any, bool, str], View]] = {
    "single_choice": _choices,
    "multiple_response": _choices,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "ordering": _ordering,
    "matching": _matching,
    "open_response": _open_response,
    "multipart": _multipart,
}


def _texts(item: Any) -> list[str]:
    """Every author text of an item that goes through Markdown (to find math that failed)."""
    out = [item.stem, item.explanation]
    specs = item.parts if item.type == "multipart" else (item,)
    for spec in specs:
        out.append(getattr(spec, "prompt", ""))
        out += [o.text for o in getattr(spec, "options", ())] + [o.feedback for o in getattr(spec, "options", ())]
        out += list(getattr(spec, "entries", ())) + list(getattr(spec, "prompts", ())) + list(getattr(spec, "choices", ()))
    return out


def _math_warnings(item: Any) -> list[str]:
    seen: dict[str, str] = {}
    for text in _texts(item):
        for kind, value in split_math(text) if "$" in text else ():
            if kind in ("inline", "display"):
                reason = failure(value, kind == "display")
                if reason:
                    seen.setdefault(value, reason)
    return [f"{item.id}: math not typeset, shown as TeX source: {tex!r} ({reason})" for tex, reason in seen.items()]


def _question(item: Any, number: int, key: bool, points: float) -> View:
    qid = f"q{number}"
    view: View = {
        "number": number, "id": qid, "title": item.title, "type": item.type,
        "points": f"{points:g} point{'' if points == 1 else 's'}",
        "stem": _md(item.stem), "body": BODY[item.type](item, key, qid),
        "hint": _md(item.hint) if item.hint else None,
    }
    if key:
        view.update(item_id=item.id, explanation=_md(item.explanation) if item.explanation else None)
    return view


def render_html(assessment: Assessment, audience: Audience = "student", *, lang: str = "en") -> Rendered:
    """The quiz as one HTML page; the instructor page adds keys, feedback, explanations and rubrics."""
    key = audience == "instructor"
    sections: list[View] = []
    warnings: list[str] = []
    n = 0
    for s, section in enumerate(assessment.sections, 1):
        questions = []
        for group in section.groups:
            # a student sees the items drawn for them; the key covers every variant
            for item in group.items[: None if key else group.pick]:
                n += 1
                questions.append(_question(item, n, key, group.points_for(item)))
                warnings += _math_warnings(item)
        sections.append({"id": f"s{s}", "title": section.title, "questions": questions})
    page = page_template("html.page.html").render(
        title=assessment.title, key=key, lang=lang, sections=sections,
        instructions=_md(assessment.instructions) if assessment.instructions else None,
        total=f"{assessment.total_points:g}", count=n,
    )
    return Rendered(page, tuple(warnings))


def render_assessment(assessment: Assessment, audience: Audience = "student") -> Rendered:
    return render_html(assessment, audience)


register(Format("html", ".html", "HTML page, self-contained and printable (student, or instructor with key)",
                render_assessment))
