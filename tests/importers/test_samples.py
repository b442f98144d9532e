"""The validator's samples (../shared/lms/samples): valid files import without loss, invalid
ones fail with file:line (or zip member) messages naming what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qbank.errors import BankError
from qbank.importers import bank_files, import_files, report_lines


def _samples_dir() -> Path:
    """The validator's samples: beside ../shared/lms/validate (QBANK_LMS_VALIDATE overrides), as for the exports."""
    from lms_validator import REPO, validator_path

    found = validator_path()
    candidates = [found.parent / "samples"] if found else []
    candidates += [REPO.parent / "shared" / "lms" / "samples", REPO.parents[1] / "shared" / "lms" / "samples"]
    return next((c for c in candidates if c.is_dir()), candidates[-1])


SAMPLES = _samples_dir()
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="the LMS samples are not on this machine")

IMPORTED = ("aiken", "blackboard", "gift", "moodle", "qti12", "qti21", "qti30")


def _samples(kind: str) -> list[Path]:
    return sorted(p for d in IMPORTED for p in (SAMPLES / kind / d).glob("*") if p.is_file()) if SAMPLES.is_dir() else []


# (file, number of questions in it): every one of them must come in
VALID_COUNTS = {
    "aiken/two_questions.txt": 2, "blackboard/all_types.txt": 9, "gift/all_types.gift": 10, "moodle/all_types.xml": 8,
    "qti12/canvas_assessment_only.xml": 8, "qti12/qti12_canvas.zip": 8, "qti12/text2qti_generated.zip": 6,
    "qti21/item_mc.xml": 1, "qti21/qti21_package.zip": 7, "qti30/item_mc.xml": 1, "qti30/qti30_package.zip": 7,
}


