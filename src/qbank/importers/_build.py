"""From LMS answer lists (text, percentage, feedback) to qbank content, shared by all formats.

Moodle XML and GIFT score answers by percentages from Moodle's grade list; the other formats
say only which answers are right. These builders map both onto qbank's item types and say,
per question, what a percentage meant that qbank scores differently (``notes``), or raise
:class:`Unsupported` when qbank cannot represent the question at all (the question is then
listed as skipped, never written changed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..questions.items import letter

__all__ = ["Answer", "IMPORTED_MISCONCEPTION", "Unsupported", "choice_content", "essay_content",
           "numeric_content", "short_text_content", "distinct_or_raise"]

# Wrong answers with feedback become distractors, which must name a misconception; an LMS
# does not say which one, so they name this one (search for it to tag them properly).
IMPORTED_MISCONCEPTION = "M-IMPORTED"

GRADES = (100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333, 30.0, 25.0,
          20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0, 0.0)


class Unsupported(Exception):
    """qbank cannot represent this question; the message says why."""


@dataclass
class Answer:
    text: str  # Markdown
    fraction: float  # percent, -100..100
    feedback: str = ""
    tolerance: float | None = None  # numeric answers


def is_moodle_grade(pct: float) -> bool:
    """Whether a percentage is on Moodle's grade list (within its matching distance), sign aside."""
    return pct in _EXACT or any(abs(abs(pct) - g) < 0.001 for g in GRADES)


_EXACT = frozenset(GRADES) | frozenset(-g for g in GRADES)


def _pct(x: float) -> str:
    return f"{x:.5g}%"


def distinct_or_raise(texts: list[str], what: str) -> None:
    seen: set[str] = set()
    for t in texts:
        key = " ".join(t.split())
        if key in seen:
            raise Unsupported(f"two {what} read {t!r}; qbank needs them distinct")
        seen.add(key)


def choice_content(stem: str, answers: list[Answer], *, single: bool | None, notes: list[str],
                   shuffle: bool = False, correct_fb: str = "", incorrect_fb: str = "",
                   scoring: str | None = None) -> dict[str, Any]:
    """single_choice or multiple_response from answers with percentages.

    ``single=None`` decides from the percentages (one answer at 100%: single choice).
    ``scoring`` forces the multiple-response scoring (formats that do not carry one).
    """
    answers = [a for a in answers if a.text.strip()]
    if len(answers) < 2:
        raise Unsupported(f"a choice question needs at least 2 non-empty answers, got {len(answers)}")
    distinct_or_raise([a.text for a in answers], "answers")
    positive = [a for a in answers if a.fraction > 0]
    if single is None:
        single = len(positive) == 1 and abs(positive[0].fraction - 100) < 0.001
    if not positive:
        raise Unsupported("no answer earns credit")

    def option(a: Answer, correct: bool) -> dict[str, Any]:
        fb = a.feedback or (correct_fb if correct else incorrect_fb)
        out: dict[str, Any] = {"text": a.text, "correct": correct}
        if fb:
            out["feedback"] = fb
        return out

    if single:
        best = max(answers, key=lambda a: a.fraction)
        if abs(best.fraction - 100) > 0.001:
            raise Unsupported(f"the best answer earns {_pct(best.fraction)}, not 100%")
        for i, a in enumerate(answers):
            if a is not best and a.fraction != 0:
                notes.append(f"option {letter(i)} earned {_pct(a.fraction)}; qbank's single choice gives "
                             "0 for every option but the key")
        content: dict[str, Any] = {"type": "single_choice", "stem": stem,
                                   "options": [option(a, a is best) for a in answers]}
        if shuffle:
            content["shuffle"] = True
        return content

    k = len(positive)
    wrong = [a.fraction for a in answers if a.fraction <= 0]
    total = sum(a.fraction for a in positive)
    if scoring is None:
        equal_share = all(abs(a.fraction - 100 / k) < 0.01 for a in positive)
        if wrong and all(abs(w + 100) < 0.001 for w in wrong) and k > 1:
            scoring = "all_or_nothing"
            notes.append("each wrong option cost 100%: read as all-or-nothing (qbank gives no credit for a "
                         "partly right choice either)")
        else:
            scoring = "right_minus_wrong"
            smallest = min(a.fraction for a in positive)
            if not (all(abs(w + smallest) < 0.01 for w in wrong) and abs(total - 100) < 0.01):
                notes.append("scored right-minus-wrong (+1/k per correct choice, -1/k per wrong one); the source "
                             f"weighted the options {', '.join(_pct(a.fraction) for a in answers)}")
            elif not equal_share:
                notes.append("the correct options shared 100% unequally "
                             f"({', '.join(_pct(a.fraction) for a in positive)}); qbank weighs them equally")
    content = {"type": "multiple_response", "stem": stem, "scoring": scoring,
               "options": [option(a, a.fraction > 0) for a in answers]}
    if shuffle:
        content["shuffle"] = True
    return content


