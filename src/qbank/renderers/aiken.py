"""Aiken: Moodle's one-line multiple-choice import format (instructor only: it carries the key).

Aiken carries single choice only. True/false goes in as a two-option single choice (True,
False), which Moodle imports as a multiple-choice question with the same key; every other
type is skipped with a warning naming the item. Moodle escapes HTML in Aiken text, so text is
plain: Markdown is flattened to one line by :func:`qbank.renderers._markup.to_line` (tables
read as ``(token: state A, state B) Paris: 0.20, 0.08; ...``) and math is written as
``\\(...\\)`` for Moodle's MathJax filter.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..questions import Assessment, letter
from . import Audience, Format, Rendered, register
from ._lms_text import all_items, instructor_only, skipped
from ._markup import to_line

__all__ = ["aiken_line", "render_aiken"]

# What Moodle reads as an option or answer line rather than a question line.
_NOT_A_STEM = re.compile(r"^(?:[A-Z][.)]|ANSWER:)")


def _tex(tex: str, display: bool) -> str:
    return f"\\[{tex}\\]" if display else f"\\({tex}\\)"


@lru_cache(maxsize=65536)
def aiken_line(text: str) -> str:
    """Author Markdown as one Aiken-safe line of plain text."""
    return to_line(text, math=_tex)


def _stem(text: str) -> str:
    line = aiken_line(text)
    # A stem such as "A) ..." or "U.S. ..." would be read as an option: set it off
    return f"Question: {line}" if _NOT_A_STEM.match(line) else line


def _options(item: Any) -> tuple[list[str], int] | None:
    if item.type == "single_choice":
        return [aiken_line(o.text) for o in item.options], item.key[0]
    if item.type == "true_false":
        return ["True", "False"], 0 if item.answer else 1
    return None


def render_aiken(assessment: Assessment, audience: Audience = "instructor") -> Rendered:
    """Single-choice (and true/false) variants as Aiken; every other item is skipped with a warning."""
    instructor_only("aiken", audience)
    blocks: list[str] = []
    warnings: list[str] = []
    for _group, item in all_items(assessment):
        found = _options(item)
        if found is None:
            warnings.append(skipped(item, "Aiken", f"carries single choice only, not {item.type}"))
            continue
        options, key = found
        lines = [_stem(item.stem)] + [f"{letter(i)}. {text}" for i, text in enumerate(options)]
        blocks.append("\n".join([*lines, f"ANSWER: {letter(key)}"]))
    return Rendered("\n\n".join(blocks) + "\n" if blocks else "", tuple(warnings))


register(Format("aiken", ".txt", "Aiken for Moodle import: single choice only (instructor: carries the key)",
                render_aiken, audiences=("instructor",), lms=True))
