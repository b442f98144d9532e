"""End to end, per LMS: build a quiz, write the LMS's result report for 200 students with known
answers, and get back exactly the grades and statistics those answers are worth."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from lms_class import KnownClass, build_quiz, canvas_report, moodle_grades_report, moodle_report, qti_results

from qbank.cli import cli


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> KnownClass:
    return KnownClass(build_quiz(tmp_path_factory.mktemp("quiz")))


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def import_results(klass: KnownClass, report: Path, tmp: Path, *extra: str):
    result = CliRunner().invoke(cli, ["import-results", str(klass.out / "manifest.json"), str(report),
                                      "-o", str(tmp / "grades.csv"), "--stats", str(tmp / "stats.csv"), *extra])
    assert result.exit_code == 0, result.output
    return result


def check_grades_and_stats(klass: KnownClass, tmp: Path, lms_scores: bool, by_email: bool = False,
                           unfinished_in_report: bool = False) -> None:
    kept = {(a.email if by_email else key): a for key, a in klass.kept(lms_scores).items()}
    grades = {r["student"]: r for r in read_csv(tmp / "grades.csv")}
    assert set(grades) == set(kept)  # one row per student, whatever their attempts
    slot_of = {g: vs[0].slot for g, vs in klass.manifest.groups.items()}
    for key, attempt in kept.items():
        for group, a in attempt.answers.items():
            score = a.lms_points if lms_scores and a.item.type != "open_response" else a.expected
            assert float(grades[key][slot_of[group]]) == pytest.approx(score, abs=1e-4), (key, group, a.kind)
        assert float(grades[key]["total"]) == pytest.approx(attempt.total(lms_scores), abs=1e-4)
        assert float(grades[key]["max"]) == sum(a.points for a in attempt.answers.values())

    # nothing is lost: every unanswered, garbled or uncounted response is listed with its line
    problems = read_csv(tmp / "grades.errors.csv")
    reasons = [p["reason"] for p in problems]
    unanswered = sum(1 for a in kept.values() for x in a.answers.values() if not x.answered)
    garbled = sum(1 for a in kept.values() for x in a.answers.values() if x.kind == "garbled")
    assert sum(r.startswith("missing response") for r in reasons) == unanswered
    assert sum(r.startswith("format error") for r in reasons) == garbled
    written = klass.attempts if unfinished_in_report else klass.finished
    assert sum(r.startswith("attempt not counted") for r in reasons) == len(written) - len(kept)
    assert sum("attempt not counted (not finished)" in r for r in reasons) == len(written) - len(klass.finished)
    assert all(p["row"] for p in problems)  # each with the line it comes from

    # statistics per template, across its variants, from the known answers
    stats = read_csv(tmp / "stats.csv")
    expected = klass.expected_template_stats(lms_scores)
    rows = {r["item"]: r for r in stats if r["variant"] == "" and not r["item"].startswith("(")}
    assert list(rows) == list(klass.manifest.groups)
    for template, want in expected.items():
        row = rows[template]
        assert int(row["n"]) == len(kept)
        assert float(row["facility"]) == pytest.approx(want["facility"], abs=1e-4)
        picks = dict(p.split("=") for p in row["distractors_chosen"].split("; ") if p)
        assert {m: int(c) for m, c in picks.items()} == want["picks"]
        rates = dict(p.split("=") for p in row["distractor_rates"].split("; ") if p)
        assert {m: float(r) for m, r in rates.items()} == pytest.approx({m: c / len(kept) for m, c in want["picks"].items()}, abs=1e-4)
        variants = {r["variant"]: r for r in stats if r["item"] == template and r["variant"]}
        if len(want["variants"]) > 1:
            assert {v: (int(r["n"]), pytest.approx(float(r["facility"]), abs=1e-4)) for v, r in variants.items()} == want["variants"]
    kind, value = klass.expected_reliability(lms_scores)
    last = stats[-1]
    assert last["item"] == f"({kind})"
    assert float(last["facility"]) == pytest.approx(value, abs=1e-4) and not math.isnan(value)


def test_canvas_student_analysis(klass: KnownClass, tmp_path: Path) -> None:
    report = tmp_path / "student_analysis.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    result = import_results(klass, report, tmp_path, "--gradebook", str(tmp_path / "canvas-import.csv"),
                            "--assignment", "LMS round trip (4321)")
    check_grades_and_stats(klass, tmp_path, lms_scores=True)
    assert "KR-20" in result.stdout or "Cronbach" in result.stdout
    # the hand regrades in Canvas count, and each is listed against qbank's own grade
    disagreements = read_csv(tmp_path / "grades.disagreements.csv")
    kept = klass.kept(True)
    want = {(at.key, a.item.id) for at, a in klass.regraded if kept[at.key] is at}
    assert {(d["student"], d["item"]) for d in disagreements} == want and want
    assert all(float(d["qbank_points"]) == 0 and float(d["lms_points"]) == 2 for d in disagreements)
    gradebook = list(csv.reader(io.StringIO((tmp_path / "canvas-import.csv").read_text(encoding="utf-8"))))
    assert gradebook[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "LMS round trip (4321)"]
    assert gradebook[1][0].strip() == "Points Possible"
    totals = klass.expected_totals(True)
    assert {row[1]: float(row[5]) for row in gradebook[2:]} == pytest.approx(totals)
    assert all(row[2].startswith("SIS") for row in gradebook[2:])


def test_canvas_report_of_the_kept_attempts_only(klass: KnownClass, tmp_path: Path) -> None:
    # without "all versions" Canvas writes no attempt column; rows of one student are attempts in order
    report = tmp_path / "student_analysis.csv"
    report.write_text(canvas_report(klass, all_attempts=False), encoding="utf-8")
    import_results(klass, report, tmp_path)
    check_grades_and_stats(klass, tmp_path, lms_scores=True)


def test_moodle_responses_report(klass: KnownClass, tmp_path: Path) -> None:
    report = tmp_path / "responses.csv"
    kept = klass.kept(False)
    some = sorted(kept)[3]
    regrade = {(some, kept[some].number): 9.99}  # the overall grade was overridden in Moodle
    report.write_text(moodle_report(klass, regrade=regrade), encoding="utf-8")
    import_results(klass, report, tmp_path, "--gradebook", str(tmp_path / "moodle-import.csv"))
    check_grades_and_stats(klass, tmp_path, lms_scores=False, by_email=True, unfinished_in_report=True)
    # Moodle's report has no per-question marks: its overall grade is checked instead
    disagreements = read_csv(tmp_path / "grades.disagreements.csv")
    assert [(d["student"], d["slot"], d["lms_points"]) for d in disagreements] == [(kept[some].email, "total", "9.99")]
    rows = list(csv.reader(io.StringIO((tmp_path / "moodle-import.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["Email address", "LMS round trip"]
    top = sum(vs[0].points for vs in klass.manifest.groups.values())
    want = {kept[k].email: f"{t / top * 10:.2f}" for k, t in klass.expected_totals(False).items()}
    assert dict(rows[1:]) == want


def test_moodle_responses_with_the_grades_report(klass: KnownClass, tmp_path: Path) -> None:
    report, marks = tmp_path / "responses.csv", tmp_path / "grades-report.csv"
    report.write_text(moodle_report(klass), encoding="utf-8")
    # the rows of the two downloads need not be in the same order
    text = moodle_grades_report(klass).lstrip("\ufeff").splitlines(keepends=True)
    marks.write_text("\ufeff" + text[0] + "".join(reversed(text[1:])), encoding="utf-8")
    import_results(klass, report, tmp_path, "--moodle-grades", str(marks))
    check_grades_and_stats(klass, tmp_path, lms_scores=True, by_email=True, unfinished_in_report=True)
    # Moodle's marks count, to its two decimals: the hand regrades are the only disagreements
    disagreements = read_csv(tmp_path / "grades.disagreements.csv")
    kept = klass.kept(True)
    assert {(d["student"], d["item"]) for d in disagreements} == {
        (at.email, a.item.id) for at, a in klass.regraded if kept[at.key] is at}


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_qti_results_reporting(klass: KnownClass, tmp_path: Path, version: str) -> None:
    folder = qti_results(klass, tmp_path / "results", version)
    import_results(klass, folder, tmp_path)
    check_grades_and_stats(klass, tmp_path, lms_scores=True)
    disagreements = read_csv(tmp_path / "grades.disagreements.csv")
    kept = klass.kept(True)
    assert {(d["student"], d["item"]) for d in disagreements} == {(at.key, a.item.id) for at, a in klass.regraded if kept[at.key] is at}


@pytest.mark.parametrize("policy", ["last", "first"])
def test_which_attempt_counts(klass: KnownClass, tmp_path: Path, policy: str) -> None:
    report = tmp_path / "student_analysis.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    import_results(klass, report, tmp_path, "--attempts", policy)
    pick = max if policy == "last" else min
    want: dict[str, float] = {}
    for key in {a.key for a in klass.finished}:
        attempt = pick((a for a in klass.finished if a.key == key), key=lambda a: a.number)
        want[key] = attempt.total(True)
    got = {r["student"]: float(r["total"]) for r in read_csv(tmp_path / "grades.csv")}
    assert got == pytest.approx(want, abs=1e-4)


def test_qti_results_have_no_gradebook_file(klass: KnownClass, tmp_path: Path) -> None:
    folder = qti_results(klass, tmp_path / "results")
    result = CliRunner().invoke(cli, ["import-results", str(klass.out / "manifest.json"), str(folder),
                                      "-o", str(tmp_path / "g.csv"), "--gradebook", str(tmp_path / "up.csv")])
    assert result.exit_code == 2 and "no standard grade-import file" in result.output
    assert not (tmp_path / "g.csv").exists()


def test_a_moodle_grades_report_needs_a_moodle_responses_report(klass: KnownClass, tmp_path: Path) -> None:
    report, marks = tmp_path / "sa.csv", tmp_path / "grades-report.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    marks.write_text(moodle_grades_report(klass), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-results", str(klass.out / "manifest.json"), str(report),
                                      "-o", str(tmp_path / "g.csv"), "--moodle-grades", str(marks)])
    assert result.exit_code == 2 and f"{marks}: a Moodle Grades report goes with a Moodle Responses report" in result.output


def test_canvas_group_points_left_at_another_value_are_scaled(klass: KnownClass, tmp_path: Path) -> None:
    # the instructor imported the quiz and left each group at 1 point per question
    text = canvas_report(klass)
    rows = list(csv.reader(io.StringIO(text)))
    for c in range(9, len(rows[0]) - 3, 2):
        factor = float(rows[0][c])
        rows[0][c] = "1.0"
        for row in rows[1:]:
            if row[c]:
                row[c] = repr(float(row[c]) / factor)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    report = tmp_path / "student_analysis.csv"
    report.write_text(out.getvalue(), encoding="utf-8")
    import_results(klass, report, tmp_path)
    got = {r["student"]: float(r["total"]) for r in read_csv(tmp_path / "grades.csv")}
    assert got == pytest.approx(klass.expected_totals(True), abs=1e-4)
    notes = [p for p in read_csv(tmp_path / "grades.errors.csv") if "Canvas's points are scaled" in p["reason"]]
    assert {p["item"] for p in notes} == {e.item for vs in klass.manifest.groups.values() for e in vs if e.points != 1}