def _distractor(text_key: str, value: Any, feedback: str) -> dict[str, Any]:
    out = {text_key: value, "misconception": IMPORTED_MISCONCEPTION}
    if feedback:
        out["feedback"] = feedback
    return out


def numeric_content(stem: str, answers: list[Answer], *, notes: list[str], unit: str | None = None) -> dict[str, Any]:
    """numeric from answers ``(value, tolerance, percent, feedback)``; ``*`` is "any other answer"."""
    full = [a for a in answers if abs(a.fraction - 100) < 0.001 and a.text != "*"]
    if not full:
        raise Unsupported("no numeric answer earns 100%")
    key = full[0]
    for extra in full[1:]:
        if (float(extra.text), extra.tolerance or 0.0) != (float(key.text), key.tolerance or 0.0):
            raise Unsupported(f"two different answers earn 100% ({key.text} and {extra.text}); a qbank numeric "
                              "question has one key")
    distractors = []
    for a in answers:
        if a in full:
            continue
        if a.text == "*":
            if a.feedback:
                notes.append("the feedback for any other answer was dropped (qbank has no catch-all feedback)")
            continue
        if a.fraction > 0:
            notes.append(f"the answer {a.text} earned {_pct(a.fraction)}; qbank gives full or no credit, so it "
                         "now earns 0")
        value = float(a.text)
        if value != float(key.text) and math.isfinite(value):
            distractors.append(_distractor("value", value, a.feedback))
    tol = key.tolerance or 0.0
    content: dict[str, Any] = {"type": "numeric", "stem": stem, "answer": float(key.text),
                               "tolerance": {"absolute": tol}}
    if key.feedback:
        notes.append("the feedback on the right answer was dropped (qbank's numeric key has no feedback field)")
    if unit:
        content["unit"] = unit
    if distractors:
        content["distractors"] = distractors
    return content


def short_text_content(stem: str, answers: list[Answer], *, case_sensitive: bool, notes: list[str],
                       wildcards: bool = False) -> dict[str, Any]:
    """short_text from accepted strings; with ``wildcards`` (Moodle) ``*`` matches anything, ``\\*`` is a star."""
    accepted: list[str] = []
    distractors = []
    for a in answers:
        text = a.text
        if wildcards:
            if "*" in text.replace("\\*", ""):
                if a.fraction >= 100 - 0.001:
                    raise Unsupported(f"the accepted answer {text!r} uses the * wildcard; qbank compares whole answers")
                notes.append(f"the answer {text!r} ({_pct(a.fraction)}) uses the * wildcard and was dropped")
                continue
            text = text.replace("\\*", "*")
        if not text.strip():
            continue
        if abs(a.fraction - 100) < 0.001:
            accepted.append(text)
            if a.feedback:
                notes.append(f"the feedback on the accepted answer {text!r} was dropped")
        else:
            if a.fraction > 0:
                notes.append(f"the answer {text!r} earned {_pct(a.fraction)}; qbank gives full or no credit, "
                             "so it now earns 0")
            distractors.append(_distractor("text", text, a.feedback))
    if not accepted:
        raise Unsupported("no answer earns 100%")
    content: dict[str, Any] = {"type": "short_text", "stem": stem, "answers": list(dict.fromkeys(accepted))}
    if case_sensitive:
        content["case_sensitive"] = True
    if distractors:
        content["distractors"] = distractors
    return content


PLACEHOLDER_CUE = "(?!)"  # a regular expression no answer matches


def essay_content(stem: str, grader_info: str = "", sample: str = "") -> dict[str, Any]:
    """open_response with a placeholder rubric: the source carries none (see ESSAY_RUBRIC_NOTE)."""
    return {
        "type": "open_response",
        "stem": stem,
        "sample_answer": sample or grader_info or "(the source gives no sample answer)",
        "rubric": {"criteria": [{
            "id": "graded-by-hand", "title": "Graded by hand: imported without a rubric", "weight": 1,
            "description": grader_info, "cues": [PLACEHOLDER_CUE]}]},
    }
