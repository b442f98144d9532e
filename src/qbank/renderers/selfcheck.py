"""Self-check HTML: one offline page where a student answers each item and checks it at once.

The page is for practice. Its keys, feedback and explanations travel inside it, obscured
(UTF-8 JSON XORed with a per-page salt, then base64) so that reading the source does not
give the answers away at a glance; they are not secret, and the page says so at the top.
Everything is inline (CSS, script, math as MathML), so it works from a file with no server
and no network.

Grading in the page mirrors :mod:`qbank.grader`: choice, true/false, numeric with the
item's tolerance (and its distractors' feedback), short text after normalisation, ordering
and matching with their partial scoring, multipart by weighted parts. An open response is
self-assessed: "Reveal" shows the rubric and a full-credit answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from markupsafe import Markup

from ..questions import Assessment, letter
from . import Audience, Format, Rendered, register
from ._markup import split_math
from ._mathml import failure, html_with_math
from ._templates import page_template

__all__ = ["decode_key", "encode_key", "render_selfcheck"]

View = dict[str, Any]


class _Page:
    """Collects author texts while views are built, to report math that did not convert."""

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = {}
        self.item = ""

    def md(self, text: str, inline: bool = False) -> str:
        if "$" in text:
            self.texts.setdefault(self.item, []).append(text)
        return html_with_math(text, inline=inline)

    def warnings(self) -> list[str]:
        out = []
        for item_id, texts in self.texts.items():
            seen: dict[str, str] = {}
            for text in texts:
                for kind, value in split_math(text):
                    if kind in ("inline", "display") and (reason := failure(value, kind == "display")):
                        seen.setdefault(value, reason)
            out += [f"{item_id}: math not typeset, shown as TeX source: {tex!r} ({reason})" for tex, reason in seen.items()]
        return out


def _misconception(mid: str | None) -> str | None:
    if not mid:
        return None
    from ..questions.misconceptions import describe

    try:
        text = describe(mid)
    except LookupError:
        return f"Misconception {mid}."
    return f"Misconception {mid}: {text}".rstrip(".") + "." if text else f"Misconception {mid}."


def _number(value: float, decimals: int | None) -> str:
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


# -- one builder per answer type: (view for the page, key for the script) -------------------


def _choices(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    multiple = spec.type == "multiple_response"
    view = {
        "widget": "choice", "multiple": multiple, "name": pid,
        "legend": "Select all that apply" if multiple else "Choose one answer",
        "options": [{"id": f"{pid}-{letter(i).lower()}", "value": str(i), "letter": letter(i), "html": Markup(page.md(o.text, inline=True))}
                    for i, o in enumerate(spec.options)],
    }
    key = {
        "type": spec.type, "key": list(spec.key), "scoring": getattr(spec, "scoring", None), "n": len(spec.options),
        "feedback": [page.md(o.feedback) if o.feedback else "" for o in spec.options],
        "misconceptions": [_misconception(o.misconception) if not o.correct else None for o in spec.options],
        "answer": ", ".join(letter(i) for i in spec.key),
    }
    return view, key


def _true_false(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    view = {
        "widget": "choice", "multiple": False, "name": pid, "legend": "True or false?",
        "options": [{"id": f"{pid}-true", "value": "true", "letter": "", "html": "True"},
                    {"id": f"{pid}-false", "value": "false", "letter": "", "html": "False"}],
    }
    key = {
        "type": "true_false", "answer_value": spec.answer,
        "feedback_true": page.md(spec.feedback_true) if spec.feedback_true else "",
        "feedback_false": page.md(spec.feedback_false) if spec.feedback_false else "",
        "misconception": _misconception(spec.misconception), "answer": "True" if spec.answer else "False",
    }
    return view, key


def _numeric(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    view = {"widget": "blank", "id": f"{pid}-answer", "label": "Your answer (a number)", "inputmode": "decimal",
            "unit": spec.unit or "", "help": "e.g. 0.25, .25, 2.5e-1, 25% or 1/4"}
    tol = spec.tolerance
    key = {
        "type": "numeric", "value": spec.answer,
        "tolerance": {"absolute": tol.absolute, "relative": tol.relative, "sigfig": tol.sigfig},
        "distractors": [{"value": d.value, "feedback": page.md(d.feedback) if d.feedback else "",
                         "misconception": _misconception(d.misconception)} for d in spec.distractors],
        "answer": _number(spec.answer, spec.decimals) + (f" {spec.unit}" if spec.unit else "")
        + f" (accepted within {tol.describe()})",
    }
    return view, key


def _short_text(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    view = {"widget": "blank", "id": f"{pid}-answer", "label": "Your answer", "inputmode": "text", "unit": "", "help": ""}
    key = {
        "type": "short_text", "answers": list(spec.answers), "case_sensitive": spec.case_sensitive,
        "distractors": [{"text": d.text, "feedback": page.md(d.feedback) if d.feedback else "",
                         "misconception": _misconception(d.misconception)} for d in spec.distractors],
        "answer": " / ".join(spec.answers),
    }
    return view, key


def _ordering(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    letters = [letter(i) for i in range(len(spec.entries))]
    view = {
        "widget": "ordering", "name": pid,
        "entries": [{"letter": letter(i), "html": Markup(page.md(e, inline=True))} for i, e in enumerate(spec.entries)],
        "positions": [{"id": f"{pid}-pos{k + 1}", "n": k + 1} for k in range(len(spec.entries))],
        "letters": letters,
    }
    key = {"type": "ordering", "order": list(spec.answer), "scoring": spec.scoring,
           "answer": " ".join(letter(i) for i in spec.answer)}
    return view, key


def _matching(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    view = {
        "widget": "matching", "name": pid,
        "prompts": [{"id": f"{pid}-m{i + 1}", "n": i + 1, "html": Markup(page.md(p, inline=True))} for i, p in enumerate(spec.prompts)],
        "choices": [{"letter": letter(j).lower(), "value": str(j), "html": Markup(page.md(c, inline=True))} for j, c in enumerate(spec.choices)],
    }
    key = {"type": "matching", "pairs": list(spec.answer), "scoring": spec.scoring,
           "distractors": [{"choice": d.choice, "feedback": page.md(d.feedback) if d.feedback else "",
                            "misconception": _misconception(d.misconception)} for d in spec.distractors],
           "answer": " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(spec.answer))}
    return view, key


def _open_response(spec: Any, pid: str, page: _Page) -> tuple[View, View]:
    view = {"widget": "essay", "id": f"{pid}-answer", "min_words": spec.min_words}
    total = spec.rubric.total_weight
    key = {
        "type": "open_response",
        "rubric": [{"title": f"{c.id} {c.title}", "share": f"{c.weight / total:.0%}", "description": page.md(c.description, inline=True)}
                   for c in spec.rubric.criteria],
        "caps": [f"At most {cap.max_score:.0%} unless the answer meets {' or '.join(cap.unless)}. {cap.reason}".strip()
                 for cap in spec.rubric.caps],
        "sample": page.md(spec.sample_answer), "answer": "",
    }
    return view, key


BUILDERS = {
    "single_choice": _choices, "multiple_response": _choices, "true_false": _true_false, "numeric": _numeric,
    "short_text": _short_text, "ordering": _ordering, "matching": _matching, "open_response": _open_response,
}


def _question(item: Any, number: int, points: float, page: _Page, salt: bytes) -> View:
    qid = f"q{number}"
    page.item = item.id
    if item.type == "multipart":
        parts, keys = [], []
        for part in item.parts:
            pid = f"{qid}-{part.label}"
            body, key = BUILDERS[part.type](part, pid, page)
            parts.append({"id": pid, "label": part.label, "prompt": Markup(page.md(part.prompt)), "body": body})
            keys.append({**key, "label": part.label, "weight": part.weight, "pid": pid})
    else:
        body, key = BUILDERS[item.type](item, qid, page)
        parts = [{"id": qid, "label": None, "prompt": None, "body": body}]
        keys = [{**key, "label": None, "weight": 1.0, "pid": qid}]
    payload = {"parts": keys, "points": points, "explanation": page.md(item.explanation) if item.explanation else ""}
    return {
        "id": qid, "number": number, "title": item.title, "item_id": item.id,
        "points": f"{points:g} point{'' if points == 1 else 's'}",
        "stem": Markup(page.md(item.stem)), "parts": parts,
        "hint": Markup(page.md(item.hint)) if item.hint else None,
        "self_assessed": all(k["type"] == "open_response" for k in keys),
        "key": encode_key(payload, salt),
    }


# -- obscuring -----------------------------------------------------------------------------------


def encode_key(payload: Any, salt: bytes) -> str:
    """JSON, XORed with ``salt`` and base64-encoded: obscured for a practice page, not secret."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(bytes(b ^ salt[i % len(salt)] for i, b in enumerate(data))).decode("ascii")


