"""`qbank rubric score|calibrate`, rubric evidence in `qbank check --json`, and `qbank grade`'s review list."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import builtin_bank
from qbank.quiz.manifest import Manifest, ManifestItem, StudentRecord

ITEM = ["primary-colors-preamble", "--seed", "0"]
GOOD = ("Every token of every response is its own term in the loss, so the first token is a separate prediction. "
        "The same weights serve all prompts, so the many polite examples outweigh the one direct example.")
SALAD = "per-token loss, shared weights, MLE, frequency, greedy decoding"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_score_writes_one_row_per_answer_with_evidence_and_lists_an_empty_answer(tmp_path: Path) -> None:
    answers = write_csv(tmp_path / "answers.csv", [["student", "answer"], ["s1", GOOD], ["s2", SALAD], ["s3", "  "]])
    out = tmp_path / "scores.csv"
    assert run("rubric", "score", *ITEM, str(answers), "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["row"] for r in rows] == ["2", "3", "4"]
    assert float(rows[0]["score"]) == pytest.approx(0.5) and rows[0]["C1"] == "1"
    assert rows[0]["C1_evidence"] == "Every token of every response is its own term in the loss"
    assert float(rows[1]["score"]) <= 0.1
    assert rows[2]["review"].startswith("format error")


def test_score_names_the_file_when_the_answer_column_is_missing(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [["student", "text"], ["s1", GOOD]])
    result = run("rubric", "score", *ITEM, str(bad))
    assert result.exit_code == 2 and f"{bad}: missing column 'answer'" in result.output


def marked(tmp_path: Path, n: int = 12) -> Path:
    rows = [["answer", "score", "C1", "C2"]]
    for i in range(n):
        # this instructor gives C1 alone 0.6 and C2 alone 0.1: the fitted weights must follow
        if i % 3 == 0:
            rows.append([f"Every token is its own term in the loss, so token {i} is a separate prediction.", "0.6", "1", "0"])
        elif i % 3 == 1:
            rows.append([f"The same weights serve all prompts, so {i + 20} polite examples outweigh the one direct one.", "0.1", "0", "1"])
        else:
            rows.append([f"The model just likes colour number {i}.", "0", "0", "0"])
    return write_csv(tmp_path / "marked.csv", rows)


def test_calibrate_reports_agreement_and_a_confusion_per_criterion(tmp_path: Path) -> None:
    result = run("rubric", "calibrate", *ITEM, str(marked(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["n"] == 12 and report["mae"] == pytest.approx((4 * 0.35 + 4 * 0.15) / 12, abs=1e-6)
    assert report["criteria"]["C1"] == {"both": 4, "grader_only": 0, "instructor_only": 0, "neither": 8}


def test_calibrate_save_fits_weights_that_later_grading_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = json.loads(run("check", *ITEM, "--answer", GOOD, "--json").output)["fraction"]
    result = run("rubric", "calibrate", *ITEM, str(marked(tmp_path)), "--save")
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "qbank-rubric-fit.json").read_text(encoding="utf-8"))
    weights = saved["templates"]["primary-colors-preamble"]["weights"]
    assert weights["C1"] > 4 * weights["C2"]
    assert "MAE" in result.output and "saved to" in result.output
    after = json.loads(run("check", *ITEM, "--answer", GOOD, "--json").output)["fraction"]
    assert after != pytest.approx(before)


def test_calibrate_refuses_to_fit_on_too_few_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("rubric", "calibrate", *ITEM, str(marked(tmp_path, n=4)), "--save")
    assert result.exit_code == 2 and "at least 10 answers" in result.output
    assert not (tmp_path / "qbank-rubric-fit.json").exists()


def test_calibrate_names_the_line_of_a_bad_score(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "m.csv", [["answer", "score"], [GOOD, "0.5"], [GOOD, "lots"]])
    result = run("rubric", "calibrate", *ITEM, str(bad))
    assert result.exit_code == 2 and f"{bad}:3: score 'lots' is not a number" in result.output


def test_check_json_names_the_evidence_of_each_criterion_and_an_empty_answer_exits_2() -> None:
    result = run("check", *ITEM, "--answer", GOOD, "--json")
    grade = json.loads(result.output)
    c1 = next(c for c in grade["criteria"] if c["id"] == "C1")
    assert c1["met"] and c1["evidence"] == "Every token of every response is its own term in the loss"
    assert next(c for c in grade["criteria"] if c["id"] == "C3")["evidence"] is None
    assert run("check", *ITEM, "--answer", " ").exit_code == 2


def test_grade_writes_the_review_list_and_evidence_in_the_feedback(tmp_path: Path) -> None:
    t = builtin_bank()["primary-colors-preamble"]
    students = []
    for i in (1, 2, 3):
        item = t.instantiate(i)
        students.append(StudentRecord(student=f"s{i}", name=f"S {i}", items=(ManifestItem(
            slot="q1", item=item.id, template=t.id, version=t.version, seed=i, points=item.points,
            content_hash=item.content_hash()),)))
    manifest = tmp_path / "m.json"
    manifest.write_text(Manifest(quiz_id="q", title="Q", seed=1, spec_hash="0" * 64, students=tuple(students)).to_json())
    contradicting = GOOD + " Actually the weights are not shared between prompts."
    responses = write_csv(tmp_path / "r.csv", [["student", "item", "response"], ["s1", "q1", GOOD],
                                               ["s2", "q1", contradicting], ["s3", "q1", ""]])
    result = run("grade", str(manifest), str(responses), "-o", str(tmp_path / "grades.csv"))
    assert result.exit_code == 0, result.output
    review = list(csv.DictReader(io.StringIO((tmp_path / "grades.review.csv").read_text(encoding="utf-8"))))
    assert [(r["student"], r["slot"]) for r in review] == [("s2", "q1"), ("s3", "q1")]
    assert "contradicts itself on C2" in review[0]["reasons"] and "not graded" in review[1]["reasons"]
    assert "grades to review" in result.output
    feedback = json.loads((tmp_path / "grades.json").read_text(encoding="utf-8"))
    s1 = next(s for s in feedback["students"] if s["student"] == "s1")["items"]["q1"]
    assert next(c for c in s1["criteria"] if c["id"] == "C2")["evidence"] == "The same weights serve all prompts"
