"""IMS QTI 2.1 and 3.0: a content package (manifest, items, optional test) or one item file.

QTI 3.0 is read as 2.1 after renaming (:func:`qti3_as_qti21`).

Interactions map onto qbank types: ``choiceInteraction`` (single choice, true/false,
multiple response with the scoring its mapping or template implies), ``textEntryInteraction``
(numeric with the ``equal``/``equalRounded`` tolerance of the response processing, or short
text from the mapping), ``matchInteraction``, ``orderInteraction``, ``extendedTextInteraction``
(essay); an item with several interactions is a multipart item. ``modalFeedback`` gives the
per-choice feedback and the explanation; ``MAXSCORE`` (or the mapping's upper bound) the
points. Other interactions (hotspot, graphic, drag and drop, upload, drawing, ...) are
skipped with the reason.
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Any

from ..errors import BankError, Problem
from ._build import Unsupported, essay_content
from ._html import html_to_markdown
from ._package import Package
from ._result import ESSAY_RUBRIC_NOTE, Imported, ImportResult, Place, Skipped, image_resolver, name_and_id
from ._xml import local, parse_xml

__all__ = ["read_qti21"]

INTERACTIONS = {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction", "matchInteraction",
                "orderInteraction"}
UNSUPPORTED = {
    "hotspotInteraction": "a hotspot on an image has no qbank item type",
    "graphicOrderInteraction": "ordering points on an image has no qbank item type",
    "graphicAssociateInteraction": "associating points on an image has no qbank item type",
    "graphicGapMatchInteraction": "drag and drop onto an image has no qbank item type",
    "gapMatchInteraction": "drag and drop into gaps has no qbank item type",
    "positionObjectInteraction": "positioning objects has no qbank item type",
    "selectPointInteraction": "selecting a point on an image has no qbank item type",
    "sliderInteraction": "a slider has no qbank item type",
    "uploadInteraction": "a file upload has no qbank item type",
    "drawingInteraction": "a drawing has no qbank item type",
    "mediaInteraction": "a media interaction has no qbank item type",
    "customInteraction": "a custom interaction runs code; qbank never executes anything",
    "portableCustomInteraction": "a portable custom interaction runs code; qbank never executes anything",
    "associateInteraction": "an association without direction has no qbank item type",
    "hottextInteraction": "hot text has no qbank item type",
    "inlineChoiceInteraction": "inline drop-downs are not read yet (use a multipart item)",
}


_ORDER = {name: i for i, name in enumerate(
    ("responseDeclaration", "outcomeDeclaration", "templateDeclaration", "templateProcessing", "stylesheet",
     "itemBody", "responseProcessing", "modalFeedback"))}


def _kids(el: Any, name: str | None = None) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str) and (name is None or local(c.tag) == name)]


def _all(el: Any, name: str) -> list[Any]:
    return [c for c in el.iter() if isinstance(c.tag, str) and local(c.tag) == name]


def _html(el: Any, *, skip: frozenset[str] = frozenset()) -> str:
    """An element's content as an HTML string, namespaces dropped; ``skip`` names children left out."""
    out = [html.escape(el.text or "", quote=False)]
    for child in el:
        if isinstance(child.tag, str) and local(child.tag) not in skip:
            name = local(child.tag)
            attrs = "".join(f' {local(k)}="{html.escape(v)}"' for k, v in child.attrib.items() if "}" not in k)
            out.append(f"<{name}{attrs}>{_html(child, skip=skip)}</{name}>")
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


