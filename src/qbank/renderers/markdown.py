"""Markdown: a readable quiz for students, or with key, feedback and explanations for instructors.

Math stays as ``$...$`` / ``$$...$$``, which most Markdown viewers typeset. Markdown passes
raw HTML through, so author text is escaped by :func:`md_text` where it could start a tag or an
entity (``<script>`` shows as text in any viewer); code spans and math are left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..questions import Assessment, letter
from . import Audience, Format, Rendered, register
from ._markup import split_math

__all__ = ["asks_select_all", "md_text", "render_item", "render_assessment"]

# What a Markdown viewer would read as the start of an HTML tag, comment or entity.
_RAW_HTML = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)")


@lru_cache(maxsize=65536)
def md_text(text: str) -> str:
    """Author text for Markdown output: tag and entity starts escaped outside code and math."""
    if "<" not in text and "&" not in text:
        return text
    out = []
    for kind, value in split_math(text):
        if kind == "text":
            out.append(_RAW_HTML.sub(lambda m: "&lt;" if m.group(0) == "<" else "&amp;", value))
        elif kind == "code":
            out.append(value)
        else:
            out.append(f"$${value}$$" if kind == "display" else f"${value}$")
    return "".join(out)


def _choices(spec: Any, key: bool) -> list[str]:
    lines = [f"- **{letter(i)}.** {md_text(o.text)}" for i, o in enumerate(spec.options)]
    if key:
        correct = ", ".join(letter(i) for i in spec.key)
        lines += ["", f"**Answer:** {correct}", ""]
        for i, o in enumerate(spec.options):
            tag = "correct" if o.correct else (o.misconception or "incorrect")
            if o.feedback or o.misconception:
                lines.append(f"- {letter(i)} ({tag}): {md_text(o.feedback)}".rstrip())
    return lines


def _true_false(spec: Any, key: bool) -> list[str]:
    lines = ["- **True**", "- **False**"]
    if key:
        lines += ["", f"**Answer:** {'True' if spec.answer else 'False'}"]
        wrong = spec.feedback_false if spec.answer else spec.feedback_true
        if wrong:
            lines.append(f"- If answered {'False' if spec.answer else 'True'}" + (f" ({spec.misconception})" if spec.misconception else "") + f": {md_text(wrong)}")
    return lines


def _numeric(spec: Any, key: bool) -> list[str]:
    unit = f" {spec.unit}" if spec.unit else ""
    lines = [f"Your answer: ________{unit}"]
    if key:
        lines += ["", f"**Answer:** {spec.answer:.{spec.decimals}f}{unit}" if spec.decimals is not None else f"**Answer:** {spec.answer:g}{unit}",
                  f"(accepted within {spec.tolerance.describe()})"]
        for d in spec.distractors:
            lines.append(f"- {d.value:g} ({d.misconception}): {md_text(d.feedback)}".rstrip())
    return lines


def _short_text(spec: Any, key: bool) -> list[str]:
    lines = ["Your answer: ________"]
    if key:
        lines += ["", "**Accepted:** " + " / ".join(f"`{a}`" for a in spec.answers)]
        for d in spec.distractors:
            lines.append(f"- `{d.text}` ({d.misconception}): {md_text(d.feedback)}".rstrip())
    return lines


def _ordering(spec: Any, key: bool) -> list[str]:
    lines = ["Put these in order (e.g. `C A B`):", ""] + [f"- **{letter(i)}.** {md_text(e)}" for i, e in enumerate(spec.entries)]
    if key:
        lines += ["", "**Answer:** " + " ".join(letter(i) for i in spec.answer)]
    return lines


def _matching(spec: Any, key: bool) -> list[str]:
    lines = ["Match each numbered item with a lettered choice (e.g. `1-b 2-a`):", ""]
    lines += [f"{i + 1}. {md_text(p)}" for i, p in enumerate(spec.prompts)] + [""]
    lines += [f"- **{letter(j).lower()}.** {md_text(c)}" for j, c in enumerate(spec.choices)]
    if key:
        lines += ["", "**Answer:** " + " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(spec.answer))]
    return lines


def _open_response(spec: Any, key: bool) -> list[str]:
    lines = ["*Write your answer below.*"]
    if key:
        lines += ["", "**Rubric:**", ""]
        total = spec.rubric.total_weight
        lines += [f"- **{c.id} {c.title}** ({c.weight / total:.0%}): {md_text(c.description)}".rstrip() for c in spec.rubric.criteria]
        lines += [f"- Cap {cap.max_score:.0%} unless {' or '.join(cap.unless)}: {cap.reason}".rstrip() for cap in spec.rubric.caps]
        lines += ["", "**Sample answer:**", "", md_text(spec.sample_answer)]
    return lines


def _multipart(spec: Any, key: bool) -> list[str]:
    lines: list[str] = []
    for part in spec.parts:
        lines += ["", f"**({part.label})** {md_text(part.prompt)}", ""] + BODY[part.type](part, key)
    return lines


BODY: dict[str, Callable[[Any, bool], list[str]]] = {
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


def asks_select_all(item: Any) -> bool:
    """Does a multiple-response item need the "Select all that apply." line (its stem may say so)?"""
    return item.type == "multiple_response" and "select all that apply" not in item.stem.casefold()


def render_item(
    item: Any, *, key: bool = False, heading: str = "###", number: int | None = None, points: float | None = None
) -> str:
    """One item as Markdown; with ``key`` the answer, feedback and worked explanation follow.

    ``points`` is what the item is worth in its quiz (a section may override the item's own).
    """
    title = f"{number}. {item.title}" if number is not None else item.title
    worth = item.points if points is None else points
    points_text = f"{worth:g} point{'s' if worth != 1 else ''}"
    lines = [f"{heading} {md_text(title)} ({points_text})", "", md_text(item.stem), ""]
    if asks_select_all(item):
        lines += ["*Select all that apply.*", ""]
    lines += BODY[item.type](item, key)
    if key and item.explanation:
        lines += ["", "**Explanation:** " + md_text(item.explanation)]
    if key:
        lines += ["", f"<sub>{item.id}</sub>"]
    return "\n".join(lines).rstrip() + "\n"


def render_assessment(assessment: Assessment, audience: Audience = "student") -> Rendered:
    key = audience == "instructor"
    parts = [f"# {md_text(assessment.title)}" + (" (answer key)" if key else ""), ""]
    if assessment.instructions:
        parts += [md_text(assessment.instructions), ""]
    n = 0
    for section in assessment.sections:
        if section.title:
            parts += [f"## {md_text(section.title)}", ""]
        for group in section.groups:
            for item in group.items[: None if key else group.pick]:
                n += 1
                parts += [render_item(item, key=key, number=n, points=group.points_for(item)), ""]
    return Rendered("\n".join(parts).rstrip() + "\n")


register(Format("md", ".md", "Markdown (student, or instructor with key)", lambda a, audience="student": render_assessment(a, audience)))
