"""IMS QTI 2.1 / 3.0 Results Reporting: ``assessmentResult`` documents.

Layout (IMS QTI Results Reporting; namespaces ``http://www.imsglobal.org/xsd/imsqti_result_v2p1``
and ``.../imsqti_result_v3p0``, whose element names are the same)::

    <assessmentResult>
      <context sourcedId="<candidate>"><sessionIdentifier sourceID="..." identifier="..."/></context>
      <testResult identifier="<test id>" datestamp="..."><outcomeVariable identifier="SCORE">...</testResult>
      <itemResult identifier="<item ref id>" sequenceIndex="1" datestamp="..." sessionStatus="final">
        <responseVariable identifier="RESPONSE" cardinality="single|multiple" baseType="...">
          <candidateResponse><value>B</value></candidateResponse>
        </responseVariable>
        <outcomeVariable identifier="SCORE" cardinality="single" baseType="float"><value>1</value></outcomeVariable>
      </itemResult>
    </assessmentResult>

One document per candidate attempt: a file, a folder of files, or a zip of them. The test
identifier is the quiz id and an ``itemResult``'s identifier is the ``assessmentItemRef`` of
qbank's export, which is the item id '<template>-v<version>-s<seed>': the tie is by
identifier. A ``candidateResponse`` without a ``value`` is unanswered. Values are the
identifiers qbank exports: choices ``A``, ``B``, ... and ``TRUE``/``FALSE``; an ordering the
choice identifiers first to last; a matching ``directedPair`` values such as ``P1 C``; a
multipart item one ``RESPONSE_<label>`` per part, its identifiers prefixed ``<label>_``. Every
item type is read. XML is parsed with defusedxml: no entities, no network.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..grader.gradebook import RowProblem
from .model import LmsAttempt, LmsCell, LmsReport, ReportError
from .variants import VariantIndex

__all__ = ["NAMESPACES", "read_qti"]

NAMESPACES = ("http://www.imsglobal.org/xsd/imsqti_result_v2p1", "http://www.imsglobal.org/xsd/imsqti_result_v3p0")
MAX_BYTES = 20_000_000  # one candidate's results; a larger document is refused, not parsed
MAX_TOTAL = 500_000_000  # all documents of one report together


class _Lines(ET.TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[ET.Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        el = super().start(tag, attrs)
        self.lines[el] = self.parser.parser.CurrentLineNumber
        return el


def _parse(name: str, data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    if len(data) > MAX_BYTES:
        raise ReportError(f"{name}: {len(data)} bytes is too large for one candidate's results (limit {MAX_BYTES})")
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        raise ReportError(f"{name}:{line}: column {column + 1}: not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc}); "
                          "the file looks truncated or edited") from None
    except DefusedXmlException as exc:
        raise ReportError(f"{name}: refused: {exc} (QTI results need no DTD or entities)") from None
    return root, builder.lines


def _documents(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.xml") if p.is_file())
        if not files:
            raise ReportError(f"{path}: no .xml files in this folder; expected QTI results (assessmentResult) documents")
        if sum(p.stat().st_size for p in files) > MAX_TOTAL:
            raise ReportError(f"{path}: the .xml files hold more than {MAX_TOTAL} bytes; refused unread")
        return [(str(p), p.read_bytes()) for p in files]
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        out = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_TOTAL:
                raise ReportError(f"{path}: the zip unpacks to more than {MAX_TOTAL} bytes; refused unread")
            for info in sorted(z.infolist(), key=lambda i: i.filename):
                if info.filename.endswith(".xml") and not info.is_dir():
                    if info.file_size > MAX_BYTES:
                        raise ReportError(f"{path}!{info.filename}: too large for one candidate's results")
                    out.append((f"{path}!{info.filename}", z.read(info)))
        if not out:
            raise ReportError(f"{path}: the zip holds no .xml files; expected QTI results (assessmentResult) documents")
        return out
    return [(str(path), data)]


def _local(tag: str) -> tuple[str, str]:
    match = re.match(r"^\{([^}]*)\}(.*)$", tag)
    return (match.group(1), match.group(2)) if match else ("", tag)


def read_qti(path: str | Path, index: VariantIndex) -> LmsReport:
    """The attempts in QTI results documents, each itemResult tied to its variant by identifier.

    Raises:
        ReportError: not QTI results, not well-formed, or results of another test.
    """
    path = Path(path)
    report = LmsReport("qti", str(path), identity="sourcedId")
    attempts: list[tuple[str, int, LmsAttempt]] = []
    quiz = index.manifest.quiz_id
    for order, (name, data) in enumerate(_documents(path)):
        root, lines = _parse(name, data)
        ns, tag = _local(root.tag)
        if tag != "assessmentResult" or ns not in NAMESPACES:
            raise ReportError(f"{name}:{lines.get(root, 1)}: not a QTI results report: the root is {tag!r} in "
                              f"{ns or 'no namespace'!r}, expected assessmentResult in {' or '.join(NAMESPACES)}")
        q = f"{{{ns}}}"

        def need(el: ET.Element, attr: str) -> str:
            value = el.get(attr)
            if value is None or not value.strip():
                raise ReportError(f"{name}:{lines.get(el, 1)}: <{_local(el.tag)[1]}> has no {attr} attribute")
            return value.strip()

        context = root.find(f"{q}context")
        if context is None:
            raise ReportError(f"{name}:{lines.get(root, 1)}: <assessmentResult> has no <context> (who the candidate is)")
        key = need(context, "sourcedId")
        test = root.find(f"{q}testResult")
        if test is not None and need(test, "identifier") != quiz:
            raise ReportError(f"{name}:{lines.get(test, 1)}: results of test {test.get('identifier')!r}, but the manifest "
                              f"is quiz {quiz!r}: a report from another quiz")
        cells = []
        for result in root.findall(f"{q}itemResult"):
            line = lines.get(result, 1)
            ref = need(result, "identifier")
            variant = ref if ref in index.entries else re.sub(r"-\d+$", "", ref)
            if variant not in index.entries:
                report.problems.append(RowProblem(line, key, ref, f"{name}: item {ref!r} is not a variant of quiz {quiz!r}; not graded"))
                continue
            item = index.items[variant]
            report.tied.add(variant)
            status = result.get("sessionStatus", "")
            variables = {v.get("identifier", ""): [(x.text or "").strip() for x in v.findall(f"{q}candidateResponse/{q}value")]
                         for v in result.findall(f"{q}responseVariable")}
            raw = _raw(item, variables)
            shown = "; ".join(f"{k}={','.join(v)}" if k != "RESPONSE" else ",".join(v)
                              for k, v in variables.items() if k.startswith("RESPONSE"))
            if status not in ("final", "pendingResponseProcessing", "pendingSubmission", "initial"):
                report.problems.append(RowProblem(line, key, variant, f"{name}: sessionStatus {status!r} (expected final)"))
            score = None
            for out in result.findall(f"{q}outcomeVariable"):
                if out.get("identifier") == "SCORE":
                    text = (out.findtext(f"{q}value") or "").strip()
                    try:
                        score = float(text) if text else None
                    except ValueError:
                        raise ReportError(f"{name}:{lines.get(out, line)}: SCORE {text!r} is not a number") from None
            cells.append(LmsCell(variant, raw, shown, score, line, None, ref))
        stamp = test.get("datestamp", "") if test is not None else ""
        attempts.append((key, order, LmsAttempt(key=key, name="", attempt=0, line=lines.get(root, 1), cells=tuple(cells),
                                                lms_id=key, status=stamp, source=name)))
    # attempts of one candidate, in time order (the datestamp), then file order
    by_key: dict[str, int] = {}
    for key, _, attempt in sorted(attempts, key=lambda a: (a[0], a[2].status, a[1])):
        by_key[key] = by_key.get(key, 0) + 1
        report.attempts.append(replace(attempt, attempt=by_key[key], status=""))
    return report


def _answer(spec: Any, values: list[str], prefix: str = "") -> str | None:
    """One interaction's candidate values in qbank's response syntax; None when there are none."""
    values = [v[len(prefix):] if prefix and v.startswith(prefix) else v for v in values if v]
    if not values:
        return None
    t = spec.type
    if t == "true_false":
        return {"TRUE": "true", "FALSE": "false"}.get(values[0], values[0])
    if t in ("single_choice", "multiple_response"):
        return ",".join(values)
    if t == "ordering":
        return " ".join(values)
    if t == "matching":  # directedPair "P2 C": prompt 2 to choice C
        pairs = []
        for v in values:
            left, _, right = v.partition(" ")
            left = left[len(prefix):] if prefix and left.startswith(prefix) else left
            right = right[len(prefix):] if prefix and right.startswith(prefix) else right
            pairs.append(f"{left.removeprefix('P')}-{right.lower()}" if left.startswith("P") else v)
        return " ".join(pairs)
    return values[0]


def _raw(item: Any, variables: dict[str, list[str]]) -> str | None:
    """The item's response in qbank's syntax, from its response variables (one per part for multipart)."""
    if item.type != "multipart":
        return _answer(item, variables.get("RESPONSE", []))
    lines = []
    for part in item.parts:
        answer = _answer(part, variables.get(f"RESPONSE_{part.label}", []), f"{part.label}_")
        if answer is not None:
            lines.append(f"{part.label}: {answer}")
    return "\n".join(lines) or None
