"""The QTI 2.1 and 3.0 content-package builder, parameterised by a naming scheme.

QTI 3.0 is QTI 2.1's information model renamed (``choiceInteraction`` becomes
``qti-choice-interaction``, ``baseType`` becomes ``base-type``) with feedback and rubric
content wrapped in ``qti-content-body``. One builder writes both: it names every element and
attribute in 2.1's camelCase and a :class:`Scheme` turns the names into the version's own.

Scoring is written out as explicit response processing (no standard templates), because
every item also sets feedback outcomes. ``SCORE`` is in points: the item's points, or the
group's points per item. Per type (a multipart part scores into ``SCORE_<label>`` and
``SCORE`` sums the parts, each scaled to its weight):

* single_choice, true_false: ``match`` against the correct response;
* multiple_response: ``all_or_nothing`` by ``match``; ``right_minus_wrong`` by a mapping of
  +1/k and -1/k bounded below at 0; ``partial`` by a constant (the wrong options) plus a
  mapping of +1/n and -1/n;
* numeric: ``equal`` with an absolute or relative tolerance, ``equalRounded`` for significant
  figures; distractor values set feedback;
* short_text: a mapping of the accepted answers (case sensitive or not);
* ordering: ``match`` of the whole order (partial credit degrades, with a warning);
* matching: a mapping of 1/n per correct pair, or ``match`` for all-or-nothing;
* open_response: an extended text interaction, no automatic score, the rubric and sample
  answer in a scorer-only ``rubricBlock``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .._gc import gc_paused
from ..questions import Assessment, letter
from ._markup import to_html
from ._xml import fragment, number, rubric_markdown, tostring, zip_bytes

__all__ = ["QTI21", "QTI30", "Scheme", "item_document", "render_package"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"


@lru_cache(maxsize=512)
def _kebab(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)


@dataclass(frozen=True)
class Scheme:
    """What differs between QTI versions: names, namespaces, resource types."""

    version: str
    namespace: str
    schema_location: str
    manifest_namespace: str
    manifest_schema_location: str
    manifest_schema: str
    manifest_schemaversion: str
    item_type: str
    test_type: str
    kebab: bool

    def element(self, name: str) -> str:
        return "qti-" + _kebab(name) if self.kebab else name

    def attr(self, name: str) -> str:
        return _kebab(name) if self.kebab else name


class _Renamed(dict[str, str]):
    """Builder name -> the scheme's name, each worked out on first use."""

    def __init__(self, rename: Callable[[str], str]):
        super().__init__()
        self._rename = rename

    def __missing__(self, name: str) -> str:
        out = self[name] = self._rename(name)
        return out


@lru_cache(maxsize=None)
def _names(scheme: Scheme) -> tuple[_Renamed, _Renamed]:
    """The scheme's (element, attribute) name tables, one pair per scheme for the process."""
    return _Renamed(scheme.element), _Renamed(scheme.attr)


_Element = ET.Element


QTI21 = Scheme(
    version="2.1",
    namespace="http://www.imsglobal.org/xsd/imsqti_v2p1",
    schema_location="http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
    manifest_namespace="http://www.imsglobal.org/xsd/imscp_v1p1",
    manifest_schema_location="http://www.imsglobal.org/xsd/imscp_v1p1 http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
    manifest_schema="QTIv2.1 Package",
    manifest_schemaversion="1.0.0",
    item_type="imsqti_item_xmlv2p1",
    test_type="imsqti_test_xmlv2p1",
    kebab=False,
)

QTI30 = Scheme(
    version="3.0",
    namespace="http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
    schema_location="http://www.imsglobal.org/xsd/imsqtiasi_v3p0 "
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd",
    manifest_namespace="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
    manifest_schema_location="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1 "
    "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd",
    manifest_schema="QTI Package",
    manifest_schemaversion="3.0.0",
    item_type="imsqti_item_xmlv3p0",
    test_type="imsqti_test_xmlv3p0",
    kebab=True,
)


# ---------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------