class _Decl:
    def __init__(self, el: Any):
        self.id = el.get("identifier", "")
        self.cardinality = el.get("cardinality", "single")
        self.base_type = el.get("baseType", "")
        cr = _kids(el, "correctResponse")
        self.correct = [(v.text or "").strip() for v in _kids(cr[0], "value")] if cr else []
        mp = _kids(el, "mapping")
        self.mapping: dict[str, float] = {}
        self.case_sensitive = True
        self.lower = self.upper = None
        if mp:
            m = mp[0]
            self.lower = float(m.get("lowerBound")) if m.get("lowerBound") else None
            self.upper = float(m.get("upperBound")) if m.get("upperBound") else None
            for e in _kids(m, "mapEntry"):
                self.mapping[e.get("mapKey", "")] = float(e.get("mappedValue", "0"))
                if e.get("caseSensitive") == "false":
                    self.case_sensitive = False


class _Item:
    def __init__(self, root: Any, file: str, result: ImportResult, lookup: Any):
        self.root = root
        self.file = file
        self.notes: list[str] = []
        self.resolve = image_resolver(result.media, lookup, self.notes)
        self.decls = {d.id: d for d in (_Decl(e) for e in _kids(root, "responseDeclaration"))}
        self.feedback: dict[tuple[str, str], str] = {}
        for fb in _kids(root, "modalFeedback"):
            body = _kids(fb, "contentBody")
            self.feedback[(fb.get("outcomeIdentifier", ""), fb.get("identifier", ""))] = self.md(_html(body[0] if body else fb))
        rp = _kids(root, "responseProcessing")
        self.processing = rp[0] if rp else None
        self.points = None
        self.unit: str | None = None
        for o in _kids(root, "outcomeDeclaration"):
            if o.get("identifier") == "MAXSCORE":
                vals = _all(o, "value")
                if vals:
                    self.points = float(vals[0].text)

    def md(self, fragment: str) -> str:
        return html_to_markdown(fragment, self.resolve)

    def rules_for(self, rid: str) -> list[Any]:
        """Conditions of the response processing that test the response ``rid``."""
        if self.processing is None:
            return []
        return [c for c in _all(self.processing, "responseIf") + _all(self.processing, "responseElseIf")
                if any(v.get("identifier") == rid for v in _all(c, "variable"))]

    def template(self) -> str:
        return (self.processing.get("template", "") if self.processing is not None else "").rsplit("/", 1)[-1]


def _choice_texts(it: _Item, inter: Any, name: str = "simpleChoice") -> list[tuple[str, str]]:
    return [(c.get("identifier", ""), it.md(_html(c, skip=frozenset({"feedbackInline"})))) for c in _all(inter, name)]


