"""Canvas Classic Quizzes QTI 1.2: validity, package, groups, question types, hostile text."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from renderer_testing import HOSTILE, html_tags, html_text, make_every_type_items, markdown_text

from qbank.errors import InputError
from qbank.questions import Assessment
from qbank.renderers import get_format
from qbank.renderers.canvas import render_assessment

NS = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


@pytest.fixture(scope="module")
def rendered(lms_assessment: Assessment) -> Any:
    return render_assessment(lms_assessment, "instructor")


@pytest.fixture(scope="module")
def members(rendered: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def quiz(members: dict[str, bytes]) -> ET.Element:
    return ET.fromstring(members["every-type/every-type.xml"])


@pytest.fixture(scope="module")
def items(quiz: ET.Element) -> dict[str, ET.Element]:
    return {item.get("ident"): item for item in quiz.iter(f"{NS}item")}


def meta(item: ET.Element) -> dict[str, str]:
    return {f.findtext(f"{NS}fieldlabel"): f.findtext(f"{NS}fieldentry") for f in item.iter(f"{NS}qtimetadatafield")}


def test_package_passes_the_validator(rendered: Any, validate: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("canvas") / "all_canvas.zip"
    path.write_bytes(rendered.content)
    result = validate("qti12", [path])
    assert result.returncode == 0, result.stdout + result.stderr


def test_registered_for_instructors_only() -> None:
    fmt = get_format("canvas")
    assert (fmt.suffix, fmt.audiences, fmt.lms) == (".zip", ("instructor",), True)
    with pytest.raises(InputError, match="it has no student version"):
        fmt.render(Assessment.from_items(make_every_type_items()[:1], title="T"), audience="student")


def test_same_input_gives_identical_bytes(lms_assessment: Assessment, rendered: Any) -> None:
    assert render_assessment(lms_assessment, "instructor").content == rendered.content


def test_package_layout_is_canvas_s_own(members: dict[str, bytes]) -> None:
    assert list(members) == ["imsmanifest.xml", "every-type/every-type.xml", "every-type/assessment_meta.xml"]
    manifest = ET.fromstring(members["imsmanifest.xml"])
    hrefs = [f.get("href") for f in manifest.iter("{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}file")]
    assert hrefs == ["every-type/every-type.xml", "every-type/assessment_meta.xml"]


@pytest.mark.parametrize(("item_id", "question_type"), [
    ("t-single-v1-s0", "multiple_choice_question"),
    ("t-multi-v1-s0", "multiple_answers_question"),
    ("t-tf-v1-s0", "true_false_question"),
    ("t-num-abs-v1-s0", "numerical_question"),
    ("t-short-v1-s0", "short_answer_question"),
    ("t-order-v1-s0", "matching_question"),  # Classic Quizzes has no ordering type
    ("t-match-v1-s0", "matching_question"),
    ("t-open-v1-s0", "essay_question"),
])
def test_question_types(items: dict[str, ET.Element], item_id: str, question_type: str) -> None:
    assert meta(items[item_id])["question_type"] == question_type


def test_drawn_group_is_a_question_group_picking_one(quiz: ET.Element, every_type_items: list[Any]) -> None:
    group = next(s for s in quiz.iter(f"{NS}section") if s.get("ident") == "group-pool")
    assert group.get("title") == "Pick one / of three"
    assert group.findtext(f"{NS}selection_ordering/{NS}selection/{NS}selection_number") == "1"
    assert [i.get("ident") for i in group.findall(f"{NS}item")] == [f"{i.id}-2" for i in every_type_items[:3]]
    assert [meta(i)["points_possible"] for i in group.findall(f"{NS}item")] == ["2", "2", "2"]


def test_round_trip_choices_and_keys(items: dict[str, ET.Element], every_type_items: list[Any], bank_items: list[Any]) -> None:
    for item in [*every_type_items, *bank_items]:
        if item.id not in items:
            continue
        el = items[item.id]
        stem = el.find(f"{NS}presentation/{NS}material/{NS}mattext")
        assert html_text(stem.text) == markdown_text(item.stem), item.id
        if item.type in ("single_choice", "multiple_response"):
            labels = list(el.iter(f"{NS}response_label"))
            assert [html_text(lab.findtext(f".//{NS}mattext")) for lab in labels] == [markdown_text(o.text, inline=True) for o in item.options]
            scoring = [rc for rc in el.iter(f"{NS}respcondition") if rc.findtext(f"{NS}setvar") == "100"]
            chosen = [v.text for v in scoring[0].iter(f"{NS}varequal")]
            negated = [v.text for n in scoring[0].iter(f"{NS}not") for v in n.iter(f"{NS}varequal")]
            ids = [lab.get("ident") for lab in labels]
            assert sorted(ids.index(c) for c in chosen if c not in negated) == list(item.key)


def test_numeric_margin_and_precision(items: dict[str, ET.Element]) -> None:
    def band(item_id: str) -> dict[str, str]:
        return {el.tag.replace(NS, ""): el.text for el in items[item_id].iter() if el.tag.replace(NS, "").startswith("var")}

    assert band("t-num-rel-v1-s0") == {"varequal": "50", "vargte": "49", "varlte": "51"}
    # three significant figures: Canvas's precision answer, open below and closed above
    assert band("t-num-sig-v1-s0") == {"varequal": "0.368", "vargt": "0.3675", "varlte": "0.3685"}


def test_matching_adds_score_per_pair(items: dict[str, ET.Element]) -> None:
    setvars = [s for s in items["t-match-v1-s0"].iter(f"{NS}setvar")]
    assert [(s.get("action"), s.text) for s in setvars] == [("Add", "33.3333333333")] * 3


def test_feedback_per_answer_and_general(items: dict[str, ET.Element]) -> None:
    fb = {f.get("ident"): html_text(f.findtext(f".//{NS}mattext")) for f in items["t-single-v1-s0"].iter(f"{NS}itemfeedback")}
    assert fb["general_fb"] == markdown_text("The loss is $-\\ln p$.")
    assert fb["1002_fb"] == "Only when \\(p = 1\\)."


def test_essay_carries_rubric_and_sample_answer(items: dict[str, ET.Element], every_type_items: list[Any]) -> None:
    essay = next(i for i in every_type_items if i.type == "open_response")
    general = next(f for f in items[essay.id].iter(f"{NS}itemfeedback") if f.get("ident") == "general_fb")
    text = html_text(general.findtext(f".//{NS}mattext"))
    assert "Per-token loss" in text and essay.sample_answer in text


def test_unsupported_multipart_is_skipped_with_a_warning_naming_it(items: dict[str, ET.Element], rendered: Any) -> None:
    assert "t-multipart-v1-s0" not in items
    assert any(w.startswith("t-multipart-v1-s0: skipped in Canvas") for w in rendered.warnings)
    assert any(w.startswith("t-order-v1-s0: Canvas has no ordering type") for w in rendered.warnings)


def test_all_choice_multipart_becomes_multiple_dropdowns() -> None:
    from renderer_testing import _item

    from qbank.questions.items import SingleChoicePart, TrueFalsePart

    item = _item("t-dd", type="multipart", stem="Two parts.", parts=[
        SingleChoicePart(label="a", prompt="Pick.", options=[{"text": "x", "correct": True}, {"text": "y"}]),
        TrueFalsePart(label="b", prompt="True?", answer=False),
    ])
    out = render_assessment(Assessment.from_items([item], title="Q"), "instructor")
    with zipfile.ZipFile(io.BytesIO(out.content)) as zf:
        root = ET.fromstring(zf.read("quiz/quiz.xml"))
    el = next(root.iter(f"{NS}item"))
    assert meta(el)["question_type"] == "multiple_dropdowns_question"
    assert "[p1]" in el.findtext(f".//{NS}mattext") and "[p2]" in el.findtext(f".//{NS}mattext")
    scored = {v.get("respident"): v.text for v in el.iter(f"{NS}varequal")}
    assert scored == {"response_p1": "1000", "response_p2": "2002"}


def test_hostile_text_survives_and_never_becomes_markup(items: dict[str, ET.Element], members: dict[str, bytes]) -> None:
    el = items["t-hostile-v1-s0"]
    stem = el.find(f"{NS}presentation/{NS}material/{NS}mattext").text
    assert html_text(stem) == f"Stem {HOSTILE} end"
    assert "script" not in html_tags(stem)
    for data in members.values():
        for node in ET.fromstring(data).iter():
            assert node.tag.rsplit("}", 1)[-1] != "script"
            assert "script" not in html_tags(node.text)