def decode_key(blob: str, salt: bytes) -> Any:
    """The inverse of :func:`encode_key` (what the page's script does)."""
    data = base64.b64decode(blob)
    return json.loads(bytes(b ^ salt[i % len(salt)] for i, b in enumerate(data)).decode("utf-8"))


def _salt(assessment: Assessment) -> bytes:
    # Derived from the content, so the same quiz renders to the same page every time.
    return hashlib.sha256(b"qbank-selfcheck\x00" + assessment.model_dump_json().encode()).digest()[:16]


@lru_cache(maxsize=2)
def _asset(name: str) -> Markup:
    # Read as plain text, not through jinja: the script's braces are not template syntax.
    text = files("qbank").joinpath("renderers", "templates", name).read_text(encoding="utf-8")
    return Markup(text)


def render_selfcheck(assessment: Assessment, audience: Audience = "student", *, lang: str = "en") -> Rendered:
    """The assessment as one self-check page (the same page for every audience: it carries the keys)."""
    page = _Page()
    salt = _salt(assessment)
    sections: list[View] = []
    n = 0
    for s, section in enumerate(assessment.sections, 1):
        questions = []
        for group in section.groups:
            for item in group.items[: group.pick]:
                n += 1
                questions.append(_question(item, n, group.points_for(item), page, salt))
        sections.append({"id": f"s{s}", "title": section.title, "questions": questions})
    html = page_template("selfcheck.page.html").render(
        title=assessment.title, lang=lang, sections=sections, count=n, salt=salt.hex(),
        instructions=Markup(page.md(assessment.instructions)) if assessment.instructions else None,
        style=_asset("selfcheck.style.css"), script=_asset("selfcheck.script.js"),
    )
    return Rendered(html, tuple(page.warnings()))


register(Format(
    "selfcheck", ".html", "HTML self-check page for practice: answers checked in the browser (keys obscured, not secret)",
    lambda a, audience="student": render_selfcheck(a, audience), audiences=("student",),
))