def _spec(it: _Item, inter: Any, fb_outcome: str) -> dict[str, Any]:
    kind = local(inter.tag)
    rid = inter.get("responseIdentifier", "")
    decl = it.decls.get(rid)
    if decl is None:
        raise _Bad(f"the interaction's response {rid!r} is not declared (no responseDeclaration with that identifier)",
                   inter.sourceline)
    fb = lambda ident: it.feedback.get((fb_outcome, ident), "")  # noqa: E731
    if kind == "choiceInteraction":
        if not inter.get("maxChoices", "1").isdecimal():
            raise _Bad(f"maxChoices={inter.get('maxChoices')!r} is not a whole number", inter.sourceline)
        if any(not c.get("identifier") for c in _all(inter, "simpleChoice")):
            raise _Bad("a simpleChoice has no identifier", inter.sourceline)
        choices = _choice_texts(it, inter)
        ids = [i for i, _ in choices]
        for c in decl.correct:
            if c not in ids:
                raise _Bad(f"the correct response {c!r} is not one of the choices ({', '.join(ids)})", inter.sourceline)
        multiple = decl.cardinality == "multiple" or inter.get("maxChoices", "1") != "1"
        correct = set(decl.correct) or {k for k, v in decl.mapping.items() if v > 0}
        if not multiple and [t for _, t in choices] == ["True", "False"]:
            out: dict[str, Any] = {"type": "true_false", "answer": ids[0] in correct}
            if fb(ids[0]):
                out["feedback_true"] = fb(ids[0])
            if fb(ids[1]):
                out["feedback_false"] = fb(ids[1])
            return out
        options = []
        for ident, text in choices:
            o: dict[str, Any] = {"text": text, "correct": ident in correct}
            if fb(ident):
                o["feedback"] = fb(ident)
            options.append(o)
        out = {"type": "multiple_response" if multiple else "single_choice", "options": options}
        if inter.get("shuffle") == "true":
            out["shuffle"] = True
        if multiple:
            out["scoring"] = _mr_scoring(it, decl, len(correct), len(choices))
        return out
    if kind == "textEntryInteraction":
        if decl.base_type in ("float", "integer"):
            return _numeric(it, decl)
        answers = [k for k, v in decl.mapping.items() if v > 0] or decl.correct
        if not answers:
            raise Unsupported("no accepted answer")
        out = {"type": "short_text", "answers": list(dict.fromkeys(answers))}
        if decl.mapping and decl.case_sensitive:
            out["case_sensitive"] = True
        distractors = []
        for rule in it.rules_for(rid):
            sm = _all(rule, "stringMatch")
            ids = [b.text for b in _all(rule, "baseValue") if b.get("baseType") == "identifier"]
            if sm and ids:
                value = next((b.text for b in _all(sm[0], "baseValue")), "")
                distractors.append({"text": value, "misconception": "M-IMPORTED", "feedback": fb(ids[0])})
        if distractors:
            out["distractors"] = distractors
        return out
    if kind == "extendedTextInteraction":
        it.notes.append(ESSAY_RUBRIC_NOTE)
        return {"type": "open_response"}
    if kind == "orderInteraction":
        choices = _choice_texts(it, inter)
        ids = [i for i, _ in choices]
        if sorted(decl.correct) != sorted(ids):
            raise _Bad("the correct order must list every choice once", inter.sourceline)
        return {"type": "ordering", "entries": [t for _, t in choices], "answer": [ids.index(c) for c in decl.correct],
                "scoring": "exact"}
    if kind == "matchInteraction":
        sets = _kids(inter, "simpleMatchSet")
        if len(sets) != 2:
            raise Unsupported("a match interaction needs two match sets")
        left, right = _choice_texts(it, sets[0], "simpleAssociableChoice"), _choice_texts(it, sets[1], "simpleAssociableChoice")
        lids, rids = [i for i, _ in left], [i for i, _ in right]
        pairs = decl.correct or [k for k, v in decl.mapping.items() if v > 0]
        answer: list[int | None] = [None] * len(left)
        for pair in pairs:
            a, _, b = pair.partition(" ")
            if a in lids and b in rids:
                answer[lids.index(a)] = rids.index(b)
            elif b in lids and a in rids:
                answer[lids.index(b)] = rids.index(a)
        if any(x is None for x in answer):
            raise Unsupported("a prompt has no matching choice")
        return {"type": "matching", "prompts": [t for _, t in left], "choices": [t for _, t in right],
                "answer": answer, "scoring": "partial" if decl.mapping else "all_or_nothing"}
    raise Unsupported(f"{kind} has no qbank item type")


