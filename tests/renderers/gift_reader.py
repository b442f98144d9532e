"""A small GIFT reader for the round-trip tests (tests only: qbank writes GIFT, never reads it).

It understands what :mod:`qbank.renderers.gift` writes: comments, ``$CATEGORY``, blank-line
separated questions ``::title::[html]text {answers}`` with one answer per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


def unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def _split_unescaped(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped by a backslash."""
    parts, cur, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            cur.append(text[i : i + 2])
            i += 2
            continue
        if text.startswith(sep, i):
            parts.append("".join(cur))
            cur = []
            i += len(sep)
            continue
        cur.append(text[i])
        i += 1
    parts.append("".join(cur))
    return parts


@dataclass
class Answer:
    mark: str  # "=" or "~"
    weight: str | None
    text: str
    feedback: str | None


@dataclass
class Question:
    title: str
    text: str
    body: str
    answers: list[Answer] = field(default_factory=list)
    general_feedback: str | None = None


def _unescaped_index(text: str, char: str) -> int:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def read_gift(source: str) -> list[Question]:
    questions = []
    for block in re.split(r"\n\s*\n", source):
        lines = [ln for ln in block.splitlines() if not ln.startswith("//") and not ln.startswith("$CATEGORY")]
        text = "\n".join(lines).strip()
        if not text:
            continue
        m = re.match(r"::(.*?)(?<!\\)::(?:\[html\])?", text, re.DOTALL)
        if m is None:
            raise ValueError(f"no title in {text[:60]!r}")
        rest = text[m.end():]
        open_at = _unescaped_index(rest, "{")
        body = rest[open_at + 1 :].rstrip()
        if not body.endswith("}"):
            raise ValueError(f"unclosed answer block in {text[:60]!r}")
        body = body[:-1]
        q = Question(unescape(m.group(1)), unescape(rest[:open_at].strip()), body)
        general = _split_unescaped(body, "####")
        if len(general) > 1:
            q.general_feedback = unescape(general[1].strip())
        for line in general[0].splitlines():
            line = line.strip()
            if line.startswith("#="):  # the first answer of a numeric question
                line = line[1:]
            if not line or line[0] not in "=~":
                continue
            wm = re.match(r"([=~])(?:%(-?[0-9.]+)%)?", line)
            assert wm is not None
            value, *fb = _split_unescaped(line[wm.end():], "#")
            q.answers.append(Answer(wm.group(1), wm.group(2), unescape(value), unescape(fb[0]) if fb else None))
        questions.append(q)
    return questions
