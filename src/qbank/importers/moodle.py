"""Moodle XML: ``<quiz>`` of ``<question type=...>``, categories, embedded files, cloze.

Rules follow Moodle's own importer (``question/format/xml/format.php``): a question needs a
``<name>``; ``<text>`` holds a string (HTML escaped or in CDATA), never child elements;
fractions come from Moodle's grade list; a multiple-response question's positive fractions
add up to 100; numbers use a decimal point. A breach is an error naming file, line and
question. Types qbank cannot represent (calculated with wildcards, drag and drop, code
runner, ...) are listed as skipped with the reason.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from typing import Any

from ..errors import BankError, Problem
from ._build import Answer, Unsupported, choice_content, essay_content, is_moodle_grade, numeric_content, short_text_content
from ._cloze import cloze_content
from ._html import source_to_markdown, text_to_markdown
from ._result import ESSAY_RUBRIC_NOTE, Imported, ImportResult, Place, Skipped, image_resolver, name_and_id
from ._xml import parse_xml

__all__ = ["read_moodle"]

# Types qbank cannot carry, with the reason the report gives.
UNSUPPORTED = {
    "calculated": "calculated questions draw wildcard values ({x}) per attempt; qbank's static items cannot",
    "calculatedsimple": "calculated questions draw wildcard values ({x}) per attempt; qbank's static items cannot",
    "calculatedmulti": "calculated questions draw wildcard values ({x}) per attempt; qbank's static items cannot",
    "ddwtos": "drag and drop into text has no qbank item type",
    "ddimageortext": "drag and drop onto an image has no qbank item type",
    "ddmarker": "drag markers onto an image has no qbank item type",
    "gapselect": "select missing words has no qbank item type",
    "coderunner": "code runner questions run student code; qbank never executes anything",
    "randomsamatch": "random short-answer matching draws other questions at quiz time",
    "random": "a random question is a quiz slot, not a question",
    "description": "a description holds no question",
    "stack": "STACK questions need a computer algebra system",
    "drawing": "drawing questions have no qbank item type",
}
SUPPORTED = ("multichoice", "multichoiceset", "truefalse", "shortanswer", "numerical", "matching", "essay",
             "ordering", "cloze", "multianswer")


def _category_path(text: str) -> tuple[str, ...]:
    # "$course$/top/A/B//C": a doubled slash is a slash inside a name
    parts = [p.replace("\x00", "/") for p in text.replace("//", "\x00").split("/")]
    parts = [p.strip() for p in parts if p.strip()]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return tuple(parts)


def _child(parent: Any, path: str) -> Any:
    """The first element at ``path`` (``a/b``; ``.`` is ``parent``), or None.

    lxml's ``find`` parses its path in Python on every call; ``iterchildren`` with a tag
    stays in C, which matters at a few dozen lookups per question.
    """
    node = parent
    for name in path.split("/") if "/" in path else (path,):
        if name == ".":
            continue
        node = next(node.iterchildren(name), None)
        if node is None:
            return None
    return node


def _text(parent: Any, path: str) -> str:
    node = _child(parent, path)
    return (node.text or "") if node is not None else ""


class _Question:
    """One <question> element while it is read: its texts, files and problems."""

    def __init__(self, el: Any, file: str, result: ImportResult, problems: list[Problem], has_files: bool = True):
        self.el = el
        self.file = file
        self.problems = problems
        self.notes: list[str] = []
        name_el = _child(el, "name/text")
        self.name = html.unescape(name_el.text or "").strip() if name_el is not None else ""
        self.place = Place(file, el.sourceline, self.name)
        self.files: dict[str, bytes] = {}
        for f in el.iter("file") if has_files else ():
            if f.get("encoding", "base64") == "base64" and f.get("name"):
                try:
                    self.files[f.get("name")] = base64.b64decode("".join((f.text or "").split()), validate=True)
                except (binascii.Error, ValueError):
                    self.error(f"the embedded file {f.get('name')!r} is not valid base64", f.sourceline)
        self.resolve = image_resolver(result.media, self.files.get, self.notes)

    def error(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, message, path=f"question {self.name!r}" if self.name else "",
                                     line=line or self.el.sourceline))

    def raw(self, path: str, parent: Any = None) -> tuple[str, str]:
        """(text, format) of ``path/text``; a child element inside <text> is an error."""
        node = _child(parent if parent is not None else self.el, path)
        if node is None:
            return "", "html"
        text_el = _child(node, "text") if node.tag != "text" else node
        if text_el is None:
            return "", node.get("format", "html")
        if len(text_el):
            self.error(f"<{path}><text> holds the element <{text_el[0].tag}>: HTML inside <text> must be escaped "
                       "or in CDATA", text_el.sourceline)
        return text_el.text or "", node.get("format", "html")

    def md(self, path: str, parent: Any = None, default_format: str | None = None) -> str:
        text, fmt = self.raw(path, parent)
        return text_to_markdown(text, default_format or fmt, self.resolve) if text.strip() else ""

    def value(self, path: str, default: str = "") -> str:
        node = _child(self.el, path)
        return (node.text or "").strip() if node is not None and node.text is not None else default

    def flag(self, path: str, default: bool = False) -> bool:
        v = self.value(path)
        return default if v == "" else v.lower() in ("1", "true", "yes")

    def number(self, text: str, what: str, line: int | None) -> float | None:
        try:
            return float(text)
        except ValueError:
            hint = " (use a decimal point, not a comma)" if re.fullmatch(r"-?\d+,\d+", text.strip()) else ""
            self.error(f"{what} {text!r} is not a number{hint}", line)
            return None

    def answers(self, *, numeric: bool = False) -> list[Answer]:
        out = []
        for a in self.el.iterchildren("answer"):
            frac_text = a.get("fraction", "0")
            frac = self.number(frac_text, "the fraction", a.sourceline)
            if frac is None:
                continue
            if not is_moodle_grade(frac):
                self.error(f"the fraction {frac_text} is not one of Moodle's grades (100, 90, 83.33333, 80, 75, 70, "
                           "66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)",
                           a.sourceline)
                continue
            text, fmt = self.raw("text", a)
            feedback = self.md("feedback", a)
            if numeric:
                text = text.strip()
                tol_text = (_text(a, "tolerance") or "0").strip() or "0"
                tol = self.number(tol_text, "the tolerance", a.sourceline)
                if text != "*" and self.number(text, "the answer", a.sourceline) is None:
                    continue
                out.append(Answer(text, frac, feedback, abs(tol or 0.0)))
            else:
                out.append(Answer(text, frac, feedback))
        return out


def _content(q: _Question, qtype: str) -> dict[str, Any]:
    stem = q.md("questiontext")
    if qtype in ("multichoice", "multichoiceset"):
        answers = [Answer(text_to_markdown(a.text, "html", q.resolve) if a.text.strip() else "", a.fraction,
                          a.feedback) for a in q.answers()]
        single = q.flag("single", True) if qtype == "multichoice" else False
        positive = sum(a.fraction for a in answers if a.fraction > 0)
        if not single and qtype == "multichoice" and abs(positive - 100) > 0.01:
            q.error(f"the positive fractions of a multiple-response question add up to {positive:g}%, not 100%")
        if single and not any(abs(a.fraction - 100) < 0.001 for a in answers):
            q.error("a single-answer multichoice question needs one answer at 100%")
        return choice_content(stem, answers, single=single, notes=q.notes, shuffle=q.flag("shuffleanswers"),
                              correct_fb=q.md("correctfeedback"), incorrect_fb=q.md("incorrectfeedback"),
                              scoring="all_or_nothing" if qtype == "multichoiceset" else None)
    if qtype == "truefalse":
        answers = q.el.findall("answer")
        values = {}
        for a in answers:
            word = _text(a, "text").strip().lower()
            if word not in ("true", "false"):
                q.error(f"a truefalse answer must read true or false, not {word!r}", a.sourceline)
                continue
            values[word] = (float(a.get("fraction", "0") or 0), q.md("feedback", a))
        if set(values) != {"true", "false"}:
            raise Unsupported("a truefalse question needs the answers true and false")
        out = {"type": "true_false", "stem": stem, "answer": values["true"][0] > values["false"][0]}
        if values["true"][1]:
            out["feedback_true"] = values["true"][1]
        if values["false"][1]:
            out["feedback_false"] = values["false"][1]
        return out
    if qtype == "shortanswer":
        answers = [Answer(html.unescape(a.text.strip()), a.fraction, a.feedback) for a in q.answers()]
        return short_text_content(stem, answers, case_sensitive=q.flag("usecase"), notes=q.notes, wildcards=True)
    if qtype == "numerical":
        unit = q.value("units/unit/unit_name") or None
        return numeric_content(stem, q.answers(numeric=True), notes=q.notes, unit=unit)
    if qtype == "matching":
        prompts, choices, pairs = [], [], []
        for s in q.el.findall("subquestion"):
            text, fmt = q.raw(".", s)
            answer = html.unescape(_text(s, "answer/text").strip())
            if not answer:
                continue
            choice = source_to_markdown(answer)
            if choice not in choices:
                choices.append(choice)
            if text.strip():
                prompts.append(text_to_markdown(text, fmt, q.resolve))
                pairs.append(choices.index(choice))
        if len(prompts) < 2:
            q.error(f"a matching question needs at least 2 subquestions with text, got {len(prompts)}")
            raise Unsupported("too few subquestions")
        if len(set(pairs)) != len(pairs):
            raise Unsupported("two subquestions share one answer; qbank matches each choice to at most one prompt")
        return {"type": "matching", "stem": stem, "prompts": prompts, "choices": choices, "answer": pairs,
                "scoring": "partial"}
    if qtype == "essay":
        q.notes.append(ESSAY_RUBRIC_NOTE)
        out = essay_content(stem, grader_info=q.md("graderinfo"))
        words = q.value("minwordlimit")
        if words.isdecimal() and int(words) > 0:
            out["min_words"] = int(words)
        return out
    if qtype == "ordering":
        entries = [text_to_markdown(_text(a, "text"), a.get("format", "html"), q.resolve)
                   for a in q.el.findall("answer")]
        grading = q.value("gradingtype", "ABSOLUTE_POSITION").upper()
        scoring = "exact" if grading == "ALL_OR_NOTHING" else "partial"
        if grading not in ("ALL_OR_NOTHING", "LONGEST_ORDERED_SUBSET"):
            q.notes.append(f"Moodle's {grading} grading is scored by the longest ordered subsequence in qbank")
        if q.value("selecttype", "ALL").upper() not in ("ALL", "0") and q.value("selectcount", "0") not in ("0", ""):
            q.notes.append("Moodle showed a subset of the entries; qbank shows them all")
        return {"type": "ordering", "stem": stem, "entries": entries, "answer": list(range(len(entries))),
                "scoring": scoring}
    # cloze / multianswer
    text, fmt = q.raw("questiontext")
    return cloze_content(text, q.resolve, q.notes)


def read_moodle(data: bytes, file: str, result: ImportResult) -> None:
    """Read a Moodle XML file into ``result``.

    Raises:
        BankError: every problem found, each with file, line and question name.
    """
    root = parse_xml(data, file)
    if root.tag != "quiz":
        raise BankError([Problem(file, f"the root element is <{root.tag}>; a Moodle XML file has <quiz>",
                                 line=root.sourceline)])
    problems: list[Problem] = []
    category: tuple[str, ...] = ()
    has_files, has_tags = b"<file" in data, b"<tags" in data
    for el in root:
        if not isinstance(el.tag, str):
            continue
        if el.tag != "question":
            problems.append(Problem(file, f"unexpected element <{el.tag}> (a Moodle quiz holds <question>s)",
                                    line=el.sourceline))
            continue
        qtype = el.get("type", "")
        if qtype == "category":
            category = _category_path(_text(el, "category/text"))
            continue
        q = _Question(el, file, result, problems, has_files)
        if not q.name:
            q.error("the question has no <name><text> (Moodle refuses it)")
            continue
        if qtype in UNSUPPORTED:
            result.skipped.append(Skipped(q.place, f"{qtype}: {UNSUPPORTED[qtype]}"))
            continue
        if qtype not in SUPPORTED:
            q.error(f"unknown question type {qtype!r} (Moodle's types: {', '.join(SUPPORTED)}, ...)")
            continue
        before = len(problems)
        try:
            content = _content(q, qtype)
        except Unsupported as exc:
            if len(problems) == before:
                result.skipped.append(Skipped(q.place, f"{qtype}: {exc}"))
            continue
        if len(problems) != before:
            continue
        explanation = q.md("generalfeedback")
        if explanation:
            content["explanation"] = explanation
        title, ident = name_and_id(q.name, q.value("idnumber"))
        points = q.number(q.value("defaultgrade", "1"), "defaultgrade", el.sourceline)
        tags_el = _child(el, "tags") if has_tags else None
        tags = tuple(t for t in ((_text(t, "text")).strip() for t in tags_el.iterchildren("tag")) if t) if tags_el is not None else ()
        result.questions.append(Imported(q.place, title, content, category, ident, points, q.notes, keywords=tags))
    if problems:
        raise BankError(problems)
