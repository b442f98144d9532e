"""Moodle XML: every item type Moodle has, in categories, with fractions from Moodle's list.

Text goes into ``<text>`` as escaped HTML (a child element there breaks Moodle's import) with
math as ``\\(...\\)`` for MathJax. Fixed items go into ``$course$/top/<quiz>``; a group that
draws ``pick`` of several variants gets its own category ``$course$/top/<quiz>/<group>``, from
which the instructor adds "a random question from this category" to the quiz.

Mapping (see docs/formats-lms-xml.md): multichoice (single and multiple), truefalse,
numerical (absolute tolerance), shortanswer, ordering, matching, essay (rubric as grader
information), and cloze for multipart items.
"""

from __future__ import annotations

import html
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from fractions import Fraction
from itertools import combinations_with_replacement
from typing import Any

from .._gc import gc_paused
from ..questions import Assessment
from . import Audience, Format, Rendered, register
from ._markup import to_html, to_plain
from ._xml import absolute_tolerance, number, require_instructor, rubric_markdown, sub, tostring

__all__ = ["GRADES", "category_path", "cloze_escape", "question", "render_assessment", "split_100"]

# Moodle's grade list (question_bank::fraction_options_full), in percent; negatives allowed.
GRADES = (100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333, 30.0, 25.0,
          20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0)


def _grade(pct: float) -> float | None:
    """The list value within Moodle's matching distance of ``pct`` (sign kept), else None."""
    for g in GRADES:
        if abs(abs(pct) - g) < 0.001:
            return math.copysign(g, pct)
    return None


def split_100(k: int) -> tuple[float, ...] | None:
    """k grades from Moodle's list that add up to 100, as equal as possible; None if impossible.

    k of 1-10 (and 20) divide 100 exactly by a list value; otherwise two neighbouring list
    values are mixed (k = 11: nine at 10 and two at 5), largest first.
    """
    equal = _grade(100 / k)
    if equal is not None:
        return (equal,) * k
    best: tuple[float, tuple[float, ...]] | None = None
    for a, b in combinations_with_replacement(GRADES, 2):
        for x in range(1, k):
            if abs(x * a + (k - x) * b - 100) < 0.005:
                spread = abs(a - b)
                if best is None or spread < best[0]:
                    best = (spread, (a,) * x + (b,) * (k - x))
    return best[1] if best else None


# ---------------------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------------------


class _Ctx:
    def __init__(self, warnings: list[str], shuffle: bool | None):
        self.warnings = warnings
        self.shuffle = shuffle


def _html(parent: ET.Element, tag: str, markdown: str, *, inline: bool = False) -> ET.Element:
    el = sub(parent, tag, attrib={"format": "html"})
    sub(el, "text", to_html(markdown, inline=inline) if markdown else "")
    return el


def _answer(q: ET.Element, fraction: float, markdown: str, feedback: str = "", *, fmt: str = "html",
            text: str | None = None) -> ET.Element:
    a = sub(q, "answer", attrib={"fraction": number(fraction), "format": fmt})
    sub(a, "text", text if text is not None else to_html(markdown, inline=True))
    if feedback:
        _html(a, "feedback", feedback)
    return a


