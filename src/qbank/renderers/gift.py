"""GIFT: Moodle's text import format (instructor only: an import carries the key).

Text is HTML (``[html]`` marker) made by :func:`qbank.renderers._markup.to_html` with math as
``\\(...\\)``, which Moodle's MathJax filter typesets; then every text goes through
:func:`gift_escape`, the one function that escapes GIFT's control characters. Matching
answers are plain text in Moodle, so they are converted with ``to_line``.

Mapping (docs/formats.md has the full table): single choice ``{=a ~b}``; multiple response
with weights ``%100/k%`` for each of the k correct options and ``%-100/k%`` for each wrong
one (right-minus-wrong, Moodle floors at 0); true/false ``{TRUE}``; numeric ``{#x:tol}``
with an absolute tolerance; short text ``{=a =b}``; matching ``{=p -> c}``; open response
``{}`` with the rubric as a comment above it (GIFT has no grader-info field); ordering and
multipart are skipped with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..questions import Assessment
from . import Audience, Format, Rendered, register
from ._lms_text import absolute_tolerance, all_items, instructor_only, plain_number, skipped
from ._markup import tex_delimiters, to_html, to_line

__all__ = ["MOODLE_FRACTIONS", "gift_escape", "render_gift"]

# Backslash first: the escapes written after it must not be escaped again.
_ESCAPES = (("\\", "\\\\"), ("~", "\\~"), ("=", "\\="), ("#", "\\#"), ("{", "\\{"), ("}", "\\}"), (":", "\\:"),
            ("\n", "\\n"), ("\r", ""))

# Moodle's grade list (percentages), as GIFT weights must be written; 100/k for k = 1..10.
MOODLE_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571",
                    8: "12.5", 9: "11.11111", 10: "10"}


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters ``~ = # { } :`` and backslash; newlines become ``\\n``."""
    # str.replace per character, each only when present: ten times faster than str.translate
    # with a table of multi-character replacements, on the texts of a large export
    for char, escaped in _ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


@lru_cache(maxsize=65536)
def _html(text: str, inline: bool = False) -> str:
    return gift_escape(to_html(text, math=tex_delimiters, inline=inline))


def _fb(text: str) -> str:
    return f"#{_html(text)}" if text else ""


def _single(item: Any) -> tuple[list[str], list[str]]:
    lines = [f"{'=' if o.correct else '~'}{_html(o.text, True)}{_fb(o.feedback)}" for o in item.options]
    return lines, []


def _multiple(item: Any) -> tuple[list[str], list[str]]:
    k = len(item.key)
    if k not in MOODLE_FRACTIONS or len(item.options) - k > 10:
        return [], [skipped(item, "GIFT", f"cannot weight {k} correct options with Moodle's grade list")]
    right, wrong = MOODLE_FRACTIONS[k], f"-{MOODLE_FRACTIONS[k]}"
    lines = [f"~%{right if o.correct else wrong}%{_html(o.text, True)}{_fb(o.feedback)}" for o in item.options]
    notes = [] if item.scoring == "right_minus_wrong" else [
        f"{item.id}: GIFT scores multiple response right-minus-wrong (Moodle weights), not {item.scoring}"]
    return lines, notes


def _true_false(item: Any) -> tuple[list[str], list[str]]:
    right, wrong = (item.feedback_true, item.feedback_false) if item.answer else (item.feedback_false, item.feedback_true)
    # {TRUE#feedback when answered wrongly#feedback when answered rightly}
    fb = f"#{_html(wrong)}#{_html(right)}" if (right or wrong) else ""
    return [f"{'TRUE' if item.answer else 'FALSE'}{fb}"], []


def _numeric(item: Any) -> tuple[list[str], list[str]]:
    tol, note = absolute_tolerance(item)
    lines = [f"#={plain_number(item.answer)}:{plain_number(tol)}"]
    # misconception values as 0% answers so that Moodle shows their feedback
    lines += [f"=%0%{plain_number(d.value)}:0{_fb(d.feedback)}" for d in item.distractors if d.value != item.answer]
    return lines, [f"{item.id}: {note}"] if note else []