@dataclass
class _Part:
    """Where one interaction's pieces go while an item is built."""

    rid: str  # response identifier
    score: str  # outcome the part's score is written to
    fb: str  # feedback outcome
    prefix: str  # prefix of choice and feedback identifiers
    points: float
    shuffle: bool
    decls: list[ET.Element] = field(default_factory=list)
    outcomes: list[ET.Element] = field(default_factory=list)
    body: list[ET.Element] = field(default_factory=list)
    rules: list[ET.Element] = field(default_factory=list)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (identifier, markdown)
    fb_multiple: bool = False


class _Builder:
    """Elements named for one QTI version."""

    def __init__(self, scheme: Scheme, item_id: str, warnings: list[str]):
        self.s = scheme
        self.item_id = item_id
        self.warnings = warnings
        self._tags, self._attrs = _names(scheme)

    def el(self, name: str, *children: ET.Element, text: str | None = None, **attrs: str) -> ET.Element:
        # An export makes about a hundred elements per item: names come from the scheme's
        # tables, and 2.1's names (the builder's own) are used as they are.
        if self.s.kebab:
            names = self._attrs
            el = _Element(self._tags[name], {names[k]: v for k, v in attrs.items()} if attrs else attrs)
        else:
            el = _Element(name, attrs)
        if text is not None:
            el.text = text
        if children:
            el.extend(children)
        return el

    def set_outcome(self, ident: str, value: ET.Element) -> ET.Element:
        return self.el("setOutcomeValue", value, identifier=ident)

    def base(self, base_type: str, value: str) -> ET.Element:
        return self.el("baseValue", text=value, baseType=base_type)

    def var(self, ident: str) -> ET.Element:
        return self.el("variable", identifier=ident)

    def condition(self, *branches: tuple[ET.Element | None, list[ET.Element]]) -> ET.Element:
        """responseCondition from (test, actions) pairs; a None test is the final else."""
        names = ["responseIf"] + ["responseElseIf"] * (len(branches) - 1)
        out = self.el("responseCondition")
        for (test, actions), name in zip(branches, names):
            if test is None:
                out.append(self.el("responseElse", *actions))
            else:
                out.append(self.el(name, test, *actions))
        return out

    def html_blocks(self, markdown: str) -> list[ET.Element]:
        """Markdown as block XHTML elements (loose text wrapped in a <p>)."""
        wrapper = fragment(to_html(markdown))
        if (wrapper.text or "").strip():
            p = ET.Element("p")
            p.text = wrapper.text
            return [p, *wrapper]
        return list(wrapper)

    def html_inline(self, parent: ET.Element, markdown: str) -> ET.Element:
        """Put Markdown inside ``parent`` as its text and children (for choices)."""
        wrapper = fragment(to_html(markdown, inline=True))
        parent.text = wrapper.text
        parent.extend(wrapper)
        return parent

    def content(self, parent: ET.Element, blocks: list[ET.Element]) -> ET.Element:
        """Feedback and rubric content: QTI 3.0 wants it inside qti-content-body."""
        if self.s.kebab:
            parent.append(self.el("contentBody", *blocks))
        else:
            parent.extend(blocks)
        return parent

    # -- declarations -------------------------------------------------------------------

    def response(self, part: _Part, cardinality: str, base_type: str, correct: list[str] | None,
                 mapping: ET.Element | None = None) -> None:
        decl = self.el("responseDeclaration", identifier=part.rid, cardinality=cardinality, baseType=base_type)
        if correct:
            decl.append(self.el("correctResponse", *(self.el("value", text=v) for v in correct)))
        if mapping is not None:
            decl.append(mapping)
        part.decls.append(decl)

    def mapping(self, entries: list[tuple[str, float]], *, default: float = 0.0, lower: float | None = None,
                upper: float | None = None, case_sensitive: bool | None = None) -> ET.Element:
        attrs = {}
        if lower is not None:
            attrs["lowerBound"] = number(lower)
        if upper is not None:
            attrs["upperBound"] = number(upper)
        attrs["defaultValue"] = number(default)
        m = self.el("mapping", **attrs)
        for key, value in entries:
            extra = {} if case_sensitive is None else {"caseSensitive": "true" if case_sensitive else "false"}
            m.append(self.el("mapEntry", mapKey=key, mappedValue=number(value), **extra))
        return m

    def full_marks(self, part: _Part, test: ET.Element) -> ET.Element:
        return self.condition((test, [self.set_outcome(part.score, self.base("float", number(part.points)))]))

    def mapped(self, part: _Part, base: float | None = None) -> ET.Element:
        """SCORE from the response's mapping (plus a constant), 0 or the constant when unanswered."""
        value = self.el("mapResponse", identifier=part.rid)
        if base is not None:
            value = self.el("sum", self.base("float", number(base)), value)
        empty = [self.set_outcome(part.score, self.base("float", number(base or 0.0)))]
        return self.condition(
            (self.el("isNull", self.var(part.rid)), empty),
            (None, [self.set_outcome(part.score, value)]),
        )

    def match_correct(self, part: _Part) -> ET.Element:
        return self.full_marks(part, self.el("match", self.var(part.rid), self.el("correct", identifier=part.rid)))

    def feedback_from_response(self, part: _Part) -> None:
        if part.feedback:
            part.rules.append(self.set_outcome(part.fb, self.var(part.rid)))


