"""Moodle XML: validity, categories, fractions, round trips, hostile text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from renderer_testing import HOSTILE, html_tags, html_text, markdown_text

from qbank.errors import InputError
from qbank.questions import Assessment
from qbank.renderers import get_format
from qbank.renderers.moodle import GRADES, category_path, cloze_escape, render_assessment, split_100


@pytest.fixture(scope="module")
def rendered(lms_assessment: Assessment) -> Any:
    return render_assessment(lms_assessment, "instructor")


@pytest.fixture(scope="module")
def questions(rendered: Any) -> dict[str, ET.Element]:
    root = ET.fromstring(rendered.content)
    return {q.findtext("idnumber"): q for q in root.iter("question") if q.get("type") != "category"}


def test_every_item_passes_the_moodle_validator(rendered: Any, validate: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("moodle") / "all.xml"
    path.write_text(rendered.content, encoding="utf-8")
    result = validate("moodle", [path])
    assert result.returncode == 0, result.stdout + result.stderr


def test_registered_for_instructors_only() -> None:
    fmt = get_format("moodle")
    assert (fmt.suffix, fmt.audiences, fmt.lms) == (".xml", ("instructor",), True)
    with pytest.raises(InputError, match="always carries the answer key; it has no student version"):
        fmt.render(_tiny(), audience="student")


def _tiny() -> Assessment:
    from renderer_testing import make_every_type_items

    return Assessment.from_items(make_every_type_items()[:1], title="Tiny")


def test_output_is_deterministic(lms_assessment: Assessment, rendered: Any) -> None:
    assert render_assessment(lms_assessment, "instructor").content == rendered.content


@pytest.mark.parametrize("k", range(1, 21))
def test_multiple_response_shares_are_moodle_grades_that_sum_to_100(k: int) -> None:
    shares = split_100(k)
    assert shares is not None and len(shares) == k
    assert all(any(abs(s - g) < 1e-9 for g in GRADES) for s in shares)
    assert round(sum(shares), 2) == 100


def test_more_than_20_correct_options_cannot_be_carried() -> None:
    assert split_100(21) is None


@pytest.mark.parametrize(("k", "expected"), [(3, 33.33333), (6, 16.66667), (7, 14.28571), (8, 12.5), (9, 11.11111)])
def test_equal_shares_when_100_over_k_is_in_the_list(k: int, expected: float) -> None:
    assert split_100(k) == (expected,) * k


def test_categories_one_per_drawn_group(rendered: Any, lms_assessment: Assessment) -> None:
    root = ET.fromstring(rendered.content)
    paths = [q.findtext("category/text") for q in root.iter("question") if q.get("type") == "category"]
    # the drawn group's title contains a slash, which Moodle escapes by doubling
    assert paths == ["$course$/top/Every type", "$course$/top/Every type/Pick one // of three"]
    assert category_path("A/B", "c") == "$course$/top/A//B/c"


def test_round_trip_questions_and_keys(questions: dict[str, ET.Element], every_type_items: list[Any], bank_items: list[Any]) -> None:
    for item in [*every_type_items, *bank_items]:
        if item.type == "multipart":
            continue
        q = questions[item.id]
        assert html_text(q.findtext("questiontext/text")) == markdown_text(item.stem), item.id
        assert html_text(q.findtext("generalfeedback/text")) == markdown_text(item.explanation)
        answers = q.findall("answer")
        if item.type in ("single_choice", "multiple_response"):
            assert [html_text(a.findtext("text")) for a in answers] == [markdown_text(o.text, inline=True) for o in item.options]
            assert [i for i, a in enumerate(answers) if float(a.get("fraction")) > 0] == list(item.key)
            assert [html_text(a.findtext("feedback/text")) for a in answers] == [markdown_text(o.feedback) for o in item.options]
        elif item.type == "true_false":
            right = [a.findtext("text") for a in answers if a.get("fraction") == "100"]
            assert right == [str(item.answer).lower()]
        elif item.type == "numeric":
            value, tol = float(answers[0].findtext("text")), float(answers[0].findtext("tolerance"))
            assert abs(value - item.answer) <= tol
        elif item.type == "short_text":
            assert [a.findtext("text") for a in answers if a.get("fraction") == "100"] == list(item.answers)
            assert q.findtext("usecase") == ("1" if item.case_sensitive else "0")
        elif item.type == "ordering":
            assert [html_text(a.findtext("text")) for a in answers] == [markdown_text(item.entries[i], inline=True) for i in item.answer]
        elif item.type == "matching":
            pairs = [(html_text(s.findtext("text")), s.findtext("answer/text")) for s in q.findall("subquestion")]
            assert pairs[: len(item.prompts)] == [(markdown_text(p, inline=True), item.choices[j]) for p, j in zip(item.prompts, item.answer)]
        elif item.type == "open_response":
            grader = html_text(q.findtext("graderinfo/text"))
            assert markdown_text(item.sample_answer) in grader
            assert all(c.title in grader for c in item.rubric.criteria)


@pytest.mark.parametrize(("item_id", "answer", "tolerance"), [
    ("t-num-abs-v1-s0", 1.386, 0.001),
    ("t-num-rel-v1-s0", 50.0, 1.0),  # 2% of 50, fixed at the key
    ("t-num-both-v1-s0", 0.002, 0.0002),  # the larger of 0.0001 and 10% of 0.002
    ("t-num-sig-v1-s0", 0.368, 0.0005),  # 3 significant figures: half a unit in the last place
])
def test_numeric_tolerance_becomes_absolute(questions: dict[str, ET.Element], item_id: str, answer: float, tolerance: float) -> None:
    first = questions[item_id].find("answer")
    assert (float(first.findtext("text")), float(first.findtext("tolerance"))) == pytest.approx((answer, tolerance))


def test_numeric_distractor_keeps_its_feedback_after_the_key(questions: dict[str, ET.Element]) -> None:
    answers = questions["t-num-abs-v1-s0"].findall("answer")
    assert [(a.get("fraction"), a.findtext("text")) for a in answers] == [("100", "1.386"), ("0", "0.602")]
    assert "log" in html_text(answers[1].findtext("feedback/text"))


def test_multiple_response_fractions(questions: dict[str, ET.Element]) -> None:
    fractions = [a.get("fraction") for a in questions["t-multi-v1-s0"].findall("answer")]
    assert fractions == ["50", "50", "-50", "-50"]
    assert questions["t-multi-v1-s0"].findtext("single") == "false"


def test_ordering_grades_by_longest_ordered_subset(questions: dict[str, ET.Element]) -> None:
    assert questions["t-order-v1-s0"].findtext("gradingtype") == "LONGEST_ORDERED_SUBSET"
    assert questions["t-order-exact-v1-s0"].findtext("gradingtype") == "ALL_OR_NOTHING"
    assert questions["t-order-v1-s0"].findtext("selecttype") == "ALL"


def test_multipart_becomes_cloze_with_weighted_gaps(questions: dict[str, ET.Element]) -> None:
    q = questions["t-multipart-v1-s0"]
    assert q.get("type") == "cloze"
    text = q.findtext("questiontext/text")
    # part a (weight 2 of 8) against part b (weight 1 of 8); matching f splits its share over 2 drop-downs
    assert "{4:NUMERICAL:=1.386294361:0.01}" in text
    # a literal backslash is doubled inside a cloze gap
    assert r"{2:MULTICHOICE_V:=Higher than for \\(p = 0.5\\)#Yes.~%0%Lower than for \\(p = 0.5\\)#Lower p, higher loss.}" in text
    assert "{2:SHORTANSWER:=cross-entropy~=NLL}" in text
    assert text.count(":MULTICHOICE:") == 4  # f: two prompts, g: two positions


def test_cloze_escape_protects_the_specials() -> None:
    assert cloze_escape('a}b#c~d/e"f\\g{<') == 'a\\}b\\#c\\~d\\/e\\"f\\\\g\\{&lt;'


def test_degradations_are_warned_with_the_item_id(rendered: Any) -> None:
    assert "t-multi-aon-v1-s0: Moodle has no all-or-nothing multiple response" in "\n".join(rendered.warnings)
    assert any(w.startswith("t-match-aon-v1-s0:") for w in rendered.warnings)


def test_hostile_text_survives_and_is_never_markup(questions: dict[str, ET.Element], rendered: Any) -> None:
    q = questions["t-hostile-v1-s0"]
    assert html_text(q.findtext("questiontext/text")) == f"Stem {' '.join(HOSTILE.split())} end"
    assert html_text(q.find("answer").findtext("feedback/text")) == f"Feedback {' '.join(HOSTILE.split())}"
    assert HOSTILE in html_text(q.findtext("name/text"))
    for text in ET.fromstring(rendered.content).iter("text"):
        assert "script" not in html_tags(text.text)


def test_skips_a_multipart_with_an_essay_part_and_says_so() -> None:
    from renderer_testing import _item, _rubric

    from qbank.questions.items import OpenResponsePart

    item = _item("t-mixed", type="multipart", stem="Two parts.", parts=[
        OpenResponsePart(label="a", prompt="Explain.", rubric=_rubric(), sample_answer="Because."),
    ])
    out = render_assessment(Assessment.from_items([item], title="Q"), "instructor")
    assert "<idnumber>t-mixed-v1-s0</idnumber>" not in out.content
    assert out.warnings == ("t-mixed-v1-s0: skipped in Moodle XML: part a: a open_response part has no cloze subquestion",)


def test_written_file_is_utf8(tmp_path: Path, rendered: Any) -> None:
    path = tmp_path / "q.xml"
    path.write_bytes(rendered.content.encode("utf-8"))
    assert ET.parse(path).getroot().tag == "quiz"