def _short_text(item: Any) -> tuple[list[str], list[str]]:
    lines = [f"={gift_escape(a)}" for a in item.answers]
    lines += [f"=%0%{gift_escape(d.text)}{_fb(d.feedback)}" for d in item.distractors]
    notes = [f"{item.id}: GIFT short answers are case-insensitive; the case-sensitive key is not enforced"] if item.case_sensitive else []
    return lines, notes


def _matching(item: Any) -> tuple[list[str], list[str]]:
    lines = [f"={_html(p, True)} -> {gift_escape(to_line(item.choices[j], math=tex_delimiters))}"
             for p, j in zip(item.prompts, item.answer)]
    unused = [c for j, c in enumerate(item.choices) if j not in item.answer]
    notes = [f"{item.id}: GIFT matching drops the unused choices {unused}"] if unused else []
    return lines, notes


def _essay(item: Any) -> tuple[list[str], list[str]]:
    return [], []


def _cannot(why: str) -> Callable[[Any], tuple[list[str], list[str]]]:
    return lambda item: ([], [skipped(item, "GIFT", why)])


BODY: dict[str, Callable[[Any], tuple[list[str], list[str]]]] = {
    "single_choice": _single,
    "multiple_response": _multiple,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "matching": _matching,
    "open_response": _essay,
    "ordering": _cannot("has no ordering question (only a Moodle plugin syntax)"),
    "multipart": _cannot("has no multipart question (use Moodle XML or QTI)"),
}


def _rubric_comment(item: Any) -> list[str]:
    """The rubric and sample answer as GIFT comments: visible in the file, never imported."""
    total = item.rubric.total_weight
    out = ["// Rubric (not imported; GIFT has no grader information):"]
    out += [f"//   {c.id} {c.title} ({c.weight / total:.0%}): {to_line(c.description)}" for c in item.rubric.criteria]
    out += [f"//   at most {cap.max_score:.0%} unless {' or '.join(cap.unless)}" for cap in item.rubric.caps]
    out.append(f"// Sample answer: {to_line(item.sample_answer)}")
    return out


def _question(item: Any) -> tuple[str | None, list[str]]:
    lines, notes = BODY[item.type](item)
    if item.type not in ("open_response", "true_false") and not lines:
        return None, notes
    title = gift_escape(f"{item.title} [{item.id}]")
    general = f"####{_html(item.explanation)}" if item.explanation else ""
    head = [f"// {item.id}"] + (_rubric_comment(item) if item.type == "open_response" else [])
    text = f"::{title}::[html]{_html(item.stem)}"
    if item.type == "open_response":
        block = f"{text} {{{general}}}"
    elif item.type == "true_false":
        block = f"{text} {{{lines[0]}{general}}}"
    else:
        block = "\n".join([f"{text} {{", *(f"\t{line}" for line in lines), *([f"\t{general}"] if general else []), "}"])
    return "\n".join([*head, block]), notes


def render_gift(assessment: Assessment, audience: Audience = "instructor") -> Rendered:
    """Every variant of every group as GIFT, one Moodle category per group."""
    instructor_only("gift", audience)
    # One comment line: a title's line break would start a question of its own (an injection).
    blocks = [f"// {' '.join(assessment.title.split())} ({assessment.id}), exported by qbank"]
    warnings: list[str] = []
    current = None
    for group, item in all_items(assessment):
        block, notes = _question(item)
        warnings += notes
        if block is None:
            continue
        if group.id != current:
            current = group.id
            blocks.append(f"$CATEGORY: $course$/top/{assessment.id}/{group.id}")
        blocks.append(block)
    return Rendered("\n\n".join(blocks) + "\n", tuple(warnings))


register(Format("gift", ".gift", "GIFT for Moodle import (instructor: carries the key)",
                render_gift, audiences=("instructor",), lms=True))
