"""Canvas Classic Quizzes QTI 1.2: a zip (manifest, assessment XML) or the assessment XML alone.

Types come from Canvas's ``question_type`` metadata (guessed from the interaction when it is
missing): multiple choice, true/false, multiple answers, short answer, numerical (exact ±
margin, range, precision), essay, matching, multiple dropdowns and fill in multiple blanks
(multipart). qbank's own ordering export (a matching of "Position n" to entries) reads back
as ordering. Calculated, file upload and text-only items are skipped with the reason. Rules
Canvas's importer enforces (an ``ident`` on every item, scoring ids that exist, matching
pairs added with ``action="Add"``, text-only ``mattext``) are errors with the line.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import BankError, Problem
from ._build import Unsupported, essay_content
from ._html import html_to_markdown, plain_to_markdown
from ._package import Package
from ._result import ESSAY_RUBRIC_NOTE, Imported, ImportResult, Place, Skipped, image_resolver, name_and_id
from ._xml import local, parse_xml

__all__ = ["read_qti12"]

UNSUPPORTED = {
    "calculated_question": "calculated questions draw variable values per attempt; qbank's static items cannot",
    "file_upload_question": "a file upload has no qbank item type",
    "text_only_question": "a text-only item holds no question",
}
KNOWN = ("multiple_choice_question", "true_false_question", "multiple_answers_question", "short_answer_question",
         "numerical_question", "essay_question", "matching_question", "multiple_dropdowns_question",
         "fill_in_multiple_blanks_question")


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if local(c.tag) == name]


def _find(el: Any, *path: str) -> Any:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if local(c.tag) == name), None)
    return el


def _all(el: Any, name: str) -> list[Any]:
    return [c for c in el.iter() if local(c.tag) == name]


class _Item:
    def __init__(self, el: Any, file: str, result: ImportResult, problems: list[Problem], lookup: Any):
        self.el = el
        self.file = file
        self.problems = problems
        self.notes: list[str] = []
        self.ident = el.get("ident")
        self.title = el.get("title") or self.ident or ""
        self.place = Place(file, el.sourceline, self.title)
        self.resolve = image_resolver(result.media, lookup, self.notes)
        self.meta = {}
        for f in _all(el, "qtimetadatafield"):
            label, entry = _find(f, "fieldlabel"), _find(f, "fieldentry")
            if label is not None:
                self.meta[(label.text or "").strip()] = (entry.text or "").strip() if entry is not None else ""
        self.feedback = {}
        for fb in _children(el, "itemfeedback"):
            texts = [m for m in _all(fb, "mattext")]
            self.feedback[fb.get("ident", "")] = "\n\n".join(t for t in (self.mattext(m) for m in texts) if t)

    def error(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, message, path=f"item {self.title!r}" if self.title else "",
                                     line=line or self.el.sourceline))

    def mattext(self, m: Any) -> str:
        if len(m):
            self.error(f"<mattext> holds the element <{local(m[0].tag)}>: HTML in mattext must be escaped or in CDATA",
                       m.sourceline)
            return ""
        text = m.text or ""
        if m.get("texttype", "text/plain") == "text/html":
            return html_to_markdown(text, self.resolve)
        return plain_to_markdown(text)

    def material(self, el: Any) -> str:
        m = _find(el, "material", "mattext")
        return self.mattext(m) if m is not None else ""

    def conditions(self) -> list[Any]:
        return _all(self.el, "respcondition")

    def score(self, rc: Any) -> tuple[str, float] | None:
        sv = next((c for c in rc if local(c.tag) == "setvar" and c.get("varname", "SCORE") == "SCORE"), None)
        if sv is None:
            return None
        try:
            return sv.get("action", "Set"), float((sv.text or "0").strip())
        except ValueError:
            self.error(f"the score {sv.text!r} is not a number", sv.sourceline)
            return None

    def linked_feedback(self, rc: Any) -> list[str]:
        return [d.get("linkrefid", "") for d in rc if local(d.tag) == "displayfeedback"]


def _labels(it: _Item, lid: Any) -> list[tuple[str, str]]:
    return [(lab.get("ident", ""), it.material(lab)) for lab in _all(lid, "response_label")]


def _choice(it: _Item, qtype: str, stem: str) -> dict[str, Any]:
    lid = _all(it.el, "response_lid")[0]
    labels = _labels(it, lid)
    ids = [i for i, _ in labels]
    correct: set[str] = set()
    per_answer: dict[str, str] = {}
    for rc in it.conditions():
        cv = _find(rc, "conditionvar")
        if cv is None:
            continue
        score = it.score(rc)
        direct = [v.text.strip() for v in cv if local(v.tag) == "varequal" and v.text]
        for fb in it.linked_feedback(rc):
            if fb.endswith("_fb") and fb[:-3] in ids and len(direct) == 1:
                per_answer[direct[0]] = it.feedback.get(fb, "")
        if score and score[1] > 0:
            if len(cv) and local(cv[0].tag) == "and":  # multiple answers: <and> of right, <not> of wrong
                positive = [v.text.strip() for v in cv[0] if local(v.tag) == "varequal" and v.text]
            else:
                positive = direct
            for ident in positive:
                if ident not in ids:
                    it.error(f"the scoring condition names the answer {ident!r}, which is not one of the choices "
                             f"({', '.join(ids)})", rc.sourceline)
            correct.update(positive)
    if not correct:
        raise Unsupported("no answer is marked correct")
    right, wrong = it.feedback.get("correct_fb", ""), it.feedback.get("general_incorrect_fb", "")
    if qtype == "true_false_question" and [t.lower() for _, t in labels] == ["true", "false"]:
        out: dict[str, Any] = {"type": "true_false", "stem": stem, "answer": ids[0] in correct}
        for (ident, _), key in zip(labels, ("feedback_true", "feedback_false")):
            fb = per_answer.get(ident) or (right if ident in correct else wrong)
            if fb:
                out[key] = fb
        return out
    options = []
    for ident, text in labels:
        opt: dict[str, Any] = {"text": text, "correct": ident in correct}
        fb = per_answer.get(ident) or (right if ident in correct else wrong)
        if fb:
            opt["feedback"] = fb
        options.append(opt)
    shuffle = any(rc.get("shuffle") == "Yes" for rc in _all(lid, "render_choice"))
    multiple = qtype == "multiple_answers_question" or (lid.get("rcardinality") == "Multiple" and qtype not in KNOWN)
    if not multiple and len(correct) != 1:
        raise Unsupported(f"a multiple-choice item with {len(correct)} correct answers")
    out = {"type": "multiple_response" if multiple else "single_choice", "stem": stem, "options": options}
    if multiple:
        out["scoring"] = "right_minus_wrong"  # Canvas's own partial credit: +1/k right, -1/k wrong
    if shuffle:
        out["shuffle"] = True
    return out


def _number(it: _Item, el: Any) -> float:
    try:
        return float((el.text or "").strip())
    except ValueError:
        it.error(f"{(el.text or '').strip()!r} is not a number", el.sourceline)
        raise Unsupported("not a number") from None


def _numeric(it: _Item, stem: str) -> dict[str, Any]:
    keys = []
    for rc in it.conditions():
        score = it.score(rc)
        cv = _find(rc, "conditionvar")
        if not score or score[1] <= 0 or cv is None:
            continue
        exact = lo = hi = None
        for el in cv.iter():
            name = local(el.tag)
            if name == "varequal":
                exact = _number(it, el)
            elif name in ("vargte", "vargt"):
                lo = _number(it, el)
            elif name in ("varlte", "varlt"):
                hi = _number(it, el)
        if exact is not None:
            margin = max(hi - exact if hi is not None else 0.0, exact - lo if lo is not None else 0.0)
            keys.append((exact, float(f"{margin:.12g}")))
        elif lo is not None and hi is not None:
            keys.append(((lo + hi) / 2, float(f"{(hi - lo) / 2:.12g}")))
    if not keys:
        raise Unsupported("no numeric answer earns credit")
    if len(set(keys)) > 1:
        raise Unsupported("several different numeric answers earn credit; a qbank numeric question has one key")
    value, tol = keys[0]
    out: dict[str, Any] = {"type": "numeric", "stem": stem, "answer": value, "tolerance": {"absolute": tol}}
    unit = re.fullmatch(r"(?s)(.*?)\n\nUnit: (.+)", stem)
    if unit:  # qbank's numeric export adds the unit as a second material
        out["stem"], out["unit"] = unit.group(1), unit.group(2)
    return out


def _short(it: _Item, stem: str) -> dict[str, Any]:
    answers = []
    for rc in it.conditions():
        score = it.score(rc)
        if score and score[1] > 0:
            answers += [v.text.strip() for v in _all(rc, "varequal") if v.text and v.text.strip()]
    if not answers:
        it.error("a short-answer item needs at least one accepted answer (<varequal>); Canvas would turn it into an essay")
        raise Unsupported("no accepted answer")
    return {"type": "short_text", "stem": stem, "answers": list(dict.fromkeys(answers))}


def _matching(it: _Item, stem: str) -> dict[str, Any]:
    lids = _all(it.el, "response_lid")
    prompts, rid_of = [], {}
    choices: list[tuple[str, str]] = []
    for lid in lids:
        prompts.append(it.material(lid))
        rid_of[lid.get("ident", "")] = len(prompts) - 1
        for ident, text in _labels(it, lid):
            if ident not in [c[0] for c in choices]:
                choices.append((ident, text))
    answer: list[int | None] = [None] * len(prompts)
    for rc in it.conditions():
        score = it.score(rc)
        if not score or score[1] <= 0:
            continue
        if score[0] != "Add":
            it.error(f"a matching pair scores with action={score[0]!r}; Canvas links pairs only with action=\"Add\"",
                     rc.sourceline)
            continue
        for v in _all(rc, "varequal"):
            i = rid_of.get(v.get("respident", ""))
            ids = [c[0] for c in choices]
            if i is None or (v.text or "").strip() not in ids:
                it.error(f"the pair {v.get('respident')} -> {v.text} names no prompt or choice", v.sourceline)
                continue
            answer[i] = ids.index((v.text or "").strip())
    if any(a is None for a in answer):
        raise Unsupported("a prompt has no matching choice")
    texts = [t for _, t in choices]
    if prompts == [f"Position {n}" for n in range(1, len(prompts) + 1)] and len(texts) == len(prompts):
        return {"type": "ordering", "stem": stem, "entries": texts, "answer": answer, "scoring": "partial"}
    return {"type": "matching", "stem": stem, "prompts": prompts, "choices": texts, "answer": answer,
            "scoring": "partial"}


_BLANK_LINE = re.compile(r"^\*\*\(((?:\\.|[A-Za-z0-9_.-])+)\)\*\* (.+) \\\[(\w+)\\\]$", re.DOTALL)


def _multipart(it: _Item, qtype: str, stem: str) -> dict[str, Any]:
    blanks: dict[str, dict[str, Any]] = {}
    order = []
    for lid in _all(it.el, "response_lid"):
        name = lid.get("ident", "").removeprefix("response_")
        labels = _labels(it, lid)
        correct = set()
        for rc in it.conditions():
            score = it.score(rc)
            if score and score[1] > 0:
                correct |= {(v.text or "").strip() for v in _all(rc, "varequal") if v.get("respident") == lid.get("ident")}
        if qtype == "fill_in_multiple_blanks_question":
            spec: dict[str, Any] = {"type": "short_text", "answers": list(dict.fromkeys(t for _, t in labels))}
        elif [t for _, t in labels] == ["True", "False"]:
            spec = {"type": "true_false", "answer": labels[0][0] in correct}
        else:
            spec = {"type": "single_choice", "options": [{"text": t, "correct": i in correct} for i, t in labels]}
        blanks[name] = spec
        order.append(name)
    paragraphs = stem.split("\n\n")
    parts, used = [], []
    for p in paragraphs:
        m = _BLANK_LINE.match(p)
        if m and m.group(3) in blanks:
            label = re.sub(r"\\(.)", r"\1", m.group(1))
            parts.append({"label": label, "prompt": m.group(2), **blanks[m.group(3)]})
            used.append(p)
    if len(parts) == len(blanks):
        return {"type": "multipart", "stem": "\n\n".join(p for p in paragraphs if p not in used),
                "parts": parts}
    return {"type": "multipart", "stem": stem,
            "parts": [{"label": n if re.fullmatch(r"[A-Za-z][\w.-]*", n) else f"b{i + 1}", "prompt": f"Blank [{n}]",
                       **blanks[n]} for i, n in enumerate(order)]}


def _guess(it: _Item) -> str:
    if _all(it.el, "response_lid"):
        lids = _all(it.el, "response_lid")
        if len(lids) > 1:
            return "matching_question"
        return "multiple_answers_question" if lids[0].get("rcardinality") == "Multiple" else "multiple_choice_question"
    fib = _all(it.el, "render_fib")
    if fib and fib[0].get("fibtype") in ("Decimal", "Integer"):
        return "numerical_question"
    return "short_answer_question" if any(_all(rc, "varequal") for rc in it.conditions()) else "essay_question"


def _item(it: _Item) -> dict[str, Any]:
    qtype = it.meta.get("question_type") or _guess(it)
    presentation = _find(it.el, "presentation")
    if presentation is None:
        raise Unsupported("the item has no <presentation>")
    stem = "\n\n".join(t for t in (it.mattext(m) for m in _children(presentation, "material") for m in _all(m, "mattext")) if t)
    if qtype in ("multiple_choice_question", "true_false_question", "multiple_answers_question"):
        return _choice(it, qtype, stem)
    if qtype == "numerical_question":
        return _numeric(it, stem)
    if qtype == "short_answer_question":
        return _short(it, stem)
    if qtype == "essay_question":
        it.notes.append(ESSAY_RUBRIC_NOTE)
        return essay_content(stem)
    if qtype == "matching_question":
        return _matching(it, stem)
    return _multipart(it, qtype, stem)


def _read_document(root: Any, file: str, result: ImportResult, problems: list[Problem], lookup: Any) -> None:
    if local(root.tag) != "questestinterop":
        problems.append(Problem(file, f"the root element is <{local(root.tag)}>, not <questestinterop>", line=root.sourceline))
        return
    for assessment in _all(root, "assessment") or [root]:
        base = (assessment.get("title") or "",) if local(assessment.tag) == "assessment" else ()

        def walk(node: Any, category: tuple[str, ...]) -> None:
            for child in node:
                name = local(child.tag)
                if name == "section":
                    title = child.get("title") if child.get("ident") != "root_section" else None
                    walk(child, category + ((title,) if title else ()))
                elif name == "item":
                    _one(child, category)

        def _one(el: Any, category: tuple[str, ...]) -> None:
            it = _Item(el, file, result, problems, lookup)
            if not it.ident:
                it.error("the item has no ident (QTI 1.2 requires one; Canvas uses it as the question's id)")
                return
            qtype = it.meta.get("question_type", "")
            if qtype in UNSUPPORTED:
                result.skipped.append(Skipped(it.place, f"{qtype}: {UNSUPPORTED[qtype]}"))
                return
            if qtype and qtype not in KNOWN:
                it.error(f"unknown question_type {qtype!r} (Canvas's: {', '.join(KNOWN + tuple(UNSUPPORTED))})")
                return
            before = len(problems)
            try:
                content = _item(it)
            except Unsupported as exc:
                if len(problems) == before:
                    result.skipped.append(Skipped(it.place, f"{qtype or 'item'}: {exc}"))
                return
            if len(problems) != before:
                return
            general = it.feedback.get("general_fb", "")
            if general and content["type"] != "open_response":
                content["explanation"] = general
            elif general:
                content["sample_answer"] = general
            points = it.meta.get("points_possible")
            title, ident = name_and_id(it.title, "")
            result.questions.append(Imported(it.place, title, content, category, it.ident if ident is None else ident,
                                             float(points) if points else None, it.notes))

        walk(assessment, base)


def read_qti12(raw: bytes, file: str, result: ImportResult) -> None:
    """Read a Canvas QTI 1.2 zip, or a bare ``questestinterop`` document, into ``result``.

    Raises:
        BankError: every problem, with the file (``zip!member``), line and item.
    """
    problems: list[Problem] = []
    if raw[:4] == b"PK\x03\x04":
        pkg = Package(raw, file)
        pkg.check_files()
        for rtype, href, _files, _el in pkg.resources():
            if rtype.startswith("imsqti_xmlv1p") and href:
                try:
                    root = pkg.xml(href)
                except BankError as exc:
                    problems += exc.problems
                    continue
                _read_document(root, pkg.where(href), result, problems, pkg.lookup(href))
    else:
        _read_document(parse_xml(raw, file), file, result, problems, None)
    if problems:
        raise BankError(problems)