# ---------------------------------------------------------------------------------------
# One builder per item type
# ---------------------------------------------------------------------------------------


def _choices(b: _Builder, spec: Any, part: _Part) -> None:
    ids = [f"{part.prefix}{letter(i)}" for i in range(len(spec.options))]
    correct = [ids[i] for i in spec.key]
    multiple = spec.type == "multiple_response"
    interaction = b.el("choiceInteraction", responseIdentifier=part.rid, shuffle=_bool(part.shuffle),
                       maxChoices="0" if multiple else "1")
    for ident, option in zip(ids, spec.options):
        interaction.append(b.html_inline(b.el("simpleChoice", identifier=ident), option.text))
        if option.feedback:
            part.feedback.append((ident, option.feedback))
    part.body.append(interaction)
    if not multiple:
        b.response(part, "single", "identifier", correct)
        part.rules.append(b.match_correct(part))
    else:
        part.fb_multiple = True
        k, n = len(spec.key), len(spec.options)
        if spec.scoring == "all_or_nothing":
            b.response(part, "multiple", "identifier", correct)
            part.rules.append(b.match_correct(part))
        elif spec.scoring == "right_minus_wrong":
            step = part.points / k
            entries = [(i, step if i in correct else -step) for i in ids]
            b.response(part, "multiple", "identifier", correct, b.mapping(entries, lower=0.0, upper=part.points))
            part.rules.append(b.mapped(part))
        else:  # partial: every option marked rightly, chosen or not, earns 1/n
            step = part.points / n
            entries = [(i, step if i in correct else -step) for i in ids]
            b.response(part, "multiple", "identifier", correct, b.mapping(entries))
            part.rules.append(b.mapped(part, base=step * (n - k)))
    b.feedback_from_response(part)


def _true_false(b: _Builder, spec: Any, part: _Part) -> None:
    ids = {True: f"{part.prefix}TRUE", False: f"{part.prefix}FALSE"}
    interaction = b.el("choiceInteraction", responseIdentifier=part.rid, shuffle="false", maxChoices="1")
    for value in (True, False):
        interaction.append(b.el("simpleChoice", text="True" if value else "False", identifier=ids[value]))
        fb = spec.feedback_true if value else spec.feedback_false
        if fb:
            part.feedback.append((ids[value], fb))
    part.body.append(interaction)
    b.response(part, "single", "identifier", [ids[spec.answer]])
    part.rules.append(b.match_correct(part))
    b.feedback_from_response(part)


def _close_to(b: _Builder, spec: Any, response: ET.Element, target: ET.Element) -> ET.Element:
    tol = spec.tolerance
    if tol.sigfig is not None:
        return b.el("equalRounded", response, target, roundingMode="significantFigures", figures=str(tol.sigfig))
    if tol.absolute is not None and tol.relative is None:
        t = number(tol.absolute)
        return b.el("equal", response, target, toleranceMode="absolute", tolerance=f"{t} {t}")
    if tol.relative is not None and tol.absolute is None:
        t = number(tol.relative * 100)  # QTI's relative tolerance is a percentage
        return b.el("equal", response, target, toleranceMode="relative", tolerance=f"{t} {t}")
    # both: the larger of the two, fixed at the key
    t = number(max(tol.absolute, tol.relative * abs(spec.answer)))
    return b.el("equal", response, target, toleranceMode="absolute", tolerance=f"{t} {t}")