@pytest.mark.parametrize("path", _samples("valid"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_valid_sample_imports_every_question(path: Path) -> None:
    result = import_files([path])
    files = bank_files(result)
    assert result.skipped == []
    assert sum(len(t) for t in files.values()) == VALID_COUNTS[f"{path.parent.name}/{path.name}"]
    for line in report_lines(result):  # every change is said, with the place
        assert line.startswith(str(path))


def test_moodle_sample_keys(tmp_path: Path) -> None:
    result = import_files([SAMPLES / "valid/moodle/all_types.xml"])
    by_title = {q.title: q.content for q in result.questions}
    mc = by_title["MC single"]
    assert mc["type"] == "single_choice"
    assert [o["correct"] for o in mc["options"]] == [True, False, False]
    assert mc["options"][0]["feedback"] == "Yes."
    assert mc["options"][2]["text"] == "**undefined**"
    assert by_title["MC multiple response (partial credit)"]["type"] == "multiple_response"
    assert by_title["TF"] == {"type": "true_false", "stem": "Water boils at 100 C at sea level.", "answer": True,
                              "feedback_true": "Right.", "feedback_false": "It does."}
    num = by_title["Numeric with tolerance"]
    assert (num["answer"], num["tolerance"]) == (3.14, {"absolute": 0.01})
    match = by_title["Matching"]
    assert [match["choices"][a] for a in match["answer"]] == ["Paris", "Rome"] and "Madrid" in match["choices"]
    order = next(c for t, c in by_title.items() if t.startswith("Ordering"))
    assert [order["entries"][i] for i in order["answer"]] == ["Middle Ages", "Renaissance", "Industrial Revolution"]
    notes = "\n".join(report_lines(result))
    assert "all_types.xml:7: MC single: option C earned -33.333%" in notes
    assert "all_types.xml:42: Short answer: the answer 'Paris*' (50%) uses the * wildcard and was dropped" in notes


def test_qti_samples_keys() -> None:
    result = import_files([SAMPLES / "valid/qti21/qti21_package.zip", SAMPLES / "valid/qti12/qti12_canvas.zip"])
    by_id = {q.id: q.content for q in result.questions}
    assert by_id["num"]["answer"] == 3.14 and by_id["num"]["tolerance"] == {"absolute": 0.01}
    assert [by_id["order"]["entries"][i] for i in by_id["order"]["answer"]] == ["Middle Ages", "Renaissance", "Industrial Revolution"]
    assert by_id["q_num_range"]["answer"] == 2.0 and by_id["q_num_range"]["tolerance"] == {"absolute": 0.5}
    assert by_id["q_sa"]["answers"] == ["Paris", "Paris, France"]
    assert [o["correct"] for o in by_id["q_ma"]["options"]] == [True, False, True]


# file -> what the message must say (besides FILE:LINE)
INVALID = {
    "aiken/answer_out_of_range.txt": "ANSWER: C names no option",
    "aiken/lowercase_answer_keyword.txt": "ANSWER: in capitals",
    "aiken/multiline_stem.txt": "has a second line",
    "aiken/stem_looks_like_option.txt": "starts like an option",
    "blackboard/header_row.txt": "unknown question type 'Type'",
    "blackboard/num_comma_mat_odd.txt": "use a decimal point",
    "blackboard/two_correct_blank_line_tf_case.txt": "exactly one correct answer",
    "gift/missing_blank_line.gift": "separate questions with a blank line",
    "gift/numeric_comma.gift": "use a decimal point",
    "gift/unclosed_brace.gift": "not closed by '}'",
    "gift/unescaped_colon_in_stem.gift": "unescaped ':'",
    "gift/unescaped_equals.gift": "unescaped '='",
    "gift/weight_not_moodle_grade.gift": "33% is not one of Moodle's grades",
    "moodle/fraction_not_in_grade_list.xml": "-33.3 is not one of Moodle's grades",
    "moodle/missing_name_and_single_match.xml": "no <name><text>",
    "moodle/multiresponse_sum_not_100.xml": "add up to 90%",
    "moodle/numeric_comma_decimal.xml": "use a decimal point",
    "moodle/raw_html_in_text.xml": "holds the element <p>",
    "moodle/unescaped_ampersand.xml": "not well-formed XML",
    "moodle/unknown_type.xml": "unknown question type 'longanswer'",
    "moodle/wrong_root_and_type.xml": "root <questions>",
    "qti12/item_without_ident.xml": "has no ident",
    "qti12/matching_action_set.xml": "action='Set'",
    "qti12/mc_correct_id_missing.xml": "'9999', which is not one of the choices",
    "qti12/qti12_bad_missing_file.zip": "'gquiz1/quiz.xml', which is not in the zip",
    "qti12/raw_html_in_mattext.xml": "holds the element <p>",
    "qti12/shortanswer_no_answer_and_ordering.xml": "unknown question_type 'ordering_question'",
    "qti21/correct_value_not_a_choice.xml": "'RESP' is not declared",
    "qti21/element_order.xml": "<responseDeclaration> comes after <itemBody>",
    "qti21/qti21_bad_manifest.zip": "'items/numeric.xml', which is not in the zip",
    "qti21/xsd_bad_attribute.xml": "maxChoices='one'",
    "qti30/correct_value_not_a_choice.xml": "'b' is not one of the choices",
    "qti30/feedback_without_content_body.xml": "inside <qti-content-body>",
    "qti30/qti21_names_in_qti30.xml": "the QTI 2.1 element <simpleChoice>",
}


@pytest.mark.parametrize("path", _samples("invalid"), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_sample_fails_with_file_and_line(path: Path) -> None:
    with pytest.raises(BankError) as info:
        import_files([path])
    message = str(info.value)
    assert INVALID[f"{path.parent.name}/{path.name}"] in message
    for problem in info.value.problems:
        assert problem.file.startswith(str(path))
        assert problem.line is not None, str(problem)
    assert re.match(re.escape(str(path)) + r"(!\S+)?:\d+: ", message)
