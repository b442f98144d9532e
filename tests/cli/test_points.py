"""Points: `qbank grade`, `qbank check` and every LMS export agree on what each slot is worth.

A section's ``points:`` overrides its templates' own points; without it each template keeps
its own. A correct answer earns exactly the slot's points everywhere.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from qbank.cli import cli
from qbank.grader import grade, parse
from qbank.grader.gradebook import Cell
from qbank.questions import load_bank
from qbank.questions.selftest import self_test

BANK = """\
templates:
  - id: step
    title: One gradient step
    family: next-step
    tags: {topics: [logit-gradient], bloom: apply}
  - id: tf
    title: One-hot cross-entropy
    points: 4
    tags: {topics: [cross-entropy], bloom: understand}
    content:
      type: true_false
      stem: With a one-hot target the loss depends on how the wrong tokens share their mass.
      answer: false
  - id: choice
    title: What cross-entropy measures
    tags: {topics: [cross-entropy], bloom: remember}
    content:
      type: single_choice
      stem: With a one-hot target, cross-entropy is the negative log-probability of which token?
      options:
        - {text: The gold token, correct: true}
        - {text: The most probable token}
        - {text: The least probable token}
"""

SPEC = """\
title: Points
id: points
seed: 3
variants: 2
sections:
  - {title: Own points, select: {ids: [tf]}, allow_fewer_variants: true}
  - {title: Three each, select: {ids: [step]}, points: 3}
  - {title: Half a point, select: {ids: [choice]}, points: 0.5, allow_fewer_variants: true}
"""

# What each template is worth in the quiz above.
EXPECTED = {"tf": 4.0, "step": 3.0, "choice": 0.5}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("points")
    (root / "bank.yaml").write_text(BANK, encoding="utf-8")
    (root / "quiz.yaml").write_text(SPEC, encoding="utf-8")
    (root / "roster.csv").write_text("id,name\ns1,One\ns2,Two\n", encoding="utf-8")
    result = run("build", str(root / "quiz.yaml"), "--bank", str(root / "bank.yaml"), "--no-builtin",
                 "--roster", str(root / "roster.csv"), "-o", str(root / "out"), "-q",
                 "-f", "json,canvas,moodle,qti21,qti3")
    assert result.exit_code == 0, result.output
    return root


def correct_answers(root: Path) -> dict[str, dict[str, str]]:
    """Each student's correct response per slot, worked out from the regenerated items."""
    bank = load_bank(root / "bank.yaml", builtin=False)
    manifest = json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))
    answers: dict[str, dict[str, str]] = {}
    for student in manifest["students"]:
        for e in student["items"]:
            item = bank[e["template"]].instantiate(e["seed"])
            right = next(c.raw for c in self_test(item) if c.score == 1.0 and not c.at_least)
            answers.setdefault(student["student"], {})[e["slot"]] = right
    return answers


def slot_points(root: Path) -> dict[str, float]:
    manifest = json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))
    return {e["slot"]: e["points"] for e in manifest["students"][0]["items"]}


def test_the_manifest_records_each_sections_points(built: Path) -> None:
    manifest = json.loads((built / "out" / "manifest.json").read_text(encoding="utf-8"))
    for student in manifest["students"]:
        assert {e["template"]: e["points"] for e in student["items"]} == EXPECTED


def test_grade_gives_a_correct_answer_the_slots_points(built: Path, tmp_path: Path) -> None:
    rows = [["student", "item", "response"]]
    rows += [[s, slot, raw] for s, slots in correct_answers(built).items() for slot, raw in slots.items()]
    responses = tmp_path / "responses.csv"
    with responses.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "grades.csv"
    result = run("grade", str(built / "out" / "manifest.json"), str(responses), "-o", str(out),
                 "--bank", str(built / "bank.yaml"), "--no-builtin")
    assert result.exit_code == 0, result.output
    points = slot_points(built)
    for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))):
        assert {slot: float(row[slot]) for slot in points} == points
        assert float(row["total"]) == float(row["max"]) == sum(EXPECTED.values())
    feedback = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    for student in feedback["students"]:
        for slot, entry in student["items"].items():
            assert entry["correct"] and entry["score"] == entry["max_score"] == points[slot]


def test_a_cells_score_is_the_grades_fraction_of_the_slots_points(built: Path) -> None:
    bank = load_bank(built / "bank.yaml", builtin=False)
    item = bank["choice"].instantiate(0)
    wrong = next(c for c in self_test(item) if c.score == 0.0)
    cell = Cell("q3", item.id, 0.5, status="graded", grade=grade(item, parse(item, wrong.raw)))
    assert cell.score == 0.0
    right = next(c for c in self_test(item) if c.score == 1.0)
    cell = Cell("q3", item.id, 0.5, status="graded", grade=grade(item, parse(item, right.raw)))
    assert cell.score == 0.5


def test_check_gives_a_correct_answer_the_slots_points(built: Path, tmp_path: Path) -> None:
    points = slot_points(built)
    for student, slots in correct_answers(built).items():
        answers = tmp_path / f"{student}.txt"
        answers.write_text("".join(f"{slot}: {raw}\n" for slot, raw in slots.items()), encoding="utf-8")
        result = run("check", str(built / "out" / "students" / student / "quiz.json"), "--answers", str(answers),
                     "--json", "--bank", str(built / "bank.yaml"), "--no-builtin")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert {s["slot"]: s["score"] for s in doc["slots"]} == points
        assert {s["slot"]: s["points"] for s in doc["slots"]} == points


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _qti_max_scores(package: Path) -> list[float]:
    """MAXSCORE of every item file in a QTI 2.1 / 3.0 package."""
    scores = []
    with zipfile.ZipFile(package) as z:
        for name in z.namelist():
            if not name.startswith("items/"):
                continue
            root = ElementTree.fromstring(z.read(name))
            for el in root.iter():
                if _local(el.tag) in ("outcomeDeclaration", "qti-outcome-declaration") and el.get("identifier") == "MAXSCORE":
                    scores.append(float("".join(el.itertext()).strip()))
    return scores


def test_every_lms_export_carries_the_slots_points(built: Path) -> None:
    lms = built / "out" / "lms"
    # one variant each for the static items, two for the family: 4 + 3 + 3 + 0.5
    want = sorted([4.0, 3.0, 3.0, 0.5])
    with zipfile.ZipFile(lms / "points-canvas.zip") as z:
        xml = next(z.read(n).decode() for n in z.namelist() if n.endswith(".xml") and "assessment_meta" not in n
                   and "imsmanifest" not in n)
    canvas = [float(v) for v in re.findall(r"<fieldlabel>points_possible</fieldlabel><fieldentry>([^<]+)<", xml)]
    assert sorted(canvas) == want
    moodle = (lms / "points-moodle.xml").read_text(encoding="utf-8")
    assert sorted(float(v) for v in re.findall(r"<defaultgrade>([^<]+)<", moodle)) == want
    assert sorted(_qti_max_scores(lms / "points-qti21.zip")) == want
    assert sorted(_qti_max_scores(lms / "points-qti3.zip")) == want
