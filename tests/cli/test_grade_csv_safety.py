"""`qbank grade` with a roster that would be formulas: the CSVs it writes open as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from qbank._files import csv_rows, csv_text
from qbank.cli import cli
from qbank.questions import builtin_bank
from qbank.quiz.manifest import Manifest, ManifestItem, StudentRecord
from qbank.quiz.roster import parse_roster

HOSTILE = [("=cmd", '=HYPERLINK("http://evil.example","grade me")'), ("-2+3", "@SUM(A1:A9)"),
           ("+1", "\t=1"), ("'=x", "'plain quote")]


def test_grades_and_errors_csv_hold_no_formula_and_read_back_exactly(tmp_path: Path) -> None:
    t = builtin_bank()["paris-states"]
    students = []
    for sid, name in HOSTILE:
        item = t.instantiate(7)
        students.append(StudentRecord(student=sid, name=name, items=(ManifestItem(
            slot="q1", item=item.id, template=t.id, version=t.version, seed=7, points=1, content_hash=item.content_hash()),)))
    manifest = tmp_path / "m.json"
    manifest.write_text(Manifest(quiz_id="demo", title="Demo", seed=1, spec_hash="0" * 64, students=tuple(students)).to_json())
    key = "ABCDEFG"[t.instantiate(7).key[0]]
    # The responses file as qbank would write it (ids quoted), plus a row for a student not in the manifest.
    responses = tmp_path / "responses.csv"
    responses.write_text(csv_text([["student", "item", "response"], *[[sid, "q1", key] for sid, _ in HOSTILE[:3]],
                                   ["=evil()", "q1", "=1+1"]]), encoding="utf-8")
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for path in (out, tmp_path / "grades.errors.csv"):
        raw = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip("+-").isdigit()
                   for row in raw for cell in row), raw
    grades = [row for _, row in csv_rows(out.read_text(encoding="utf-8"), str(out))]
    assert [(r[0], r[1]) for r in grades[1:]] == HOSTILE
    assert [r[2] for r in grades[1:]] == ["1", "1", "1", "0"]  # graded by their real ids; the fourth did not answer
    errors = [row for _, row in csv_rows((tmp_path / "grades.errors.csv").read_text(encoding="utf-8"), "e")]
    assert ["5", "=evil()", "q1"] == errors[1][:3]


def test_a_roster_made_from_a_grades_csv_reads_the_ids_qbank_wrote() -> None:
    text = csv_text([["id", "name"], ["=cmd", "@me"], ["'lit", "'=x"]])
    roster = parse_roster(text, "r.csv")
    assert [(s.id, s.name) for s in roster.students] == [("=cmd", "@me"), ("'lit", "'=x")]


def test_a_grade_that_cannot_write_changes_none_of_its_files(tmp_path: Path) -> None:
    """A full disk while writing (a file-size limit here): exit 2 naming the file, old files intact."""
    import resource

    t = builtin_bank()["paris-states"]
    item = t.instantiate(7)
    students = tuple(StudentRecord(student=f"s{i}", name="x" * 2000, items=(ManifestItem(
        slot="q1", item=item.id, template=t.id, version=t.version, seed=7, points=1, content_hash=item.content_hash()),))
        for i in range(200))
    manifest = tmp_path / "m.json"
    manifest.write_text(Manifest(quiz_id="demo", title="Demo", seed=1, spec_hash="0" * 64, students=students).to_json())
    responses = tmp_path / "responses.csv"
    responses.write_text("student,item,response\ns1,q1,A\n")
    out = tmp_path / "grades.csv"
    for name in ("grades.csv", "grades.errors.csv", "grades.json"):
        (tmp_path / name).write_text("old\n")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, hard))
    try:
        result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(out)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert result.exit_code == 2, result.output
    assert "File too large; nothing was written" in result.output
    assert all((tmp_path / n).read_text() == "old\n" for n in ("grades.csv", "grades.errors.csv", "grades.json"))
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_a_grade_killed_at_every_step_leaves_each_file_old_or_new_and_the_next_run_cleans_up(tmp_path: Path) -> None:
    from faults import run_killed_at

    t = builtin_bank()["paris-states"]
    item = t.instantiate(7)
    students = tuple(StudentRecord(student=f"s{i}", items=(ManifestItem(
        slot="q1", item=item.id, template=t.id, version=t.version, seed=7, points=1, content_hash=item.content_hash()),))
        for i in range(3))
    manifest = tmp_path / "m.json"
    manifest.write_text(Manifest(quiz_id="demo", title="Demo", seed=1, spec_hash="0" * 64, students=students).to_json())
    responses = tmp_path / "responses.csv"
    responses.write_text("student,item,response\ns1,q1,A\ns2,q1,B\n")
    out = tmp_path / "out"
    out.mkdir()
    names = ("grades.csv", "grades.errors.csv", "grades.json", "grades.review.csv")

    def grade() -> None:
        result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(out / "grades.csv")])
        assert result.exit_code == 0, result.output

    grade()
    new = {n: (out / n).read_bytes() for n in names}
    total = run_killed_at(None, grade)
    assert total >= 6
    for step in range(1, total + 1):
        for n in names:
            (out / n).write_bytes(b"old\n")
        assert run_killed_at(step, grade) == -1
        state = {n: (out / n).read_bytes() for n in names}
        assert all(state[n] in (b"old\n", new[n]) for n in names), step
        grade()  # the next run completes and removes what the killed one left
        assert {n: (out / n).read_bytes() for n in names} == new
        assert sorted(p.name for p in out.iterdir()) == sorted(names), step


def test_a_json_response_that_is_not_unicode_is_refused_naming_it(tmp_path: Path) -> None:
    """"\\ud800" is valid JSON but cannot be written to the grades: refused up front, exit 2."""
    t = builtin_bank()["paris-states"]
    item = t.instantiate(7)
    record = StudentRecord(student="s1", items=(ManifestItem(slot="q1", item=item.id, template=t.id, version=t.version,
                                                             seed=7, points=1, content_hash=item.content_hash()),))
    manifest = tmp_path / "m.json"
    manifest.write_text(Manifest(quiz_id="demo", title="Demo", seed=1, spec_hash="0" * 64, students=(record,)).to_json())
    responses = tmp_path / "responses.json"
    responses.write_text('[{"student": "s1", "item": "q1", "response": "A\\ud800"}]', encoding="utf-8")
    result = CliRunner().invoke(cli, ["grade", str(manifest), str(responses), "-o", str(tmp_path / "grades.csv")])
    assert result.exit_code == 2
    assert f"{responses}: [0].response: holds a lone surrogate (\\ud800)" in result.output
    assert not (tmp_path / "grades.csv").exists()
