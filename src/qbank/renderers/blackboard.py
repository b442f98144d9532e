"""Blackboard Learn "Upload Questions": one tab-delimited line per question (instructor only).

Question and option text is HTML (Blackboard renders it) from
:func:`qbank.renderers._markup.to_html`, with math as ``\\(...\\)``; a field may hold no tab
and no newline, so HTML newlines become spaces (``<br>`` inside ``<pre>``) and tabs become
spaces. Accepted answers (FIB), numbers (NUM) and the answer flags are plain text.

Mapping: MC, MA, TF, NUM (absolute tolerance), FIB (accepted answers), MAT (pairs; unused
choices dropped with a warning), ORD (entries in the correct order), ESS (example answer:
the sample answer followed by the rubric); multipart is skipped with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..questions import Assessment
from . import Audience, Format, Rendered, register
from ._lms_text import absolute_tolerance, all_items, instructor_only, plain_number, skipped
from ._markup import tex_delimiters, to_html

__all__ = ["bb_field", "bb_html", "render_blackboard"]

_PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)


def bb_field(text: str) -> str:
    """Plain text fit for one field: tabs and line breaks become single spaces."""
    return " ".join(text.replace("\t", " ").splitlines()).strip()


@lru_cache(maxsize=65536)
def bb_html(text: str, inline: bool = False) -> str:
    """Author Markdown as one-line HTML for a Blackboard field."""
    out = to_html(text, math=tex_delimiters, inline=inline).replace("\t", " ")
    out = _PRE.sub(lambda m: m.group(0).replace("\r", "").replace("\n", "<br>"), out)
    return " ".join(out.splitlines()).strip()


Body = Callable[[Any], tuple[list[str], list[str]]]


def _choices(item: Any) -> tuple[list[str], list[str]]:
    kind = "MC" if item.type == "single_choice" else "MA"
    fields = [kind]
    for o in item.options:
        fields += [bb_html(o.text, True), "correct" if o.correct else "incorrect"]
    return fields, []


def _true_false(item: Any) -> tuple[list[str], list[str]]:
    return ["TF", "true" if item.answer else "false"], []


def _numeric(item: Any) -> tuple[list[str], list[str]]:
    tol, note = absolute_tolerance(item)
    return ["NUM", plain_number(item.answer), plain_number(tol)], [f"{item.id}: {note}"] if note else []


def _short_text(item: Any) -> tuple[list[str], list[str]]:
    return ["FIB", *(bb_field(a) for a in item.answers)], []


def _matching(item: Any) -> tuple[list[str], list[str]]:
    fields = ["MAT"]
    for p, j in zip(item.prompts, item.answer):
        fields += [bb_html(p, True), bb_html(item.choices[j], True)]
    unused = [c for j, c in enumerate(item.choices) if j not in item.answer]
    return fields, [f"{item.id}: Blackboard MAT drops the unused choices {unused}"] if unused else []


def _ordering(item: Any) -> tuple[list[str], list[str]]:
    return ["ORD", *(bb_html(item.entries[i], True) for i in item.answer)], []


def _essay(item: Any) -> tuple[list[str], list[str]]:
    total = item.rubric.total_weight
    rubric = "".join(f"<li>{c.id} {bb_html(c.title, True)} ({c.weight / total:.0%}): {bb_html(c.description, True)}</li>"
                     for c in item.rubric.criteria)
    example = f"{bb_html(item.sample_answer)} <p><strong>Rubric</strong></p><ul>{rubric}</ul>"
    return ["ESS", example], []


def _multipart(item: Any) -> tuple[list[str], list[str]]:
    return [], [skipped(item, "Blackboard", "upload has no multipart question (use QTI)")]


BODY: dict[str, Body] = {
    "single_choice": _choices,
    "multiple_response": _choices,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
    "ordering": _ordering,
    "open_response": _essay,
    "multipart": _multipart,
}


def render_blackboard(assessment: Assessment, audience: Audience = "instructor") -> Rendered:
    """Every variant as one tab-delimited line; no header, no blank line."""
    instructor_only("blackboard", audience)
    lines: list[str] = []
    warnings: list[str] = []
    for _group, item in all_items(assessment):
        fields, notes = BODY[item.type](item)
        warnings += notes
        if fields:
            lines.append("\t".join([fields[0], bb_html(item.stem), *fields[1:]]))
    return Rendered("\n".join(lines) + "\n" if lines else "", tuple(warnings))


register(Format("blackboard", ".txt", "Blackboard Learn tab-delimited question upload (instructor: carries the key)",
                render_blackboard, audiences=("instructor",), lms=True))