class _Bad(Exception):
    """The item breaks a QTI rule (an error, not a skip); ``line`` is where."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _mr_scoring(it: _Item, decl: _Decl, k: int, n: int) -> str:
    if not decl.mapping:
        return "all_or_nothing"
    values = list(decl.mapping.values())
    pos = [v for v in values if v > 0]
    neg = [v for v in values if v < 0]
    if decl.lower == 0 and pos and all(abs(v - pos[0]) < 1e-9 for v in pos) and all(abs(v + pos[0]) < 1e-9 for v in neg):
        return "right_minus_wrong"
    base = [b for s in _all(it.processing, "sum") if it.processing is not None for b in _kids(s, "baseValue")]
    if base and decl.lower is None and pos and all(abs(v - pos[0]) < 1e-9 for v in pos + [-v for v in neg]):
        return "partial"
    it.notes.append("scored right-minus-wrong; the source mapped the choices to "
                    + ", ".join(f"{k} {v:g}" for k, v in decl.mapping.items()))
    return "right_minus_wrong"


def _part_points(it: _Item, rid: str, score: str) -> float | None:
    """The most a part can score (its weight): a constant it sets, else its mapping's maximum."""
    if it.processing is None:
        return None
    for sov in _all(it.processing, "setOutcomeValue"):
        if sov.get("identifier") == score:
            kids = _kids(sov)
            if kids and local(kids[0].tag) == "baseValue" and float(kids[0].text or 0) > 0:
                return float(kids[0].text)
    decl = it.decls.get(rid)
    if decl is None or not decl.mapping:
        return None
    if decl.upper is not None:
        return decl.upper
    if decl.cardinality == "single":
        return max(decl.mapping.values())
    base = 0.0
    for sov in _all(it.processing, "setOutcomeValue"):
        if sov.get("identifier") == score:
            for sm in _all(sov, "sum"):
                base += sum(float(b.text or 0) for b in _kids(sm, "baseValue"))
    return base + sum(v for v in decl.mapping.values() if v > 0)


def _numeric(it: _Item, decl: _Decl) -> dict[str, Any]:
    if not decl.correct:
        raise Unsupported("no correct value")
    try:
        value = float(decl.correct[0])
    except ValueError:
        raise _Bad(f"the correct value {decl.correct[0]!r} is not a number") from None
    tolerance: dict[str, Any] = {"absolute": 0.0}
    distractors = []
    for rule in it.rules_for(decl.id):
        test = next(iter(_kids(rule)), None)
        if test is None:
            continue
        name = local(test.tag)
        targets = [b for b in _kids(test, "baseValue")]
        if name == "equalRounded" and not targets:
            tolerance = {"sigfig": int(test.get("figures", "1"))} if test.get("roundingMode") == "significantFigures" else {
                "absolute": 0.5 * 10 ** -int(test.get("figures", "0"))}
        elif name == "equal":
            tol = float((test.get("tolerance") or "0").split()[0])
            mode = test.get("toleranceMode", "exact")
            if targets:
                ids = [b.text for b in _all(rule, "baseValue") if b.get("baseType") == "identifier"]
                fb = it.feedback.get(("FEEDBACK" if decl.id == "RESPONSE" else "FEEDBACK_" + decl.id.removeprefix("RESPONSE_"),
                                      ids[0]), "") if ids else ""
                distractors.append({"value": float(targets[0].text), "misconception": "M-IMPORTED", "feedback": fb})
            elif mode == "relative":
                tolerance = {"relative": float(f"{tol / 100:.12g}")}
            elif mode == "absolute":
                tolerance = {"absolute": tol}
        elif name in ("gte", "lte", "and") and not targets:
            continue
    out: dict[str, Any] = {"type": "numeric", "answer": value, "tolerance": tolerance}
    if distractors:
        out["distractors"] = distractors
    return out


