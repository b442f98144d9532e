"""What a format carries of an item, as plain data: the round-trip tests compare these views.

``view(item, fmt)`` is the item as an instructor would check it after an import: the key, the
options and their feedback, the scoring rule, tolerances, pairs, order, points. Texts are
compared as the student sees them (rendered and stripped of markup, whitespace collapsed;
Aiken's one-line form for Aiken). Where a format cannot carry something, qbank's exporter
already degrades it and warns; the view of the original applies the same degradation, so the
test compares exactly what the format holds.
"""

from __future__ import annotations

import html
import re
from typing import Any

from qbank.renderers._markup import to_html
from qbank.renderers._lms_text import absolute_tolerance as _lms_tolerance
from qbank.renderers._xml import absolute_tolerance
from qbank.renderers.aiken import aiken_line

_TAG = re.compile(r"<[^>]+>")


def norm(md: str, fmt: str = "") -> str:
    if fmt == "aiken":
        return aiken_line(md)
    return " ".join(html.unescape(_TAG.sub(" ", to_html(md))).split())


def _round(x: float) -> float:
    return float(f"{x:.9g}")


def _mr_scoring(item: Any, fmt: str) -> str | None:
    k = len(item.key)
    s = item.scoring
    if fmt in ("moodle", "gift", "cloze"):
        if s == "partial" or (s == "all_or_nothing" and (k == 1 or fmt == "gift")):
            return "right_minus_wrong"
        return s
    if fmt in ("canvas", "blackboard"):
        return None  # the format says which options are right, not how to score them
    return s


def _spec(item: Any, fmt: str, imported: bool) -> dict[str, Any]:
    t = item.type
    n = lambda s: norm(s, fmt)  # noqa: E731
    if fmt == "aiken" and t == "true_false" and not imported:
        return {"type": "single_choice", "options": [("True", item.answer, ""), ("False", not item.answer, "")]}
    out: dict[str, Any] = {"type": t}
    feedback = fmt not in ("aiken", "blackboard")
    if t in ("single_choice", "multiple_response"):
        out["options"] = [(n(o.text), o.correct, n(o.feedback) if feedback else "") for o in item.options]
        if t == "multiple_response":
            out["scoring"] = item.scoring if imported and fmt not in ("canvas", "blackboard") else (
                _mr_scoring(item, fmt) if not imported else None)
    elif t == "true_false":
        out["answer"] = item.answer
        if feedback:
            out["feedback"] = (n(item.feedback_true), n(item.feedback_false))
    elif t == "numeric":
        if imported:
            value, tol = item.answer, item.tolerance.absolute
        elif fmt in ("gift", "blackboard"):  # these keep the key and widen the tolerance
            value, tol = item.answer, _lms_tolerance(item)[0]
        else:
            value, tol = absolute_tolerance(item)
        out["key"] = (_round(value), float(f"{tol or 0.0:.6g}"))  # margins pass through 12-digit decimals
        if fmt in ("qti21", "qti3"):  # QTI carries every tolerance mode
            tol_dict = item.tolerance.model_dump(exclude_none=True)
            if not imported and len(tol_dict) == 2:  # the larger of the two, fixed at the key
                tol_dict = {"absolute": max(tol_dict["absolute"], tol_dict["relative"] * abs(item.answer))}
            out["key"] = (_round(item.answer), {k: _round(v) for k, v in tol_dict.items()})
        if fmt != "blackboard":
            out["unit"] = item.unit if fmt not in ("gift", "cloze") or imported else None
        if feedback and fmt != "canvas":  # Canvas's numerical question has no wrong answers
            ds = [(_round(d.value), n(d.feedback)) for d in item.distractors if fmt != "gift" or d.value != item.answer]
            if fmt in ("qti21", "qti3"):  # QTI carries a distractor only as a feedback rule
                ds = [d for d in ds if d[1]]
            out["distractors"] = sorted(ds)
    elif t == "short_text":
        out["answers"] = list(dict.fromkeys(item.answers))
        if fmt in ("moodle", "cloze", "qti21", "qti3"):
            out["case_sensitive"] = item.case_sensitive
        if feedback and fmt != "canvas":
            ds = [(d.text, n(d.feedback)) for d in item.distractors]
            if fmt in ("qti21", "qti3"):
                ds = [d for d in ds if d[1]]
            out["distractors"] = sorted(ds)
    elif t == "matching":
        pairs = sorted((n(p), n(item.choices[j])) for p, j in zip(item.prompts, item.answer))
        out["pairs"] = pairs
        if fmt not in ("gift", "blackboard"):
            out["unused"] = sorted(n(c) for j, c in enumerate(item.choices) if j not in item.answer)
        out["scoring"] = item.scoring if fmt not in ("moodle", "gift", "blackboard", "canvas", "cloze") else None
    elif t == "ordering":
        out["order"] = [n(item.entries[i]) for i in item.answer]
        out["scoring"] = item.scoring if fmt in ("moodle",) else None
    elif t == "open_response":
        pass
    elif t == "multipart":
        total = sum(p.weight for p in item.parts)
        out["parts"] = [(p.label, n(p.prompt), round(p.weight / total, 2), _spec(p, "cloze" if fmt == "moodle" else fmt, imported))
                        for p in item.parts]
    return out


def view(item: Any, fmt: str, *, imported: bool = False) -> dict[str, Any]:
    """The parts of ``item`` that format ``fmt`` carries (``imported``: read back from it)."""
    out = _spec(item, fmt, imported)
    out["stem"] = norm(item.stem, fmt)
    if fmt not in ("aiken", "blackboard"):
        out["title"] = item.title
        if item.type != "open_response" and fmt != "canvas":
            out["explanation"] = norm(item.explanation)
    if fmt not in ("aiken", "blackboard", "gift"):
        out["points"] = item.points
    return out