def _numeric(b: _Builder, spec: Any, part: _Part) -> None:
    b.response(part, "single", "float", [number(spec.answer)])
    p = ET.Element("p")
    p.append(b.el("textEntryInteraction", responseIdentifier=part.rid, expectedLength="12"))
    if spec.unit:
        p[-1].tail = f" {spec.unit}"
    part.body.append(p)
    branches: list[tuple[ET.Element | None, list[ET.Element]]] = [
        (_close_to(b, spec, b.var(part.rid), b.el("correct", identifier=part.rid)),
         [b.set_outcome(part.score, b.base("float", number(part.points)))])
    ]
    for i, d in enumerate(spec.distractors):
        if d.feedback:
            ident = f"{part.prefix}D{i + 1}"
            part.feedback.append((ident, d.feedback))
            branches.append((_close_to(b, spec, b.var(part.rid), b.base("float", number(d.value))),
                             [b.set_outcome(part.fb, b.base("identifier", ident))]))
    part.rules.append(b.condition(*branches))


def _short_text(b: _Builder, spec: Any, part: _Part) -> None:
    entries = [(a, part.points) for a in dict.fromkeys(spec.answers)]
    b.response(part, "single", "string", [spec.answers[0]],
               b.mapping(entries, case_sensitive=spec.case_sensitive))
    p = ET.Element("p")
    p.append(b.el("textEntryInteraction", responseIdentifier=part.rid,
                  expectedLength=str(max(10, *(len(a) for a in spec.answers)))))
    part.body.append(p)
    part.rules.append(b.mapped(part))
    branches: list[tuple[ET.Element | None, list[ET.Element]]] = []
    for i, d in enumerate(spec.distractors):
        if d.feedback:
            ident = f"{part.prefix}D{i + 1}"
            part.feedback.append((ident, d.feedback))
            test = b.el("stringMatch", b.var(part.rid), b.base("string", d.text),
                        caseSensitive=_bool(spec.case_sensitive))
            branches.append((test, [b.set_outcome(part.fb, b.base("identifier", ident))]))
    if branches:
        part.rules.append(b.condition(*branches))


def _ordering(b: _Builder, spec: Any, part: _Part) -> None:
    ids = [f"{part.prefix}{letter(i)}" for i in range(len(spec.entries))]
    interaction = b.el("orderInteraction", responseIdentifier=part.rid, shuffle="false")
    for ident, entry in zip(ids, spec.entries):
        interaction.append(b.html_inline(b.el("simpleChoice", identifier=ident), entry))
    part.body.append(interaction)
    b.response(part, "ordered", "identifier", [ids[i] for i in spec.answer])
    part.rules.append(b.match_correct(part))
    if spec.scoring == "partial":
        b.warnings.append(f"{b.item_id}: QTI {b.s.version} scores the ordering all-or-nothing "
                          "(partial credit by longest ordered subsequence is not expressible)")


def _matching(b: _Builder, spec: Any, part: _Part) -> None:
    left = [f"{part.prefix}P{i + 1}" for i in range(len(spec.prompts))]
    right = [f"{part.prefix}{letter(j)}" for j in range(len(spec.choices))]
    pairs = [f"{left[i]} {right[j]}" for i, j in enumerate(spec.answer)]
    interaction = b.el("matchInteraction", responseIdentifier=part.rid, shuffle=_bool(part.shuffle),
                       maxAssociations=str(len(left)))
    sources = b.el("simpleMatchSet")
    for ident, text in zip(left, spec.prompts):
        sources.append(b.html_inline(b.el("simpleAssociableChoice", identifier=ident, matchMax="1"), text))
    targets = b.el("simpleMatchSet")
    for ident, text in zip(right, spec.choices):
        targets.append(b.html_inline(b.el("simpleAssociableChoice", identifier=ident, matchMax="1"), text))
    interaction.extend((sources, targets))
    part.body.append(interaction)
    if spec.scoring == "all_or_nothing":
        b.response(part, "multiple", "directedPair", pairs)
        part.rules.append(b.match_correct(part))
    else:
        step = part.points / len(pairs)
        b.response(part, "multiple", "directedPair", pairs, b.mapping([(p, step) for p in pairs], lower=0.0))
        part.rules.append(b.mapped(part))