def _read_item(root: Any, file: str, result: ImportResult, lookup: Any, category: tuple[str, ...]) -> None:
    if local(root.tag) != "assessmentItem":
        raise BankError([Problem(file, f"the root element is <{local(root.tag)}>, not <assessmentItem>", line=root.sourceline)])
    ident = root.get("identifier", "")
    title = root.get("title") or ident
    place = Place(file, root.sourceline, title)
    if not ident:
        raise BankError([Problem(file, "the assessmentItem has no identifier", line=root.sourceline)])
    body = next(iter(_kids(root, "itemBody")), None)
    if body is None:
        raise BankError([Problem(file, "the assessmentItem has no itemBody", path=f"item {title!r}", line=root.sourceline)])
    for el in body.iter():
        if isinstance(el.tag, str) and local(el.tag) in UNSUPPORTED:
            result.skipped.append(Skipped(place, f"{local(el.tag)}: {UNSUPPORTED[local(el.tag)]}"))
            return
    order = [local(c.tag) for c in _kids(root)]
    for earlier, later in zip(order, order[1:]):
        if _ORDER.get(earlier, 0) > _ORDER.get(later, 99):
            raise BankError([Problem(file, f"<{later}> comes after <{earlier}>; QTI 2.1 fixes the order of an "
                                     "item's parts (declarations, itemBody, responseProcessing, modalFeedback)",
                                     path=f"item {title!r}", line=root.sourceline)])
    it = _Item(root, file, result, lookup)
    # Walk the body: blocks before the first interaction are the stem; in a multipart item a
    # "(label) prompt" block introduces each interaction.
    segments: list[tuple[list[str], Any]] = []  # (HTML blocks before, interaction)
    blocks: list[str] = []
    grader = ""
    for child in _kids(body):
        name = local(child.tag)
        inner = [e for e in child.iter() if isinstance(e.tag, str) and local(e.tag) in INTERACTIONS]
        if name == "rubricBlock":
            grader = it.md(_html(next(iter(_kids(child, "contentBody")), child)))
            continue
        if name in INTERACTIONS:
            prompt = next(iter(_kids(child, "prompt")), None)
            if prompt is not None:
                blocks.append(f"<p>{_html(prompt)}</p>")
            segments.append((blocks, child))
            blocks = []
        elif inner:
            rest = _html(child, skip=frozenset(INTERACTIONS))
            tail = (inner[0].tail or "").strip()
            if tail and local(inner[0].tag) == "textEntryInteraction" and rest.strip() == html.escape(tail, quote=False):
                it.unit, rest = tail, ""  # qbank writes a numeric answer's unit after the entry box
            if rest.strip():
                blocks.append(f"<{name}>{rest}</{name}>")
            for e in inner:
                segments.append((blocks, e))
                blocks = []
        else:
            blocks.append(f"<{name}>{_html(child)}</{name}>")
    trailing = blocks
    if not segments:
        raise BankError([Problem(file, "the item has no interaction qbank reads", path=f"item {title!r}", line=root.sourceline)])
    try:
        if len(segments) == 1:
            before, inter = segments[0]
            content = _spec(it, inter, "FEEDBACK")
            stem = it.md("".join(before + trailing))
            content = {"type": content.pop("type"), "stem": stem, **content}
            if content["type"] == "numeric" and it.unit:
                content["unit"] = it.unit
        else:
            parts = []
            stem_blocks = segments[0][0]
            for n, (before, inter) in enumerate(segments):
                rid = inter.get("responseIdentifier", "")
                label = rid.removeprefix("RESPONSE_") if rid.startswith("RESPONSE_") else f"p{n + 1}"
                marker = None
                if before:
                    m = re.fullmatch(r"(?s)\*\*\((.+?)\)\*\* (.+)", it.md(before[-1]))
                    if m and re.sub(r"\\(.)", r"\1", m.group(1)) == label:
                        marker = m.group(2)
                if n == 0:
                    stem_blocks = before[:-1] if marker is not None else []
                prompt = marker if marker is not None else it.md("".join(before if n else [])) or f"Part {label}"
                spec = _spec(it, inter, f"FEEDBACK_{label}" if rid.startswith("RESPONSE_") else "FEEDBACK")
                if spec["type"] == "open_response":
                    spec = {k: v for k, v in essay_content("-", grader).items() if k != "stem"}
                weight = _part_points(it, rid, f"SCORE_{label}")
                parts.append({"label": label, "prompt": prompt, **({"weight": weight} if weight else {}), **spec})
            content = {"type": "multipart", "stem": it.md("".join(stem_blocks + trailing)) or "Answer every part.",
                       "parts": parts}
    except _Bad as exc:
        raise BankError([Problem(file, str(exc), path=f"item {title!r}", line=exc.line or root.sourceline)]) from None
    except Unsupported as exc:
        result.skipped.append(Skipped(place, str(exc)))
        return
    if content["type"] == "open_response":
        content = {**essay_content(content["stem"], grader)}
    solution = it.feedback.get(("SOLUTION", "SOLUTION"))
    if solution:
        content["explanation"] = solution
    title, derived = name_and_id(title)
    result.questions.append(Imported(place, title, content, category, derived or ident, it.points, it.notes))


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


