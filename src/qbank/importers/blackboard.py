"""Blackboard Learn "Upload Questions": one question per line, fields separated by tabs.

``MC``/``MA`` (answer, correct|incorrect pairs), ``TF`` (true|false), ``FIB`` (accepted
answers), ``FIB_PLUS`` (blanks ``[x]`` with their answers: a multipart item), ``NUM``
(answer, absolute tolerance), ``MAT`` (left, right pairs), ``ORD`` (entries in order),
``ESS`` (example answer). Blank lines, header rows, wrong keywords and broken pairs are
errors with the line, as Blackboard rejects them. Question and answer text is HTML.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import BankError, Problem
from ._build import Answer, Unsupported, choice_content, distinct_or_raise, essay_content
from ._html import html_to_markdown, plain_to_markdown
from ._result import ESSAY_RUBRIC_NOTE, Imported, ImportResult, Place, Skipped

__all__ = ["looks_like_blackboard", "read_blackboard"]

TYPES = ("MC", "MA", "TF", "FIB", "FIB_PLUS", "NUM", "MAT", "ORD", "ESS")
UNSUPPORTED = {
    "FIL": "a file response has no qbank item type",
    "SR": "a short response is graded by hand and has no key",
    "OP": "an opinion scale has no right answer",
    "JUMBLED_SENTENCE": "a jumbled sentence has no qbank item type",
    "QUIZ_BOWL": "quiz bowl questions have no qbank item type",
}
_LINE = re.compile(r"^(" + "|".join(TYPES + tuple(UNSUPPORTED)) + r")\t")


def looks_like_blackboard(text: str) -> bool:
    return any(_LINE.match(line) for line in text.splitlines()[:50])


class _Bad(Exception):
    pass


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        hint = " (use a decimal point, not a comma)" if re.fullmatch(r"-?\d+,\d+", text.strip()) else ""
        raise _Bad(f"{text!r} is not a number{hint}") from None


def _content(kind: str, stem: str, fields: list[str], notes: list[str]) -> dict[str, Any]:
    if kind in ("MC", "MA"):
        if len(fields) % 2 or len(fields) < 4:
            raise _Bad(f"{kind} takes answer, correct|incorrect pairs")
        answers = []
        for text, flag in zip(fields[::2], fields[1::2]):
            if flag not in ("correct", "incorrect"):
                raise _Bad(f"{flag!r} must be correct or incorrect (lower case)")
            answers.append(Answer(html_to_markdown(text), 100.0 if flag == "correct" else 0.0))
        right = sum(a.fraction > 0 for a in answers)
        if kind == "MC" and right != 1:
            raise _Bad(f"MC needs exactly one correct answer, got {right}")
        if right == 0:
            raise _Bad("MA needs at least one correct answer")
        return choice_content(stem, answers, single=kind == "MC", notes=notes, scoring="right_minus_wrong")
    if kind == "TF":
        if len(fields) != 1 or fields[0] not in ("true", "false"):
            raise _Bad("TF takes one field, true or false (lower case)")
        return {"type": "true_false", "stem": stem, "answer": fields[0] == "true"}
    if kind == "FIB":
        answers = [a.strip() for a in fields if a.strip()]
        if not answers:
            raise _Bad("FIB needs at least one accepted answer")
        return {"type": "short_text", "stem": stem, "answers": list(dict.fromkeys(answers))}
    if kind == "NUM":
        if len(fields) not in (1, 2):
            raise _Bad("NUM takes an answer and an optional tolerance")
        tol = abs(_number(fields[1])) if len(fields) == 2 and fields[1].strip() else 0.0
        return {"type": "numeric", "stem": stem, "answer": _number(fields[0]), "tolerance": {"absolute": tol}}
    if kind == "MAT":
        if len(fields) % 2 or len(fields) < 4:
            raise _Bad("MAT takes complete left, right pairs (at least 2)")
        prompts = [html_to_markdown(x) for x in fields[::2]]
        choices = [html_to_markdown(x) for x in fields[1::2]]
        distinct_or_raise(choices, "right-hand answers")
        return {"type": "matching", "stem": stem, "prompts": prompts, "choices": choices,
                "answer": list(range(len(prompts))), "scoring": "partial"}
    if kind == "ORD":
        if len(fields) < 2:
            raise _Bad("ORD needs at least 2 entries")
        entries = [html_to_markdown(x) for x in fields]
        return {"type": "ordering", "stem": stem, "entries": entries, "answer": list(range(len(entries))),
                "scoring": "partial"}
    if kind == "ESS":
        notes.append(ESSAY_RUBRIC_NOTE)
        return essay_content(stem, sample=html_to_markdown(fields[0]) if fields and fields[0].strip() else "")
    # FIB_PLUS: blank name, answers..., an empty field, blank name, answers...
    groups: list[list[str]] = [[]]
    for f in fields:
        if f == "":
            groups.append([])
        else:
            groups[-1].append(f)
    parts = []
    for g in (g for g in groups if g):
        if len(g) < 2:
            raise _Bad(f"the blank {g[0]!r} has no accepted answer")
        label = g[0] if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", g[0]) else f"b{len(parts) + 1}"
        parts.append({"type": "short_text", "label": label, "prompt": f"Blank [{g[0]}]",
                      "answers": list(dict.fromkeys(a.strip() for a in g[1:]))})
    if not parts:
        raise _Bad("FIB_PLUS needs blanks with answers")
    return {"type": "multipart", "stem": stem, "parts": parts}


def read_blackboard(text: str, file: str, result: ImportResult) -> None:
    """Read a Blackboard upload file into ``result``.

    Raises:
        BankError: every malformed line, with file and line.
    """
    problems: list[Problem] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            problems.append(Problem(file, "a blank line (Blackboard reads every line as a question; remove it)", line=n))
            continue
        kind, _, rest = line.partition("\t")
        fields = rest.split("\t")
        stem_html = fields[0] if fields else ""
        name = re.sub(r"<[^>]*>", "", stem_html)[:40]
        place = Place(file, n, "")
        if kind in UNSUPPORTED:
            result.skipped.append(Skipped(Place(file, n, name), f"{kind}: {UNSUPPORTED[kind]}"))
            continue
        if kind not in TYPES:
            problems.append(Problem(file, f"unknown question type {kind!r} (Blackboard's: {', '.join(TYPES)}, "
                                    f"{', '.join(UNSUPPORTED)}); a header row is not allowed", line=n))
            continue
        if not stem_html.strip():
            problems.append(Problem(file, f"{kind} has no question text", line=n))
            continue
        notes: list[str] = []
        stem = html_to_markdown(stem_html)
        try:
            content = _content(kind, stem, fields[1:], notes)
        except _Bad as exc:
            problems.append(Problem(file, f"{kind}: {exc}", path=f"question {name!r}", line=n))
            continue
        except Unsupported as exc:
            result.skipped.append(Skipped(Place(file, n, name), f"{kind}: {exc}"))
            continue
        title = plain_to_markdown(re.sub(r"<[^>]*>", " ", stem_html)).strip()[:60] or kind
        title = " ".join(re.sub(r"\\(.)", r"\1", title).split())
        result.questions.append(Imported(place, title, content, (), None, None, notes))
    if problems:
        raise BankError(problems)
