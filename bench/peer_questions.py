"""One list of static questions, written in qbank's bank format and in each peer tool's input.

The issue's mix: 60 % single choice with 4 options, 20 % numeric with an absolute tolerance,
20 % multiple answer (2 of 5 options correct). Every question reads differently (the peers
reject duplicates) and the text is plain (no Markdown, no maths), so that each tool parses
the same words. Deterministic: ``questions(n)`` is the same list in every run.

Used by bench_loading.py and bench_peers.py.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Question", "gift_wrapper_yaml", "moodle_tools_yaml", "qbank_yaml", "questions", "text2qti_text", "write_qbank_bank"]

_NOUNS = ("learning rate", "batch size", "vocabulary", "context window", "reward model", "reference policy",
          "temperature", "top-p threshold", "loss curve", "gradient norm", "warm-up schedule", "tokenizer")
_VERBS = ("doubles", "halves", "is clipped", "is annealed", "is frozen", "is reset", "grows", "shrinks")


@dataclass(frozen=True)
class Question:
    kind: str  # "single", "numeric" or "multiple"
    stem: str
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    answer: float = 0.0
    tolerance: float = 0.0
    feedback: dict[int, str] = field(default_factory=dict)


def questions(n: int, seed: int = 12) -> list[Question]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        noun, verb = rng.choice(_NOUNS), rng.choice(_VERBS)
        r = i % 10
        if r < 6:
            right = rng.randrange(4)
            opts = tuple(f"Option {k + 1} for case {i}: the {noun} {rng.choice(_VERBS)} by {rng.randint(2, 99)} percent" for k in range(4))
            out.append(Question("single", f"Question {i}: after the {noun} {verb} in run {rng.randint(1, 10**6)}, which statement holds?",
                                opts, (right,), feedback={k: f"Not quite: see case {i}." for k in range(4) if k != right}))
        elif r < 8:
            a, b = rng.randint(1, 500), rng.randint(1, 500)
            out.append(Question("numeric", f"Question {i}: the {noun} {verb} from {a} by {b} units per step. What is {a} + {b} / 8?",
                                answer=round(a + b / 8, 3), tolerance=0.01))
        else:
            right = tuple(sorted(rng.sample(range(5), 2)))
            opts = tuple(f"Claim {k + 1} for case {i}: the {noun} {rng.choice(_VERBS)} at step {rng.randint(1, 9999)}" for k in range(5))
            out.append(Question("multiple", f"Question {i}: when the {noun} {verb}, which two claims hold?", opts, right))
    return out


def _json_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML flow scalars


def qbank_yaml(qs: list[Question]) -> str:
    """A qbank bank file: one static template per question."""
    lines = ["templates:"]
    for i, q in enumerate(qs):
        lines += [f"  - id: q{i:05d}", f"    title: {_json_line(f'Bench question {i}')}",
                  "    tags: {topics: [bench], bloom: remember}", "    content:"]
        if q.kind == "numeric":
            lines += ["      type: numeric", f"      stem: {_json_line(q.stem)}", f"      answer: {q.answer}",
                      f"      tolerance: {{absolute: {q.tolerance}}}"]
            continue
        lines += [f"      type: {'single_choice' if q.kind == 'single' else 'multiple_response'}",
                  f"      stem: {_json_line(q.stem)}", "      options:"]
        for k, text in enumerate(q.options):
            extra = ", correct: true" if k in q.correct else ""
            if k in q.feedback:
                extra += f", feedback: {_json_line(q.feedback[k])}"
            lines.append(f"        - {{text: {_json_line(text)}{extra}}}")
    return "\n".join(lines) + "\n"


def write_qbank_bank(folder: Path, qs: list[Question]) -> tuple[Path, Path]:
    """Write ``bank/questions.yaml`` and a quiz spec that takes every question; return both."""
    bank = folder / "bank"
    bank.mkdir(parents=True, exist_ok=True)
    (bank / "questions.yaml").write_text(qbank_yaml(qs), encoding="utf-8")
    spec = folder / "quiz.yaml"
    spec.write_text(
        "title: Bench quiz\nid: bench-quiz\nseed: 1\nvariants: 1\n"
        "sections:\n  - title: All\n    select: {topics: [bench]}\n",
        encoding="utf-8",
    )
    return bank, spec


def text2qti_text(qs: list[Question]) -> str:
    """text2qti's Markdown-like quiz: ``1.  stem``, ``*a) right``, ``[*] right``, ``=   x +- tol``, ``... feedback``."""
    lines = ["Quiz title: Bench quiz", ""]
    for n, q in enumerate(qs, 1):
        lines.append(f"{n}.  {q.stem}")
        if q.kind == "numeric":
            lines.append(f"=   {q.answer} +- {q.tolerance}")
        for k, text in enumerate(q.options):
            if q.kind == "single":
                lines.append(f"{'*' if k in q.correct else ''}{chr(97 + k)}) {text}")
            else:
                lines.append(f"[{'*' if k in q.correct else ' '}] {text}")
            if k in q.feedback:
                lines.append(f"... {q.feedback[k]}")
        lines.append("")
    return "\n".join(lines)


def moodle_tools_yaml(qs: list[Question]) -> str:
    """moodle-tools' input: one YAML document per question. It has no multiple-response type,
    so those questions become ``multiple_true_false`` (each option marked True or False)."""
    docs = []
    for n, q in enumerate(qs):
        doc: dict[str, object] = {"title": f"Bench question {n}", "question": q.stem, "general_feedback": "See the notes."}
        if q.kind == "numeric":
            doc.update(type="numerical", answers=[{"answer": str(q.answer), "tolerance": q.tolerance, "points": 100}])
        elif q.kind == "single":
            doc.update(type="multiple_choice", answers=[
                {"answer": text, "points": 100 if k in q.correct else 0, **({"feedback": q.feedback[k]} if k in q.feedback else {})}
                for k, text in enumerate(q.options)])
        else:
            doc.update(type="multiple_true_false", answers=[
                {"answer": text, "choice": "True" if k in q.correct else "False", "feedback": "See the notes."}
                for k, text in enumerate(q.options)])
        docs.append(json.dumps(doc, ensure_ascii=False))  # JSON is YAML
    return "\n---\n".join(docs) + "\n"


def gift_wrapper_yaml(qs: list[Question]) -> str:
    """gift-wrapper's input: one category of MultipleChoice (``perfect``/``wrong``, or ``partial``
    weights for multiple answers) and Numerical (``solution: {value, error}``) questions."""
    out = []
    for n, q in enumerate(qs):
        doc: dict[str, object] = {"name": f"Bench question {n}", "statement": q.stem}
        if q.kind == "numeric":
            doc.update({"class": "Numerical", "solution": {"value": q.answer, "error": q.tolerance}})
        elif q.kind == "single":
            doc.update({"class": "MultipleChoice", "answers": {
                "perfect": q.options[q.correct[0]], "wrong": [t for k, t in enumerate(q.options) if k not in q.correct]}})
        else:
            weight = 100 / len(q.correct)
            doc.update({"class": "MultipleChoice", "answers": {
                "partial": [[t, weight if k in q.correct else -weight] for k, t in enumerate(q.options)]}})
        out.append(doc)
    return json.dumps({"pictures base directory": "pics", "categories": [{"name": "Bench", "questions": out}]}, ensure_ascii=False) + "\n"