_WRAPPED = {"qti-modal-feedback", "qti-feedback-block", "qti-rubric-block", "qti-feedback-inline"}


def qti3_as_qti21(root: Any, file: str) -> Any:
    """A QTI 3.0 document renamed in place to 2.1's names (``qti-choice-interaction`` to
    ``choiceInteraction``, ``response-identifier`` to ``responseIdentifier``): 3.0 is 2.1's
    information model renamed, so one reader serves both. 2.1 names inside a 3.0 document,
    and feedback or rubric content outside ``qti-content-body``, are errors as in the XSD."""
    if not local(root.tag).startswith("qti-"):
        return root
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = local(el.tag)
        if name.startswith("qti-"):
            camel = [k for k in el.attrib if "}" not in k and k != k.lower()]
            if camel:
                problems.append(Problem(file, f"the QTI 2.1 attribute {camel[0]!r} in a QTI 3.0 document (3.0 writes "
                                        f"{re.sub(r'([A-Z])', lambda m: '-' + m.group(1).lower(), camel[0])!r})",
                                        line=el.sourceline))
            if name in _WRAPPED and (el.text or "").strip():
                problems.append(Problem(file, f"<{name}> holds text directly; QTI 3.0 wants it inside <qti-content-body>",
                                        line=el.sourceline))
            el.tag = _camel(name[4:])
            for key in [k for k in el.attrib if "-" in k and "}" not in k and not k.startswith("data-")]:
                el.attrib[_camel(key)] = el.attrib.pop(key)
        elif name != name.lower():
            problems.append(Problem(file, f"the QTI 2.1 element <{name}> in a QTI 3.0 document (3.0 writes "
                                    f"<qti-{re.sub(r'([A-Z])', lambda m: '-' + m.group(1).lower(), name)}>)",
                                    line=el.sourceline))
    if problems:
        raise BankError(problems)
    return root


def read_qti21(raw: bytes, file: str, result: ImportResult) -> None:
    """Read a QTI 2.1 or 3.0 package (or one assessment item file) into ``result``.

    Raises:
        BankError: every problem, with the file (``zip!member``), line and item.
    """
    if raw[:4] != b"PK\x03\x04":
        _read_item(qti3_as_qti21(parse_xml(raw, file), file), file, result, None, ())
        return
    pkg = Package(raw, file)
    pkg.check_files()
    sections: dict[str, tuple[str, ...]] = {}
    for rtype, href, _files, _el in pkg.resources():
        if rtype.startswith(("imsqti_test_xmlv2p", "imsqti_test_xmlv3p")) and href:
            test = qti3_as_qti21(pkg.xml(href), pkg.where(href))

            def walk(node: Any, path: tuple[str, ...]) -> None:
                for c in _kids(node):
                    name = local(c.tag)
                    if name == "assessmentSection":
                        walk(c, path + ((c.get("title"),) if c.get("title") and c.get("visible", "true") == "true" else ()))
                    elif name == "testPart":
                        walk(c, path)
                    elif name == "assessmentItemRef":
                        ref = posixpath.normpath(posixpath.join(posixpath.dirname(href), c.get("href", "")))
                        sections.setdefault(ref, path)

            walk(test, ((test.get("title"),) if test.get("title") else ()))
    problems: list[Problem] = []
    for rtype, href, _files, _el in pkg.resources():
        if rtype.startswith(("imsqti_item_xmlv2p", "imsqti_item_xmlv3p")) and href:
            try:
                _read_item(qti3_as_qti21(pkg.xml(href), pkg.where(href)), pkg.where(href), result, pkg.lookup(href), sections.get(href, ()))
            except BankError as exc:
                problems += exc.problems
    if problems:
        raise BankError(problems)
