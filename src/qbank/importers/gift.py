"""GIFT, read by a small recursive-descent parser.

Grammar (Moodle's ``question/format/gift``, with gift-pegjs's stricter rules on escapes)::

    file      := (comment | blank | block)*          comment: a line starting with //
    block     := category | question                 blocks are separated by blank lines
    category  := "$CATEGORY:" path
    question  := ["::" title "::"] ["[" format "]"] text "{" answers "}" [text]
    answers   := ""                                          essay
               | ("T" | "TRUE" | "F" | "FALSE") feedback? feedback? general?
               | "#" numeric ( ("=" weight? numeric feedback?)+ | numeric feedback? ) general?
               | (("=" | "~") weight? text ("->" text)? feedback?)+ general?
    numeric   := number [":" number] | number ".." number
    weight    := "%" number "%"       feedback := "#" text      general := "####" text

``~ = # { } :`` are special everywhere and written ``\\~ \\= \\# \\{ \\} \\:`` (a backslash
``\\\\``, a newline ``\\n``). An unescaped ``:`` in a question text or ``=`` inside an
answer is an error, as in gift-pegjs, because Moodle would misread it. Weights come from
Moodle's grade list. Errors name the file and the line.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import BankError, Problem
from ._build import Answer, Unsupported, choice_content, essay_content, is_moodle_grade, numeric_content, short_text_content
from ._html import plain_to_markdown, source_to_markdown, text_to_markdown
from ._result import ESSAY_RUBRIC_NOTE, Imported, ImportResult, Place, Skipped, name_and_id

__all__ = ["read_gift"]

_SPECIAL = "~=#{}:"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class GiftError(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def unescape(text: str) -> str:
    """GIFT text with its escapes resolved."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text, flags=re.DOTALL)