def _multichoice(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    single = item.type == "single_choice"
    sub(q, "single", "true" if single else "false")
    sub(q, "shuffleanswers", "true" if (item.shuffle or ctx.shuffle) else "false")
    sub(q, "answernumbering", "ABCD")
    if single:
        for o in item.options:
            _answer(q, 100.0 if o.correct else 0.0, o.text, o.feedback)
        return True
    shares = split_100(len(item.key))
    if shares is None:
        ctx.warnings.append(f"{item.id}: skipped in Moodle XML: {len(item.key)} correct options cannot share 100% "
                            "with Moodle's grade list")
        return False
    if len(set(shares)) > 1:
        ctx.warnings.append(f"{item.id}: Moodle gives its {len(item.key)} correct options unequal shares "
                            f"({', '.join(number(s) for s in sorted(set(shares), reverse=True))}%)")
    if item.scoring == "all_or_nothing":
        wrong = -100.0
        ctx.warnings.append(f"{item.id}: Moodle has no all-or-nothing multiple response; correct options share "
                            "100% and any wrong choice costs 100%")
    else:
        wrong = -shares[-1]
        if item.scoring == "partial":
            ctx.warnings.append(f"{item.id}: Moodle scores 'partial' multiple response as right minus wrong")
    correct = iter(shares)
    for o in item.options:
        _answer(q, next(correct) if o.correct else wrong, o.text, o.feedback)
    return True


def _truefalse(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    # Moodle shows an answer's feedback to whoever gave that answer.
    _answer(q, 100.0 if item.answer else 0.0, "", item.feedback_true, fmt="moodle_auto_format", text="true")
    _answer(q, 0.0 if item.answer else 100.0, "", item.feedback_false, fmt="moodle_auto_format", text="false")
    return True


def _numerical(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    value, tol = absolute_tolerance(item)
    a = _answer(q, 100.0, "", "", fmt="moodle_auto_format", text=number(value))
    sub(a, "tolerance", number(tol))
    # Moodle takes the first answer that matches, so distractors follow the key.
    for d in item.distractors:
        a = _answer(q, 0.0, "", d.feedback, fmt="moodle_auto_format", text=number(d.value))
        sub(a, "tolerance", number(tol))
    if item.unit:
        units = sub(q, "units")
        unit = sub(units, "unit")
        sub(unit, "multiplier", "1")
        sub(unit, "unit_name", item.unit)
        sub(q, "unitgradingtype", "0")  # a missing or wrong unit costs nothing
        sub(q, "unitpenalty", "0")
        sub(q, "showunits", "3")  # unit shown as text, not asked for
        sub(q, "unitsleft", "0")
    return True


def _moodle_literal(text: str) -> str:
    # In shortanswer answers * is a wildcard; \* is a literal star.
    return text.replace("*", "\\*")


def _shortanswer(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    sub(q, "usecase", "1" if item.case_sensitive else "0")
    for text in dict.fromkeys(item.answers):
        _answer(q, 100.0, "", "", fmt="moodle_auto_format", text=_moodle_literal(text))
    for d in item.distractors:
        _answer(q, 0.0, "", d.feedback, fmt="moodle_auto_format", text=_moodle_literal(d.text))
    return True


def _ordering(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    sub(q, "layouttype", "VERTICAL")
    sub(q, "selecttype", "ALL")
    sub(q, "selectcount", "0")
    sub(q, "gradingtype", "ALL_OR_NOTHING" if item.scoring == "exact" else "LONGEST_ORDERED_SUBSET")
    sub(q, "showgrading", "SHOW")
    sub(q, "numberingstyle", "none")
    for position, entry in enumerate(item.answer, 1):  # Moodle reads the answers in the correct order
        _answer(q, float(position), item.entries[entry])
    return True


def _matching(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    sub(q, "shuffleanswers", "true")
    used = set(item.answer)
    for prompt, choice in zip(item.prompts, item.answer):
        s = _html(q, "subquestion", prompt, inline=True)
        sub(sub(s, "answer"), "text", to_plain(item.choices[choice]))
    for j, choice in enumerate(item.choices):
        if j not in used:  # a distractor: an answer no subquestion uses
            s = sub(q, "subquestion", attrib={"format": "html"})
            sub(s, "text", "")
            sub(sub(s, "answer"), "text", to_plain(choice))
    if item.scoring == "all_or_nothing":
        ctx.warnings.append(f"{item.id}: Moodle scores matching per pair (all-or-nothing is not available)")
    return True


def _essay(q: ET.Element, item: Any, ctx: _Ctx) -> bool:
    sub(q, "responseformat", "editor")
    sub(q, "responserequired", "1")
    sub(q, "responsefieldlines", "15")
    sub(q, "attachments", "0")
    sub(q, "attachmentsrequired", "0")
    if item.min_words:
        sub(q, "minwordlimit", str(item.min_words))
    _html(q, "graderinfo", rubric_markdown(item))
    _html(q, "responsetemplate", "")
    return True


# ---------------------------------------------------------------------------------------
# Cloze (multipart)
# ---------------------------------------------------------------------------------------


def cloze_escape(text: str) -> str:
    """Text inside a cloze subquestion: HTML-escaped, then Moodle's cloze specials escaped."""
    out = html.escape(text, quote=False)
    for ch in ("\\", "}", "#", "~", "/", '"', "{"):
        out = out.replace(ch, "\\" + ch)
    return out


def _cloze_text(markdown: str) -> str:
    return cloze_escape(to_plain(markdown, math=lambda tex, display: f"\\[{tex}\\]" if display else f"\\({tex}\\)"))


def _cloze_choices(options: list[tuple[str, float, str]], kind: str) -> str:
    answers = []
    for text, fraction, feedback in options:
        mark = "=" if fraction == 100 and kind != "MULTIRESPONSE" else f"%{number(fraction)}%"
        answers.append(mark + _cloze_text(text) + (f"#{_cloze_text(feedback)}" if feedback else ""))
    return "~".join(answers)


def _cloze_part(spec: Any) -> list[tuple[str, Fraction, str]] | str:
    """(label, share of the part, subquestion body) per gap, or the reason the part cannot go."""
    t = spec.type
    if t == "single_choice":
        return [("", Fraction(1), "MULTICHOICE_V:" + _cloze_choices(
            [(o.text, 100.0 if o.correct else 0.0, o.feedback) for o in spec.options], "MULTICHOICE"))]
    if t == "true_false":
        return [("", Fraction(1), "MULTICHOICE_V:" + _cloze_choices(
            [("True", 100.0 if spec.answer else 0.0, spec.feedback_true),
             ("False", 0.0 if spec.answer else 100.0, spec.feedback_false)], "MULTICHOICE"))]
    if t == "multiple_response":
        shares = split_100(len(spec.key))
        if shares is None:
            return f"{len(spec.key)} correct options cannot share 100% with Moodle's grade list"
        it = iter(shares)
        return [("", Fraction(1), "MULTIRESPONSE:" + _cloze_choices(
            [(o.text, next(it) if o.correct else -shares[-1], o.feedback) for o in spec.options], "MULTIRESPONSE"))]
    if t == "numeric":
        value, tol = absolute_tolerance(spec)
        answers = [f"={number(value)}:{number(tol)}"]
        answers += [f"%0%{number(d.value)}:{number(tol)}" + (f"#{_cloze_text(d.feedback)}" if d.feedback else "")
                    for d in spec.distractors]
        return [("", Fraction(1), "NUMERICAL:" + "~".join(answers))]
    if t == "short_text":
        kind = "SHORTANSWER_C" if spec.case_sensitive else "SHORTANSWER"
        answers = [f"={cloze_escape(_moodle_literal(a))}" for a in dict.fromkeys(spec.answers)]
        answers += [f"%0%{cloze_escape(_moodle_literal(d.text))}" + (f"#{_cloze_text(d.feedback)}" if d.feedback else "")
                    for d in spec.distractors]
        return [("", Fraction(1), f"{kind}:" + "~".join(answers))]
    if t == "matching":  # one drop-down per prompt
        n = len(spec.prompts)
        return [(_cloze_text(prompt), Fraction(1, n), "MULTICHOICE:" + _cloze_choices(
            [(c, 100.0 if j == spec.answer[i] else 0.0, "") for j, c in enumerate(spec.choices)], "MULTICHOICE"))
            for i, prompt in enumerate(spec.prompts)]
    if t == "ordering":  # one drop-down per position
        n = len(spec.entries)
        return [(f"{pos + 1}.", Fraction(1, n), "MULTICHOICE:" + _cloze_choices(
            [(e, 100.0 if j == spec.answer[pos] else 0.0, "") for j, e in enumerate(spec.entries)], "MULTICHOICE"))
            for pos in range(n)]
    return f"a {t} part has no cloze subquestion"


def _integer_weights(shares: list[Fraction]) -> list[int]:
    shares = [s.limit_denominator(1000) for s in shares]
    lcm = math.lcm(*(s.denominator for s in shares))
    weights = [int(s * lcm) for s in shares]
    g = math.gcd(*weights)
    weights = [w // g for w in weights]
    if max(weights) > 100:  # keep Moodle's weights small; the ratio survives to within 1%
        top = max(weights)
        weights = [max(1, round(w * 100 / top)) for w in weights]
    return weights


def _cloze(item: Any, ctx: _Ctx) -> str | None:
    """The cloze question text, or None (with a warning) when a part cannot be carried."""
    total = sum(Fraction(p.weight).limit_denominator(1000) for p in item.parts)
    gaps: list[tuple[int, str, Fraction, str]] = []  # (part index, label, share, body)
    for i, spec in enumerate(item.parts):
        res = _cloze_part(spec)
        if isinstance(res, str):
            ctx.warnings.append(f"{item.id}: skipped in Moodle XML: part {spec.label}: {res}")
            return None
        part_share = Fraction(spec.weight).limit_denominator(1000) / total
        gaps += [(i, label, part_share * share, body) for label, share, body in res]
    weights = _integer_weights([g[2] for g in gaps])
    out = [_protect(to_html(item.stem))]
    for i, spec in enumerate(item.parts):
        out.append(_protect(to_html(f"**({spec.label})** {spec.prompt}")))
        lines = [f"{label} {{{w}:{body}}}".strip() for (j, label, _, body), w in zip(gaps, weights) if j == i]
        out.append("<p>" + "<br />".join(lines) + "</p>")
    return "\n".join(out)


def _protect(fragment_html: str) -> str:
    # Author text that happens to look like a cloze gap ({1:SHORTANSWER:...}) must stay text.
    return fragment_html.replace("{", "&#123;") if "{" in fragment_html and ":" in fragment_html else fragment_html


# ---------------------------------------------------------------------------------------
# Assessment
# ---------------------------------------------------------------------------------------

_QUESTION: dict[str, tuple[str, Callable[[ET.Element, Any, _Ctx], bool]]] = {
    "single_choice": ("multichoice", _multichoice),
    "multiple_response": ("multichoice", _multichoice),
    "true_false": ("truefalse", _truefalse),
    "numeric": ("numerical", _numerical),
    "short_text": ("shortanswer", _shortanswer),
    "ordering": ("ordering", _ordering),
    "matching": ("matching", _matching),
    "open_response": ("essay", _essay),
}


def _common(q: ET.Element, item: Any, points: float, questiontext: str | None = None) -> None:
    # Moodle prints question names as HTML (format_string), so the plain title is escaped.
    sub(sub(q, "name"), "text", html.escape(f"{item.title} [{item.id}]", quote=False))
    qt = sub(q, "questiontext", attrib={"format": "html"})
    sub(qt, "text", questiontext if questiontext is not None else to_html(item.stem))
    _html(q, "generalfeedback", item.explanation)
    sub(q, "defaultgrade", number(points))
    sub(q, "penalty", "0.3333333")
    sub(q, "hidden", "0")
    sub(q, "idnumber", item.id)


def question(item: Any, *, points: float | None = None, shuffle: bool | None = None,
             warnings: list[str] | None = None) -> ET.Element | None:
    """One ``<question>`` element, or None (with a warning) when Moodle cannot carry the item."""
    warnings = warnings if warnings is not None else []
    ctx = _Ctx(warnings, shuffle)
    points = float(item.points if points is None else points)
    if item.type == "multipart":
        text = _cloze(item, ctx)
        if text is None:
            return None
        q = ET.Element("question", {"type": "cloze"})
        _common(q, item, points, text)
        return q
    qtype, build = _QUESTION[item.type]
    q = ET.Element("question", {"type": qtype})
    _common(q, item, points)
    return q if build(q, item, ctx) else None


def category_path(*names: str) -> str:
    """A Moodle category path; a slash inside a name is doubled, as Moodle escapes it."""
    return "/".join(["$course$", "top", *(n.replace("/", "//") for n in names)])


def _category(root: ET.Element, path: str) -> None:
    q = sub(root, "question", attrib={"type": "category"})
    sub(sub(q, "category"), "text", path)


def render_assessment(assessment: Assessment, audience: Audience = "instructor") -> Rendered:
    """The whole assessment as one Moodle XML file, with warnings for skipped or degraded items."""
    require_instructor("moodle", audience)
    with gc_paused():  # see gc_paused: the collector would spend up to a third of the time
        return _render(assessment)


def _render(assessment: Assessment) -> Rendered:
    warnings: list[str] = []
    root = ET.Element("quiz")
    top = category_path(assessment.title)
    _category(root, top)
    current = top
    for group in assessment.groups():
        path = top if len(group.items) == 1 else category_path(assessment.title, group.title)
        if path != current:
            _category(root, path)
            current = path
        for item in group.items:
            q = question(item, points=group.points_for(item), shuffle=getattr(group, "shuffle_options", None),
                         warnings=warnings)
            if q is not None:
                root.append(q)
    return Rendered(tostring(root).decode("utf-8"), tuple(dict.fromkeys(warnings)))


register(Format("moodle", ".xml", "Moodle XML question bank (categories per group)", render_assessment,
                audiences=("instructor",), lms=True))
