"""Aiken: one-line single-choice questions, ``A.``/``A)`` options and an ``ANSWER:`` line.

Rules as Moodle reads the format (``question/format/aiken``): the question text is one
line; options are labelled A, B, C, ... in order; ``ANSWER:`` (in capitals) names one of
them. A breach is an error with file and line: Moodle would silently drop or misread it.
Text is plain (Moodle escapes HTML in it); ``\\(...\\)`` math becomes qbank math.
"""

from __future__ import annotations

import re

from ..errors import BankError, Problem
from ..questions.items import letter
from ._html import plain_to_markdown
from ._result import Imported, ImportResult, Place

__all__ = ["looks_like_aiken", "read_aiken"]

_OPTION = re.compile(r"^([A-Z])[.)][ \t]?(.*)$")
_ANSWER = re.compile(r"^ANSWER:\s*(\S*)\s*$")
_ANSWER_ANY_CASE = re.compile(r"^answer\s*:", re.IGNORECASE)


def looks_like_aiken(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return any(_ANSWER.match(line) or _ANSWER_ANY_CASE.match(line) for line in lines) and any(
        _OPTION.match(line) for line in lines)


def _stem(line: str) -> str:
    # qbank's exporter sets off a stem that reads like an option with "Question: "
    if line.startswith("Question: ") and re.match(r"^(?:[A-Z][.)]|ANSWER:)", line[10:]):
        line = line[10:]
    return plain_to_markdown(line)


def read_aiken(text: str, file: str, result: ImportResult) -> None:
    """Read Aiken text into ``result``.

    Raises:
        BankError: every malformed question, with file and line.
    """
    problems: list[Problem] = []
    stem: tuple[int, str] | None = None
    options: list[str] = []
    seen_option = False

    def problem(n: int, message: str) -> None:
        problems.append(Problem(file, message, path=f"question {stem[1][:40]!r}" if stem else "", line=n))

    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if len(line) < 2:
            continue
        m = _OPTION.match(line)
        if stem is None:
            if m:
                problems.append(Problem(file, f"the question text {line[:40]!r} starts like an option ({line[:2]}); "
                                        "Aiken would read it as one (reword the start)", line=n))
                stem = (n, line)
                seen_option = True
                continue
            stem = (n, line)
            options, seen_option = [], False
            continue
        a = _ANSWER.match(line)
        if a:
            key = a.group(1)
            if len(options) < 2:
                problem(n, f"a question needs at least 2 options, got {len(options)}")
            elif not re.fullmatch(r"[A-Z]", key) or ord(key) - 65 >= len(options):
                problem(n, f"ANSWER: {key} names no option (the options are A-{letter(len(options) - 1)})")
            elif not any(p.line == stem[0] or (p.line or 0) > stem[0] for p in problems):
                place = Place(file, stem[0], "")
                content = {"type": "single_choice", "stem": _stem(stem[1]),
                           "options": [{"text": o, "correct": i == ord(key) - 65} for i, o in enumerate(options)]}
                result.questions.append(Imported(place, stem[1][:60], content))
            stem = None
            continue
        if _ANSWER_ANY_CASE.match(line):
            problem(n, f"the keyword is ANSWER: in capitals, not {line.split(':')[0]}:")
            stem = None
            continue
        if m:
            expected = letter(len(options))
            if m.group(1) != expected:
                problem(n, f"option {m.group(1)} where {expected} was expected (label options A, B, C, ... in order)")
            options.append(plain_to_markdown(m.group(2)))
            seen_option = True
            continue
        if not seen_option:
            problem(n, "the question text has a second line; an Aiken question is one line")
        else:
            problem(n, "a line that is neither an option nor ANSWER: (is a blank line or ANSWER: missing?)")
        stem = None
    if stem is not None:
        problems.append(Problem(file, "the last question has no ANSWER: line", line=stem[0]))
    if problems:
        raise BankError(problems)
