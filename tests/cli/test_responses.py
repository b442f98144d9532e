"""`qbank responses`: a blank responses file made from a manifest, that `qbank grade` reads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from qbank.cli import cli

REPO = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_blank_file_has_a_row_per_student_and_slot_and_grades_as_unanswered(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", str(REPO / "examples" / "demo-quiz.yaml"), "--roster", str(REPO / "examples" / "roster.csv"),
               "-o", str(out), "-f", "json", "-q").exit_code == 0
    blank = tmp_path / "responses.csv"
    result = run("responses", str(out / "manifest.json"), "-o", str(blank))
    assert result.exit_code == 0 and result.output == ""
    rows = list(csv.DictReader(io.StringIO(blank.read_text(encoding="utf-8"))))
    assert len(rows) == 7 * 4
    assert {r["student"] for r in rows} == {f"s00{i}" for i in range(1, 8)}
    assert {r["item"] for r in rows} == {"q1", "q2", "q3", "q4"}
    assert all(r["response"] == "" for r in rows)

    grades = tmp_path / "grades.csv"
    assert run("grade", str(out / "manifest.json"), str(blank), "-o", str(grades)).exit_code == 0
    errors = list(csv.DictReader(io.StringIO((tmp_path / "grades.errors.csv").read_text(encoding="utf-8"))))
    assert len(errors) == len(rows)
    assert all("empty" in e["reason"] for e in errors)
    assert all(float(g["total"]) == 0 for g in csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8"))))


def test_a_missing_manifest_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["responses", str(tmp_path / "nope.json"), "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert not (tmp_path / "r.csv").exists()