class _Cursor:
    """A position in one block's source, escape-aware."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.pos)

    def eat(self, s: str) -> bool:
        if self.peek(s):
            self.pos += len(s)
            return True
        return False

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def until(self, stops: str, *, forbid: str = "", what: str = "text") -> str:
        """Raw text up to the first unescaped character in ``stops`` (escapes kept)."""
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                self.pos += 2
                continue
            if ch in stops:
                break
            if ch in forbid:
                raise GiftError(f"unescaped {ch!r} in the {what} (write \\{ch})", self.pos)
            self.pos += 1
        return self.text[start : self.pos]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)


def _weight(c: _Cursor) -> float | None:
    if not c.peek("%"):
        return None
    start = c.pos
    c.eat("%")
    m = _NUMBER.match(c.text, c.pos)
    if m is None or not c.text.startswith("%", m.end()):
        raise GiftError("a weight is written %number%", start)
    c.pos = m.end() + 1
    value = float(m.group(0))
    if not is_moodle_grade(value):
        raise GiftError(f"the weight {m.group(0)}% is not one of Moodle's grades (100, 90, 80, 75, 70, 66.66667, 60, "
                        "50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)", start)
    return value


def _number(raw: str, offset: int) -> float:
    text = raw.strip()
    if not _NUMBER.fullmatch(text):
        hint = " (use a decimal point, not a comma)" if re.fullmatch(r"-?\d+,\d+", text) else ""
        raise GiftError(f"{text!r} is not a number{hint}", offset)
    return float(text)


class _Block:
    """One question block: title, format, text and the parsed answer section."""

    def __init__(self, source: str):
        self.c = _Cursor(source)
        self.title = ""
        self.format = "moodle"
        self.text = ""
        self.after = ""
        self.kind = ""
        self.answers: list[tuple[str, float, str, str | None]] = []  # (raw text, pct, raw feedback, match target)
        self.numeric: list[tuple[float, float, float, str]] = []  # (value, tolerance, pct, raw feedback)
        self.tf: tuple[bool, str, str] | None = None
        self.general = ""
        self.markers: list[str] = []

    def parse(self) -> None:
        c = self.c
        c.skip_ws()
        if c.eat("::"):
            self.title = c.until(":", what="title")
            if not c.eat("::"):
                raise GiftError("the title is not closed by '::' (escape a colon in it as \\:)", c.pos)
            c.skip_ws()
        if c.peek("["):
            m = re.match(r"\[(html|moodle|plain|markdown)\]", c.text[c.pos :])
            if m:
                self.format = m.group(1)
                c.pos += m.end()
        self.text = c.until("{", forbid="~=#}:", what="question text")
        if c.at_end():
            raise GiftError("no answer block {...} (a GIFT question needs one; {} for an essay)", 0)
        brace = c.pos
        c.eat("{")
        self.answer_block(brace)
        if not c.eat("}"):
            raise GiftError("the answer block is not closed by '}'", brace)
        rest = c.text[c.pos :]
        if rest.strip().startswith("::") or "\n::" in rest:
            raise GiftError("a second question starts here: separate questions with a blank line",
                            c.pos + len(rest) - len(rest.lstrip()) if rest.strip().startswith("::") else c.pos + rest.index("\n::") + 1)
        self.after = c.until("", forbid="{}~=#", what="text after the answers")

    def feedback(self) -> str:
        c = self.c
        if c.peek("####"):
            return ""
        if c.eat("#"):
            return c.until("~=#}", what="feedback")
        return ""

    def general_feedback(self) -> None:
        c = self.c
        c.skip_ws()
        if c.eat("####"):
            self.general = c.until("}", what="general feedback")

    def answer_block(self, brace: int) -> None:
        c = self.c
        c.skip_ws()
        if c.peek("}") or c.peek("####"):
            self.kind = "essay"
            self.general_feedback()
            return
        m = re.match(r"(TRUE|FALSE|T|F)(?=[\s#}])", c.text[c.pos :])
        if m:
            c.pos += m.end()
            wrong = self.feedback()
            right = self.feedback()
            self.tf = (m.group(1).startswith("T"), wrong, right)
            self.kind = "truefalse"
            self.general_feedback()
            c.skip_ws()
            return
        if c.eat("#"):
            self.kind = "numerical"
            self.numeric_answers()
            return
        while True:
            c.skip_ws()
            if c.peek("####") or c.peek("}") or c.at_end():
                break
            if c.eat("="):
                pct = 100.0
                self.markers.append("=")
            elif c.eat("~"):
                pct = 0.0
                self.markers.append("~")
            else:
                raise GiftError("an answer starts with = (right) or ~ (wrong); escape other = ~ # { } : with \\", c.pos)
            weight = _weight(c)
            if weight is not None:
                pct = weight
            raw = c.until("~=#}", what="answer")
            target = None
            if "->" in raw:
                raw, target = raw.split("->", 1)
            if c.peek("=") and not c.peek("==") and not self._answer_starts_here():
                raise GiftError("unescaped '=' inside an answer (write \\=)", c.pos)
            fb = self.feedback()
            self.answers.append((raw, pct, fb, target))
        self.general_feedback()
        if not self.answers:
            raise GiftError("an empty answer list", brace)
        if any(t is not None for *_, t in self.answers):
            self.kind = "matching"
        elif all(m == "=" for m in self.markers):
            self.kind = "shortanswer"  # only "=" answers: every one of them is accepted
        else:
            self.kind = "multichoice"

    def _answer_starts_here(self) -> bool:
        # "=" right after an answer's text is a new answer only after whitespace
        return self.c.pos > 0 and self.c.text[self.c.pos - 1] in " \t\r\n"

    def numeric_answers(self) -> None:
        c = self.c
        c.skip_ws()
        if not c.peek("="):
            self.numeric.append(self.numeric_value(100.0))
        else:
            while True:
                c.skip_ws()
                if not c.eat("="):
                    break
                weight = _weight(c)
                self.numeric.append(self.numeric_value(100.0 if weight is None else weight))
        self.general_feedback()
        c.skip_ws()

    def numeric_value(self, pct: float) -> tuple[float, float, float, str]:
        c = self.c
        start = c.pos
        raw = c.until("#=~}", what="number")
        if ".." in raw:
            low, high = raw.split("..", 1)
            lo, hi = _number(low, start), _number(high, start)
            value, tol = (lo + hi) / 2, abs(hi - lo) / 2
        else:
            value_text, _, tol_text = unescape(raw).partition(":")
            value = _number(value_text, start)
            tol = abs(_number(tol_text, start)) if tol_text.strip() else 0.0
        fb = self.feedback()
        return value, tol, pct, fb


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, source) of every block; comment lines are dropped."""
    out: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                out.append((first, "\n".join(current)))
                current = []
            continue
        if not current:
            first = n
        current.append(line)
    if current:
        out.append((first, "\n".join(current)))
    return out


def _md(raw: str, fmt: str) -> str:
    text = unescape(raw).strip()
    if fmt == "html":
        return text_to_markdown(text, "html")
    if fmt == "markdown":
        return text
    if fmt == "plain":
        return plain_to_markdown(text)
    return text_to_markdown(text, "moodle_auto_format")


