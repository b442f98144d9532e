"""Moodle cloze (embedded answers) to a qbank multipart item.

A cloze text holds gaps ``{weight:TYPE:answers}``: ``MULTICHOICE`` (and its ``_V``/``_H``/``_S``
layouts, ``MC``...), ``MULTIRESPONSE``, ``SHORTANSWER`` (``_C`` case sensitive), ``NUMERICAL``;
answers are separated by ``~``, each ``=`` or ``%n%`` then the text, then ``#feedback``;
``\\`` escapes ``} # ~ / " {`` and itself. Each gap becomes a part; the layout qbank writes
(a ``**(label)** prompt`` paragraph, then that part's gaps) is read back as the parts it came
from, including matching (one drop-down per prompt) and ordering (one per position).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from ._build import Answer, Unsupported, choice_content, numeric_content, short_text_content
from ._html import ImageResolver, html_to_markdown, source_to_markdown

__all__ = ["cloze_content"]

_GAP = re.compile(r"\{(\d*):([A-Za-z_]+):((?:\\.|[^\\}])*)\}", re.DOTALL)
_PLACE = "QBGAP{}QB"
_PLACE_RE = re.compile(r"QBGAP(\d+)QB")
_MARKER = re.compile(r"^\*\*\(([A-Za-z](?:\\[_.-]|[A-Za-z0-9_.-])*)\)\*\* (.+)$", re.DOTALL)
_GAP_LINE = re.compile(r"^(.*?)\s*QBGAP(\d+)QB$")


def _split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped by a backslash."""
    if "\\" not in text:
        return text.split(sep)
    parts, start = [], 0
    for m in re.finditer(r"\\.|" + re.escape(sep), text, re.DOTALL):
        if m.group() == sep:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


@lru_cache(maxsize=65536)
def _unescape(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL))


class _Gap:
    def __init__(self, weight: str, kind: str, body: str):
        self.weight = int(weight) if weight else 1
        self.kind = kind.upper()
        self.answers: list[Answer] = []
        for raw in _split(body, "~"):
            raw = raw.strip()
            if not raw:
                continue
            fraction = 0.0
            if raw.startswith("="):
                fraction, raw = 100.0, raw[1:]
            else:
                m = re.match(r"%(-?[0-9.]+)%", raw)
                if m:
                    fraction, raw = float(m.group(1)), raw[m.end():]
            text, *fb = _split(raw, "#")
            self.answers.append(Answer(_unescape(text).strip(), fraction, source_to_markdown(_unescape(fb[0])) if fb else ""))

    @property
    def base(self) -> str:
        k = self.kind
        for name, aliases in (("MULTICHOICE", ("MC", "MCV", "MCH", "MCS", "MCVS", "MCHS")),
                              ("MULTIRESPONSE", ("MR", "MRH", "MRS", "MRHS")),
                              ("SHORTANSWER", ("SA", "MW")), ("SHORTANSWER_C", ("SAC", "MWC")),
                              ("NUMERICAL", ("NM",))):
            if k == name or k in aliases or (k.startswith(name + "_") and name != "SHORTANSWER"):
                return name
        if k == "SHORTANSWER_C":
            return k
        return k


def _spec(gap: _Gap, notes: list[str]) -> dict[str, Any]:
    base = gap.base
    answers = [Answer(source_to_markdown(a.text), a.fraction, a.feedback) for a in gap.answers]
    if base == "MULTICHOICE":
        texts = [a.text for a in answers]
        if texts == ["True", "False"] and sorted(a.fraction for a in answers) == [0.0, 100.0]:
            out: dict[str, Any] = {"type": "true_false", "answer": answers[0].fraction > 0}
            if answers[0].feedback:
                out["feedback_true"] = answers[0].feedback
            if answers[1].feedback:
                out["feedback_false"] = answers[1].feedback
            return out
        return choice_content("-", answers, single=True, notes=notes)
    if base == "MULTIRESPONSE":
        return choice_content("-", answers, single=False, notes=notes)
    if base in ("SHORTANSWER", "SHORTANSWER_C"):
        plain = [Answer(a.text, a.fraction, a.feedback) for a in gap.answers]
        return short_text_content("-", plain, case_sensitive=base == "SHORTANSWER_C", notes=notes, wildcards=True)
    if base == "NUMERICAL":
        nums = []
        for a in gap.answers:
            value, _, tol = a.text.partition(":")
            try:
                float(value) if value.strip() != "*" else None
                tolerance = abs(float(tol)) if tol.strip() else 0.0
            except ValueError:
                raise Unsupported(f"the cloze number {a.text!r} is not a number") from None
            nums.append(Answer(value.strip(), a.fraction, a.feedback, tolerance))
        return numeric_content("-", nums, notes=notes)
    raise Unsupported(f"the cloze subquestion type {gap.kind} has no qbank part type")


