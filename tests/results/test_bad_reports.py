"""A report that is not what the LMS wrote for this quiz: exit code 2, file, line and column, nothing written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lms_class import SPEC, KnownClass, build_quiz, canvas_columns, canvas_report, line_of, moodle_report, qti_results

from qbank.cli import cli


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> KnownClass:
    return KnownClass(build_quiz(tmp_path_factory.mktemp("quiz")), n=30)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def text_of(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def refused(klass: KnownClass, report: Path, tmp: Path, manifest: Path | None = None):
    out = tmp / "grades" / "grades.csv"
    result = CliRunner().invoke(cli, ["import-results", str(manifest or klass.out / "manifest.json"), str(report),
                                      "-o", str(out), "--gradebook", str(tmp / "grades" / "import.csv")])
    assert result.exit_code == 2, result.output
    assert not (tmp / "grades").exists() or not any((tmp / "grades").iterdir())  # nothing written
    return result.output


def numeric_cell(klass: KnownClass, rows: list[list[str]]) -> tuple[int, int]:
    """(row index, column index) of a numerical answer someone typed."""
    for group, variant, c in canvas_columns(klass):
        if klass.items[variant].type == "numeric":
            for r in range(1, len(rows)):
                if rows[r][c] and rows[r][c] != "about half":
                    return r, c
    raise AssertionError("no numeric answer in the fixture")


def test_a_report_from_another_quiz(klass: KnownClass, tmp_path: Path) -> None:
    other = KnownClass(build_quiz(tmp_path / "other", SPEC.replace("seed: 7", "seed: 8")), n=5)
    report = tmp_path / "sa.csv"
    report.write_text(canvas_report(other), encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:" in message and "another quiz" in message and "paris-states" in message


def test_a_changed_bank_is_not_regraded(klass: KnownClass, tmp_path: Path) -> None:
    data = json.loads((klass.out / "manifest.json").read_text())
    data["groups"]["token-loss"][0]["content_hash"] = "0" * 64
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(data))
    report = tmp_path / "sa.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    assert "no longer matches the manifest" in refused(klass, report, tmp_path, manifest)


def test_a_truncated_file(klass: KnownClass, tmp_path: Path) -> None:
    text = canvas_report(klass)
    cut = text[: int(len(text) * 0.6)]
    cut = cut[: cut.rindex(",")]  # the download stopped in the middle of a row
    report = tmp_path / "sa.csv"
    report.write_text(cut, encoding="utf-8")
    line = cut.count("\n") + 1
    message = refused(klass, report, tmp_path)
    assert f"{report}:{line}:" in message and "truncated" in message


def test_an_unknown_layout(klass: KnownClass, tmp_path: Path) -> None:
    report = tmp_path / "r.csv"
    report.write_text("student,item,response\ns1,q1,A\n", encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:1:" in message and "unknown layout" in message


def test_excel_turned_a_numerical_answer_into_a_date(klass: KnownClass, tmp_path: Path) -> None:
    rows = rows_of(canvas_report(klass))
    r, c = numeric_cell(klass, rows)
    rows[r][c] = "2-Mar"
    report = tmp_path / "sa.csv"
    report.write_text(text_of(rows), encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:{line_of(text_of(rows), r)}: column {c + 1}" in message and "date" in message


def test_an_attempt_number_that_is_not_a_number(klass: KnownClass, tmp_path: Path) -> None:
    rows = rows_of(canvas_report(klass))
    c = rows[0].index("attempt")
    rows[1][c] = "²"  # a digit to str.isdigit, not a number to int()
    report = tmp_path / "sa.csv"
    report.write_text(text_of(rows), encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:{line_of(text_of(rows), 1)}: column {c + 1}" in message and "attempt '²' is not a number" in message


def test_a_spreadsheet_saved_it_with_semicolons(klass: KnownClass, tmp_path: Path) -> None:
    report = tmp_path / "sa.csv"
    report.write_text(text_of(rows_of(canvas_report(klass)), delimiter=";"), encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:1:" in message and "semicolons" in message


def test_a_spreadsheet_saved_it_as_utf16(klass: KnownClass, tmp_path: Path) -> None:
    report = tmp_path / "sa.csv"
    report.write_bytes(canvas_report(klass).encode("utf-16"))
    assert "UTF-16" in refused(klass, report, tmp_path)


def test_two_reports_pasted_together_leave_a_bom_inside(klass: KnownClass, tmp_path: Path) -> None:
    text = moodle_report(klass)
    report = tmp_path / "responses.csv"
    report.write_text(text + text, encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:{text.count(chr(10)) + 1}:" in message and "byte-order mark" in message


def test_a_leading_bom_is_how_moodle_writes_it(klass: KnownClass, tmp_path: Path) -> None:
    report = tmp_path / "responses.csv"
    report.write_text(moodle_report(klass), encoding="utf-8")
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")
    result = CliRunner().invoke(cli, ["import-results", str(klass.out / "manifest.json"), str(report), "-o", str(tmp_path / "g.csv")])
    assert result.exit_code == 0, result.output


def test_a_moodle_report_without_the_question_text(klass: KnownClass, tmp_path: Path) -> None:
    rows = rows_of(moodle_report(klass))
    keep = [i for i, h in enumerate(rows[0]) if not h.startswith("Question ")]
    report = tmp_path / "responses.csv"
    report.write_text(text_of([[r[i] for i in keep] for r in rows]), encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:1:" in message and "tick 'Question text'" in message


def test_an_id_a_spreadsheet_wrote_in_scientific_notation(klass: KnownClass, tmp_path: Path) -> None:
    rows = rows_of(canvas_report(klass))
    rows[4][1] = "5.0004E+4"
    report = tmp_path / "sa.csv"
    report.write_text(text_of(rows), encoding="utf-8")
    assert f"{report}:{line_of(text_of(rows), 4)}: column 2 ('id')" in refused(klass, report, tmp_path)


def test_a_question_edited_in_the_lms_is_reported_not_guessed(klass: KnownClass, tmp_path: Path) -> None:
    rows = rows_of(canvas_report(klass))
    c = next(i for i, h in enumerate(rows[0]) if ": " in h and "capital of France" in h)
    rows[0][c] = rows[0][c].replace("capital of France", "capital of Italy")  # edited in Canvas after the import
    report = tmp_path / "sa.csv"
    report.write_text(text_of(rows), encoding="utf-8")
    out = tmp_path / "g.csv"
    result = CliRunner().invoke(cli, ["import-results", str(klass.out / "manifest.json"), str(report), "-o", str(out)])
    assert result.exit_code == 0, result.output
    problems = list(csv.DictReader(io.StringIO((tmp_path / "g.errors.csv").read_text(encoding="utf-8"))))
    given = [r for r in range(1, len(rows)) if rows[r][c] or rows[r][c + 1]]
    listed = [p for p in problems if f"column {c + 1}: the question text matches no variant" in p["reason"]]
    text = text_of(rows)
    assert sorted(int(p["row"]) for p in listed) == [line_of(text, r) for r in given]  # each response, with its line
    # the students who got that variant are scored 0 on it, and told why
    assert any("has no variant of question 'paris-states'" in p["reason"] for p in problems)


def test_qti_results_cut_short(klass: KnownClass, tmp_path: Path) -> None:
    folder = qti_results(klass, tmp_path / "results")
    victim = sorted(folder.iterdir())[2]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    message = refused(klass, folder, tmp_path)
    assert f"{victim}:" in message and "not well-formed" in message


def test_qti_results_of_another_test(klass: KnownClass, tmp_path: Path) -> None:
    folder = qti_results(klass, tmp_path / "results")
    victim = sorted(folder.iterdir())[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace('identifier="lms-trip"', 'identifier="midterm"'), encoding="utf-8")
    message = refused(klass, folder, tmp_path)
    assert f"{victim}:" in message and "another quiz" in message


def test_qti_results_with_entities_are_refused_unparsed(klass: KnownClass, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;">]>'
                    '<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v2p1">&y;</assessmentResult>')
    assert "refused" in refused(klass, bomb, tmp_path)


def test_qti_results_in_a_zip(klass: KnownClass, tmp_path: Path) -> None:
    import zipfile

    folder = qti_results(klass, tmp_path / "results")
    archive = tmp_path / "results.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(folder.iterdir()):
            z.write(p, f"results/{p.name}")
    result = CliRunner().invoke(cli, ["import-results", str(klass.out / "manifest.json"), str(archive), "-o", str(tmp_path / "g.csv")])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "g.csv").read_text().splitlines()) == 31


def test_a_moodle_report_of_all_tries(klass: KnownClass, tmp_path: Path) -> None:
    rows = rows_of(moodle_report(klass))
    extra = list(rows[3])
    extra[2] = extra[3] = ""  # Moodle leaves the email and State of an earlier try empty
    rows.insert(3, extra)
    report = tmp_path / "responses.csv"
    report.write_text(text_of(rows), encoding="utf-8")
    message = refused(klass, report, tmp_path)
    assert f"{report}:{line_of(text_of(rows), 3)}: column 3 ('Email address')" in message and "last try" in message