def _content(b: _Block, notes: list[str]) -> dict[str, Any]:
    stem = _md(b.text, b.format)
    if b.after.strip():
        stem = f"{stem} \\_\\_\\_\\_\\_ {_md(b.after, b.format)}"
    if b.kind == "essay":
        notes.append(ESSAY_RUBRIC_NOTE)
        return essay_content(stem)
    if b.kind == "truefalse":
        assert b.tf is not None
        answer, wrong, right = b.tf
        fb_true, fb_false = (right, wrong) if answer else (wrong, right)
        out: dict[str, Any] = {"type": "true_false", "stem": stem, "answer": answer}
        if fb_true.strip():
            out["feedback_true"] = _md(fb_true, b.format)
        if fb_false.strip():
            out["feedback_false"] = _md(fb_false, b.format)
        return out
    if b.kind == "numerical":
        answers = [Answer(repr(v), pct, _md(fb, b.format) if fb.strip() else "", tol) for v, tol, pct, fb in b.numeric]
        return numeric_content(stem, answers, notes=notes)
    if b.kind == "matching":
        prompts, choices, pairs = [], [], []
        for raw, _pct, _fb, target in b.answers:
            choice = source_to_markdown(unescape(target or ""))
            if choice not in choices:
                choices.append(choice)
            if raw.strip():
                prompts.append(_md(raw, b.format))
                pairs.append(choices.index(choice))
        if len(set(pairs)) != len(pairs):
            raise Unsupported("two prompts share one answer; qbank matches each choice to at most one prompt")
        return {"type": "matching", "stem": stem, "prompts": prompts, "choices": choices, "answer": pairs,
                "scoring": "partial"}
    answers = [Answer(_md(raw, b.format), pct, _md(fb, b.format) if fb.strip() else "") for raw, pct, fb, _ in b.answers]
    if b.kind == "shortanswer":
        plain = [Answer(unescape(raw).strip(), pct, a.feedback) for (raw, pct, _, _), a in zip(b.answers, answers)]
        return short_text_content(stem, plain, case_sensitive=False, notes=notes)
    # one answer at 100%: single choice, unless wrong answers carry penalties and none is marked
    # "=" (then it is a multiple-response question with one right option, as qbank writes it)
    single = (len([a for a in answers if a.fraction > 0]) == 1 and any(abs(a.fraction - 100) < 0.001 for a in answers)
              and ("=" in b.markers or not any(a.fraction < 0 for a in answers)))
    if not single:
        total = sum(a.fraction for a in answers if a.fraction > 0)
        if abs(total - 100) > 0.01:
            raise GiftError(f"the positive weights of a multiple-response question add up to {total:g}%, not 100%", 0)
    return choice_content(stem, answers, single=single, notes=notes)


def read_gift(text: str, file: str, result: ImportResult) -> None:
    """Read GIFT text into ``result``.

    Raises:
        BankError: every malformed question, with file, line and question title.
    """
    problems: list[Problem] = []
    category: tuple[str, ...] = ()
    for line, source in _blocks(text):
        if source.lstrip().startswith("$CATEGORY:"):
            from .moodle import _category_path

            category = _category_path(source.split(":", 1)[1].strip())
            continue
        b = _Block(source)
        title_guess = re.match(r"\s*::((?:\\.|[^:])*)::", source)
        name = unescape(title_guess.group(1)).strip() if title_guess else ""
        try:
            b.parse()
        except GiftError as exc:
            at = line + source.count("\n", 0, exc.offset)
            problems.append(Problem(file, str(exc), path=f"question {name!r}" if name else "", line=at))
            continue
        place = Place(file, line, name)
        notes: list[str] = []
        try:
            content = _content(b, notes)
        except GiftError as exc:
            problems.append(Problem(file, str(exc), path=f"question {name!r}" if name else "", line=line))
            continue
        except Unsupported as exc:
            result.skipped.append(Skipped(place, f"{b.kind}: {exc}"))
            continue
        if b.general.strip():
            content["explanation"] = _md(b.general, b.format)
        title, ident = name_and_id(name)
        if not title:
            title = re.sub(r"\s+", " ", unescape(b.text)).strip()[:60]
        result.questions.append(Imported(place, title, content, category, ident, None, notes))
    if problems:
        raise BankError(problems)