def _open_response(b: _Builder, spec: Any, part: _Part) -> None:
    b.response(part, "single", "string", None)
    part.body.append(b.el("extendedTextInteraction", responseIdentifier=part.rid, expectedLines="10"))
    part.body.append(b.content(b.el("rubricBlock", use="scoring", view="scorer"), b.html_blocks(rubric_markdown(spec))))


PART_BUILDERS: dict[str, Callable[[_Builder, Any, _Part], None]] = {
    "single_choice": _choices,
    "multiple_response": _choices,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "ordering": _ordering,
    "matching": _matching,
    "open_response": _open_response,
}


def _bool(value: bool) -> str:
    return "true" if value else "false"


# ---------------------------------------------------------------------------------------
# Items, test, package
# ---------------------------------------------------------------------------------------


def item_document(item: Any, scheme: Scheme, *, points: float | None = None, shuffle: bool | None = None,
                  warnings: list[str] | None = None) -> ET.Element:
    """One assessmentItem (with key, scoring and feedback) as an element tree."""
    warnings = warnings if warnings is not None else []
    b = _Builder(scheme, item.id, warnings)
    total = float(item.points if points is None else points)
    body: list[ET.Element] = b.html_blocks(item.stem)
    parts: list[_Part] = []
    if item.type == "multipart":
        weights = sum(p.weight for p in item.parts)
        for spec in item.parts:
            part = _Part(rid=f"RESPONSE_{spec.label}", score=f"SCORE_{spec.label}", fb=f"FEEDBACK_{spec.label}",
                         prefix=f"{spec.label}_", points=total * spec.weight / weights,
                         shuffle=_shuffle(spec, shuffle))
            part.body.extend(b.html_blocks(f"**({spec.label})** {spec.prompt}"))
            PART_BUILDERS[spec.type](b, spec, part)
            parts.append(part)
    else:
        part = _Part(rid="RESPONSE", score="SCORE", fb="FEEDBACK", prefix="", points=total,
                     shuffle=_shuffle(item, shuffle))
        PART_BUILDERS[item.type](b, item, part)
        parts.append(part)

    root = b.el("assessmentItem", identifier=item.id, title=item.title, adaptive="false", timeDependent="false")
    root.attrib = {"xmlns": scheme.namespace, "xmlns:xsi": XSI, "xsi:schemaLocation": scheme.schema_location,
                   **root.attrib}
    for part in parts:
        root.extend(part.decls)
    root.append(_outcome(b, "SCORE", "float", "single", "0"))
    root.append(_outcome(b, "MAXSCORE", "float", "single", number(total)))
    for part in parts:
        if part.score != "SCORE":
            root.append(_outcome(b, part.score, "float", "single", "0"))
        if part.feedback:
            root.append(_outcome(b, part.fb, "identifier", "multiple" if part.fb_multiple else "single"))
    if item.explanation:
        root.append(_outcome(b, "SOLUTION", "identifier", "single"))
    item_body = b.el("itemBody", *body)
    for part in parts:
        item_body.extend(part.body)
    root.append(item_body)
    rules = [r for part in parts for r in part.rules]
    if len(parts) > 1:
        scored = [p.score for p in parts if p.rules]
        if scored:
            rules.append(b.set_outcome("SCORE", b.el("sum", *(b.var(s) for s in scored))))
    if item.explanation:
        rules.append(b.set_outcome("SOLUTION", b.base("identifier", "SOLUTION")))
    if rules:
        root.append(b.el("responseProcessing", *rules))
    for part in parts:
        for ident, text in part.feedback:
            fb = b.el("modalFeedback", outcomeIdentifier=part.fb, identifier=ident, showHide="show")
            root.append(b.content(fb, b.html_blocks(text)))
    if item.explanation:
        fb = b.el("modalFeedback", outcomeIdentifier="SOLUTION", identifier="SOLUTION", showHide="show",
                  title="Explanation")
        root.append(b.content(fb, b.html_blocks(item.explanation)))
    return root


def _shuffle(spec: Any, override: bool | None) -> bool:
    return bool(getattr(spec, "shuffle", False) or override)