def _group_spec(lines: list[tuple[str, _Gap]], notes: list[str]) -> dict[str, Any]:
    """One part from several drop-downs: matching (one per prompt) or ordering (one per position)."""
    if any(g.base != "MULTICHOICE" for _, g in lines):
        raise Unsupported("a part with several gaps that are not all drop-downs has no qbank part type")
    options = [source_to_markdown(a.text) for a in lines[0][1].answers]
    answer = []
    for _, g in lines:
        if [source_to_markdown(a.text) for a in g.answers] != options:
            raise Unsupported("the drop-downs of one part offer different choices")
        correct = [i for i, a in enumerate(g.answers) if a.fraction >= 100 - 0.001]
        if len(correct) != 1:
            raise Unsupported("a drop-down needs exactly one right choice")
        answer.append(correct[0])
    labels = [label for label, _ in lines]
    if labels == [f"{n}." for n in range(1, len(lines) + 1)] and len(options) == len(lines) and sorted(answer) == list(range(len(options))):
        return {"type": "ordering", "entries": options, "answer": answer, "scoring": "partial"}
    if len(set(answer)) != len(answer):
        raise Unsupported("two drop-downs share a right choice; qbank's matching pairs each choice once")
    return {"type": "matching", "prompts": [source_to_markdown(label) for label in labels], "choices": options,
            "answer": answer, "scoring": "partial"}


def _finish(spec: dict[str, Any], label: str, prompt: str, weight: int) -> dict[str, Any]:
    spec.pop("stem", None)
    return {"label": label, "prompt": prompt, "weight": weight, **spec}


def cloze_content(text: str, resolve: ImageResolver | None, notes: list[str]) -> dict[str, Any]:
    """The multipart content of a cloze question's HTML text.

    Raises:
        Unsupported: a gap type or layout qbank has no part for.
    """
    gaps: list[_Gap] = []

    def cut(m: re.Match[str]) -> str:
        gaps.append(_Gap(m.group(1), m.group(2), m.group(3)))
        return _PLACE.format(len(gaps) - 1)

    marked = _GAP.sub(cut, text)
    if not gaps:
        raise Unsupported("the cloze text has no gaps")
    md = html_to_markdown(marked, resolve)
    paragraphs = md.split("\n\n")
    parts = _qbank_layout(paragraphs, gaps, notes)
    if parts is not None:
        first = next(i for i, p in enumerate(paragraphs) if _MARKER.match(p))
        stem = "\n\n".join(paragraphs[:first]).strip()
        return {"type": "multipart", "stem": stem or "Answer the parts below.", "parts": parts}
    parts = [_finish(_spec(g, notes), f"g{i + 1}", f"Blank [g{i + 1}]", g.weight) for i, g in enumerate(gaps)]
    stem = _PLACE_RE.sub(lambda m: f"[g{int(m.group(1)) + 1}]", md)
    return {"type": "multipart", "stem": stem, "parts": parts}


def _qbank_layout(paragraphs: list[str], gaps: list[_Gap], notes: list[str]) -> list[dict[str, Any]] | None:
    parts: list[dict[str, Any]] = []
    used: list[int] = []
    i = 0
    while i < len(paragraphs) and not _MARKER.match(paragraphs[i]):
        if _PLACE_RE.search(paragraphs[i]):
            return None
        i += 1
    if i == len(paragraphs):
        return None
    while i < len(paragraphs):
        m = _MARKER.match(paragraphs[i])
        if m is None or i + 1 >= len(paragraphs) or _PLACE_RE.search(paragraphs[i]):
            return None
        lines = []
        for line in paragraphs[i + 1].split("\n"):
            g = _GAP_LINE.match(line.strip())
            if g is None:
                return None
            # the label went through the Markdown writer as cloze-escaped text: undo both
            label_text = _unescape(re.sub(r"\\([\\`*_\[\]#>+.-])", r"\1", g.group(1).strip()))
            lines.append((label_text, gaps[int(g.group(2))]))
            used.append(int(g.group(2)))
        label, prompt = re.sub(r"\\(.)", r"\1", m.group(1)), m.group(2).strip()
        weight = sum(g.weight for _, g in lines)
        if len(lines) == 1 and not lines[0][0]:
            parts.append(_finish(_spec(lines[0][1], notes), label, prompt, weight))
        else:
            parts.append(_finish(_group_spec(lines, notes), label, prompt, weight))
        i += 2
    return parts if sorted(used) == list(range(len(gaps))) else None
