"""The export side of the way back: every LMS export carries what ties a result to its variant."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from lms_class import html_to_text, strip_tags

from qbank.questions import builtin_bank
from qbank.quiz.manifest import Manifest
from qbank.results import VariantIndex

@pytest.fixture(scope="module")
def demo(demo_out: Path) -> tuple[Path, Manifest, VariantIndex]:
    manifest = Manifest.load(demo_out / "manifest.json")
    return demo_out, manifest, VariantIndex(manifest, manifest.regenerate(builtin_bank()))


def test_item_ids_name_template_version_and_seed(demo) -> None:
    _, manifest, _ = demo
    for variants in manifest.groups.values():
        for e in variants:
            assert re.fullmatch(r"(.+)-v(\d+)-s(\d+)", e.item).groups() == (e.template, str(e.version), str(e.seed))


def test_canvas_carries_the_id_and_a_question_text_that_names_one_variant(demo) -> None:
    out, manifest, index = demo
    with zipfile.ZipFile(out / "lms" / "demo-quiz-canvas.zip") as z:
        root = ET.fromstring(z.read("demo-quiz/demo-quiz.xml"))
    q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    texts = {i.get("ident"): i.find(f"{q}presentation/{q}material/{q}mattext").text for i in root.iter(f"{q}item")}
    for variant in index.entries:
        assert variant in texts  # the ident, which Canvas keeps as the question's migration id
        # the Student Analysis report shows only the text: it must name this variant and no other
        assert index.by_text(strip_tags(texts[variant]))[0] == [variant]


def test_moodle_carries_the_id_and_a_summary_that_names_one_variant(demo) -> None:
    out, _, index = demo
    root = ET.parse(out / "lms" / "demo-quiz-moodle.xml").getroot()
    questions = {q.findtext("idnumber"): q for q in root.iter("question") if q.get("type") != "category"}
    for variant in index.entries:
        q = questions[variant]
        assert f"[{variant}]" in q.findtext("name/text")
        summary = html_to_text(q.findtext("questiontext/text"))
        options = [html_to_text(a.findtext("text")) for a in q.findall("answer")]
        if q.get("type") == "multichoice":
            summary += ": " + "; ".join(reversed(options))  # in the order one student saw them
        assert index.by_summary(summary) == [variant]


@pytest.mark.parametrize("fmt", ["qti21", "qti3"])
def test_qti_item_refs_are_the_item_ids(demo, fmt: str) -> None:
    out, _, index = demo
    with zipfile.ZipFile(out / "lms" / f"demo-quiz-{fmt}.zip") as z:
        test = ET.fromstring(z.read("test.xml"))
    refs = {el.get("identifier") for el in test.iter() if el.tag.endswith(("assessmentItemRef", "qti-assessment-item-ref"))}
    assert set(index.entries) <= refs  # results report itemResult identifier="<item id>"