def _outcome(b: _Builder, ident: str, base_type: str, cardinality: str, default: str | None = None) -> ET.Element:
    out = b.el("outcomeDeclaration", identifier=ident, cardinality=cardinality, baseType=base_type)
    if default is not None:
        out.append(b.el("defaultValue", b.el("value", text=default)))
    return out


def render_package(assessment: Assessment, scheme: Scheme) -> tuple[bytes, tuple[str, ...]]:
    """The content package (zip): manifest, one file per item, and the assessmentTest."""
    with gc_paused():  # see gc_paused: the collector would spend up to a third of the time
        return _render_package(assessment, scheme)


def _render_package(assessment: Assessment, scheme: Scheme) -> tuple[bytes, tuple[str, ...]]:
    warnings: list[str] = []
    b = _Builder(scheme, assessment.id, warnings)
    files: dict[str, bytes] = {}
    refs: dict[str, str] = {}  # item id -> href
    test = b.el("assessmentTest", identifier=assessment.id, title=assessment.title)
    test.attrib = {"xmlns": scheme.namespace, "xmlns:xsi": XSI, "xsi:schemaLocation": scheme.schema_location,
                   **test.attrib}
    test.append(_outcome(b, "SCORE", "float", "single", "0"))
    test_part = b.el("testPart", identifier="part1", navigationMode="nonlinear", submissionMode="simultaneous")
    test.append(test_part)
    used: set[str] = set()

    def item_ref(item: Any, group: Any) -> ET.Element:
        href = refs.get(item.id)
        if href is None:
            href = refs[item.id] = f"items/{item.id}.xml"
            doc = item_document(item, scheme, points=group.points_for(item),
                                shuffle=getattr(group, "shuffle_options", None), warnings=warnings)
            files[href] = tostring(doc)
        ident = _unique(item.id, used)
        return b.el("assessmentItemRef", identifier=ident, href=href)

    for n, section in enumerate(assessment.sections, 1):
        sec = b.el("assessmentSection", identifier=_unique(f"section-{n}", used),
                   title=section.title or assessment.title, visible="true")
        for group in section.groups:
            if len(group.items) == 1:
                sec.append(item_ref(group.items[0], group))
                continue
            grp = b.el("assessmentSection", identifier=_unique(f"group-{group.id}", used), title=group.title,
                       visible="false")
            grp.append(b.el("selection", select=str(group.pick)))
            grp.extend(item_ref(item, group) for item in group.items)
            sec.append(grp)
        test_part.append(sec)
    test.append(b.el("outcomeProcessing", b.set_outcome(
        "SCORE", b.el("sum", b.el("testVariables", variableIdentifier="SCORE")))))

    manifest = _manifest(scheme, assessment, refs)
    members = [("imsmanifest.xml", tostring(manifest)), ("test.xml", tostring(test))]
    members += sorted(files.items())
    return zip_bytes(members), tuple(dict.fromkeys(warnings))


def _unique(ident: str, used: set[str]) -> str:
    out, n = ident, 1
    while out in used:
        n += 1
        out = f"{ident}-{n}"
    used.add(out)
    return out


def _manifest(scheme: Scheme, assessment: Assessment, refs: dict[str, str]) -> ET.Element:
    root = ET.Element("manifest", {"xmlns": scheme.manifest_namespace, "xmlns:xsi": XSI,
                                   "xsi:schemaLocation": scheme.manifest_schema_location,
                                   "identifier": f"manifest-{assessment.id}"})
    meta = ET.SubElement(root, "metadata")
    ET.SubElement(meta, "schema").text = scheme.manifest_schema
    ET.SubElement(meta, "schemaversion").text = scheme.manifest_schemaversion
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    test = ET.SubElement(resources, "resource", {"identifier": f"test-{assessment.id}", "type": scheme.test_type,
                                                 "href": "test.xml"})
    ET.SubElement(test, "file", {"href": "test.xml"})
    for item_id in refs:
        ET.SubElement(test, "dependency", {"identifierref": f"item-{item_id}"})
    for item_id, href in refs.items():
        res = ET.SubElement(resources, "resource", {"identifier": f"item-{item_id}", "type": scheme.item_type,
                                                    "href": href})
        ET.SubElement(res, "file", {"href": href})
    return root
