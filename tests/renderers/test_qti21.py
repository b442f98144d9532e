"""QTI 2.1 content packages: validity, layout, groups, scoring, round trips, hostile text.

test_qti3.py runs these same specifications against QTI 3.0 by overriding ``scheme``.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from renderer_testing import HOSTILE, make_every_type_items, markdown_text

from qbank.errors import InputError
from qbank.questions import Assessment
from qbank.renderers import get_format
from qbank.renderers._qti import QTI21, Scheme


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return QTI21


@pytest.fixture(scope="module")
def format_name(scheme: Scheme) -> str:
    return "qti21" if scheme is QTI21 else "qti3"


@pytest.fixture(scope="module")
def rendered(lms_assessment: Assessment, format_name: str) -> Any:
    return get_format(format_name).render(lms_assessment, audience="instructor")


@pytest.fixture(scope="module")
def members(rendered: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


class Doc:
    """An item or test parsed back, searched by 2.1 names whatever the version."""

    def __init__(self, data: bytes, scheme: Scheme):
        self.root = ET.fromstring(data)
        self.s = scheme

    def tag(self, name: str) -> str:
        return f"{{{self.s.namespace}}}{self.s.element(name)}"

    def all(self, name: str, under: ET.Element | None = None) -> list[ET.Element]:
        return list((self.root if under is None else under).iter(self.tag(name)))

    def one(self, name: str, under: ET.Element | None = None) -> ET.Element:
        found = self.all(name, under)
        assert len(found) == 1, f"{len(found)} <{name}>"
        return found[0]

    def attr(self, el: ET.Element, name: str) -> str | None:
        return el.get(self.s.attr(name))


_HTML_BLOCKS = {"p", "table", "ul", "ol", "pre", "blockquote", "div", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}


def text_of(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


@pytest.fixture(scope="module")
def items(members: dict[str, bytes], scheme: Scheme) -> dict[str, Doc]:
    docs = {name: Doc(data, scheme) for name, data in members.items() if name.startswith("items/")}
    return {doc.root.get("identifier"): doc for doc in docs.values()}


def test_package_passes_the_validator(rendered: Any, format_name: str, validate: Any,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp(format_name) / f"all_{format_name}.zip"
    path.write_bytes(rendered.content)
    result = validate("qti21" if format_name == "qti21" else "qti30", [path])
    assert result.returncode == 0, result.stdout + result.stderr


def test_registered_for_instructors_only(format_name: str) -> None:
    fmt = get_format(format_name)
    assert (fmt.suffix, fmt.audiences, fmt.lms) == (".zip", ("instructor",), True)
    with pytest.raises(InputError, match="it has no student version"):
        fmt.render(Assessment.from_items(make_every_type_items()[:1], title="T"), audience="student")


def test_same_input_gives_identical_bytes(lms_assessment: Assessment, rendered: Any, format_name: str) -> None:
    assert get_format(format_name).render(lms_assessment, audience="instructor").content == rendered.content


def test_zip_has_fixed_dates_and_order(rendered: Any) -> None:
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos[:2]] == ["imsmanifest.xml", "test.xml"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [i.filename for i in infos[2:]] == sorted(i.filename for i in infos[2:])


def test_manifest_lists_one_resource_per_item_file(members: dict[str, bytes], scheme: Scheme) -> None:
    manifest = ET.fromstring(members["imsmanifest.xml"])
    ns = {"cp": scheme.manifest_namespace}
    resources = manifest.findall("cp:resources/cp:resource", ns)
    hrefs = {r.get("href"): r.get("type") for r in resources}
    item_files = {name for name in members if name.startswith("items/")}
    assert {h for h, t in hrefs.items() if t == scheme.item_type} == item_files
    assert hrefs["test.xml"] == scheme.test_type


def test_drawn_group_is_a_section_that_selects_one(members: dict[str, bytes], scheme: Scheme, every_type_items: list[Any]) -> None:
    test = Doc(members["test.xml"], scheme)
    group = next(s for s in test.all("assessmentSection") if s.get("identifier") == "group-pool")
    assert test.attr(test.one("selection", group), "select") == "1"
    refs = [r.get("identifier") for r in test.all("assessmentItemRef", group)]
    assert refs == [i.id + "-2" for i in every_type_items[:3]]  # the same variants also appear as fixed items


def test_round_trip_stems_choices_and_keys(items: dict[str, Doc], every_type_items: list[Any], bank_items: list[Any]) -> None:
    for item in [*every_type_items, *bank_items]:
        if item.type == "multipart":
            continue
        doc = items[item.id]
        body = doc.one("itemBody")
        # the stem is the XHTML before the interaction (a text entry sits inside its own <p>)
        interaction_free = [el for el in body if el.tag.rsplit("}", 1)[-1] in _HTML_BLOCKS
                            and not any(d.tag.lower().endswith("interaction") for d in el.iter())]
        assert " ".join(text_of(el) for el in interaction_free) == markdown_text(item.stem), item.id
        decl = doc.one("responseDeclaration")
        correct = [v.text for v in doc.all("value", doc.one("correctResponse", decl))] if item.type != "open_response" else []
        if item.type in ("single_choice", "multiple_response"):
            choices = doc.all("simpleChoice")
            assert [text_of(c) for c in choices] == [markdown_text(o.text, inline=True) for o in item.options]
            assert correct == [choices[i].get("identifier") for i in item.key]
        elif item.type == "true_false":
            assert correct == ["TRUE" if item.answer else "FALSE"]
        elif item.type == "numeric":
            assert float(correct[0]) == item.answer
        elif item.type == "short_text":
            keys = [doc.attr(e, "mapKey") for e in doc.all("mapEntry")]
            assert keys == list(item.answers)
            assert {doc.attr(e, "caseSensitive") for e in doc.all("mapEntry")} == {str(item.case_sensitive).lower()}
        elif item.type == "ordering":
            choices = {c.get("identifier"): text_of(c) for c in doc.all("simpleChoice")}
            assert [choices[c] for c in correct] == [markdown_text(item.entries[i], inline=True) for i in item.answer]
        elif item.type == "matching":
            sets = doc.all("simpleMatchSet")
            left = {c.get("identifier"): text_of(c) for c in doc.all("simpleAssociableChoice", sets[0])}
            right = {c.get("identifier"): text_of(c) for c in doc.all("simpleAssociableChoice", sets[1])}
            pairs = [tuple(v.split()) for v in correct]
            assert [(left[a], right[b]) for a, b in pairs] == [
                (markdown_text(p, inline=True), markdown_text(item.choices[j], inline=True)) for p, j in zip(item.prompts, item.answer)]
        elif item.type == "open_response":
            rubric = doc.one("rubricBlock")
            assert rubric.get("view") == "scorer"
            assert markdown_text(item.sample_answer) in text_of(rubric)


@pytest.mark.parametrize(("item_id", "mode", "tolerance"), [
    ("t-num-abs-v1-s0", "absolute", "0.001 0.001"),
    ("t-num-rel-v1-s0", "relative", "2 2"),  # percent
    ("t-num-both-v1-s0", "absolute", "0.0002 0.0002"),  # the larger, fixed at the key
])
def test_numeric_tolerance(items: dict[str, Doc], item_id: str, mode: str, tolerance: str) -> None:
    doc = items[item_id]
    equal = doc.all("equal")[0]
    assert (doc.attr(equal, "toleranceMode"), equal.get("tolerance")) == (mode, tolerance)


def test_significant_figures_use_equal_rounded(items: dict[str, Doc]) -> None:
    doc = items["t-num-sig-v1-s0"]
    rounded = doc.one("equalRounded")
    assert (doc.attr(rounded, "roundingMode"), rounded.get("figures")) == ("significantFigures", "3")


def _mapping(doc: Doc) -> tuple[dict[str, str], dict[str, float]]:
    m = doc.one("mapping")
    bounds = {k: m.get(doc.s.attr(k)) for k in ("lowerBound", "upperBound")}
    return bounds, {doc.attr(e, "mapKey"): float(doc.attr(e, "mappedValue")) for e in doc.all("mapEntry", m)}


def test_right_minus_wrong_maps_plus_and_minus_one_over_k(items: dict[str, Doc]) -> None:
    bounds, entries = _mapping(items["t-multi-v1-s0"])
    assert entries == {"A": 0.5, "B": 0.5, "C": -0.5, "D": -0.5}
    assert bounds == {"lowerBound": "0", "upperBound": "1"}


def test_partial_multiple_response_starts_from_the_wrong_options(items: dict[str, Doc]) -> None:
    doc = items["t-multi-partial-v1-s0"]
    _, entries = _mapping(doc)
    assert entries == pytest.approx({"A": 1 / 3, "B": -1 / 3, "C": 1 / 3})
    base = doc.all("baseValue", doc.one("sum"))[0]
    assert float(base.text) == pytest.approx(1 / 3)  # "3" left unchosen is already right


def test_drawn_group_items_score_the_group_points(items: dict[str, Doc]) -> None:
    # the pool gives 2 points per item; the same variant as a fixed item keeps its own 1 point
    doc = items["t-single-v1-s0"]
    maxscore = next(o for o in doc.all("outcomeDeclaration") if o.get("identifier") == "MAXSCORE")
    assert text_of(maxscore) in ("1", "2")


def test_multipart_sums_weighted_parts(items: dict[str, Doc]) -> None:
    doc = items["t-multipart-v1-s0"]
    interactions = [el for el in doc.one("itemBody").iter() if el.tag.endswith(("Interaction", "interaction"))]
    assert len(interactions) == 7
    total = next(s for s in doc.all("setOutcomeValue") if s.get("identifier") == "SCORE")
    parts = [v.get("identifier") for v in doc.all("variable", total)]
    assert parts == [f"SCORE_{label}" for label in "abcdefg"]
    first = next(s for s in doc.all("setOutcomeValue") if s.get("identifier") == "SCORE_a")
    assert float(text_of(first)) == 0.25  # weight 2 of 8 of one point


def test_feedback_and_explanation_are_modal_feedback(items: dict[str, Doc]) -> None:
    doc = items["t-single-v1-s0"]
    shown = {(doc.attr(f, "outcomeIdentifier"), f.get("identifier")): text_of(f) for f in doc.all("modalFeedback")}
    assert shown[("FEEDBACK", "B")] == "Only when \\(p = 1\\)."  # math stays TeX for MathJax
    assert shown[("SOLUTION", "SOLUTION")] == markdown_text("The loss is $-\\ln p$.")


def test_partial_ordering_is_warned(rendered: Any) -> None:
    assert any(w.startswith("t-order-v1-s0: QTI") and "all-or-nothing" in w for w in rendered.warnings)
    assert not any(w.startswith("t-order-exact-v1-s0") for w in rendered.warnings)


def test_hostile_text_survives_and_no_script_element(items: dict[str, Doc], members: dict[str, bytes]) -> None:
    doc = items["t-hostile-v1-s0"]
    assert HOSTILE in text_of(doc.one("itemBody"))
    assert doc.root.get("title") == f"Hostile {HOSTILE}"
    for data in members.values():
        assert not [el for el in ET.fromstring(data).iter() if el.tag.rsplit("}", 1)[-1] == "script"]
