"""Ordering, matching and multipart items: read from QTI results; reported (never dropped) from CSV reports."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from lms_class import KnownClass, build_quiz, canvas_report, html_to_text

from qbank.cli import cli
from qbank.questions.items import letter
from qbank.renderers._markup import to_html

SPEC = """\
title: Other types
id: other-types
seed: 11
variants: 2
sections:
  - select: {ids: [temperature-order, logit-gradient-match, greedy-vs-sampling]}
    allow_fewer_variants: true
"""
NS = "http://www.imsglobal.org/xsd/imsqti_result_v3p0"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_quiz(tmp_path_factory.mktemp("other"), SPEC)


def values(item, right: bool) -> dict[str, list[str]]:
    """The candidate values of a right (or, for matching, an all-wrong) answer, as qbank's QTI export names them."""
    if item.type == "ordering":
        return {"RESPONSE": [letter(i) for i in item.answer]}
    if item.type == "matching":
        k = len(item.choices)
        return {"RESPONSE": [f"P{i + 1} {letter(j if right else (j + 1) % k)}" for i, j in enumerate(item.answer)]}
    out = {}
    for part in item.parts:
        if part.type == "true_false":
            out[f"RESPONSE_{part.label}"] = [f"{part.label}_{'TRUE' if part.answer else 'FALSE'}"]
        else:
            out[f"RESPONSE_{part.label}"] = [f"{part.answer:.6f}"]
    return out


def test_qti_results_of_ordering_matching_and_multipart_items(out: Path, tmp_path: Path) -> None:
    klass = KnownClass(out, n=24, seed=1)
    folder = tmp_path / "results"
    folder.mkdir()
    expected: dict[str, float] = {}
    for s, attempt in enumerate(a for a in klass.attempts if a.number == 1):
        root = ET.Element("assessmentResult", {"xmlns": NS})
        ET.SubElement(root, "context", {"sourcedId": attempt.key})
        ET.SubElement(root, "testResult", {"identifier": "other-types", "datestamp": "2026-11-11T10:00:00Z"})
        total = 0.0
        for n, a in enumerate(attempt.answers.values()):
            mode = (s + n) % 3  # right, unanswered, or (matching) all pairs wrong
            result = ET.SubElement(root, "itemResult", {"identifier": a.item.id, "datestamp": "2026-11-11T10:00:00Z",
                                                        "sessionStatus": "final"})
            answer = values(a.item, right=mode == 0) if mode == 0 or (mode == 2 and a.item.type == "matching") else {}
            for ident, vs in (answer or {"RESPONSE": []}).items():
                candidate = ET.SubElement(ET.SubElement(result, "responseVariable", {"identifier": ident}), "candidateResponse")
                for v in vs:
                    ET.SubElement(candidate, "value").text = v
            total += a.points if mode == 0 else 0.0
        expected[attempt.key] = total
        ET.ElementTree(root).write(folder / f"{attempt.key}.xml", encoding="utf-8")
    grades = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli, ["import-results", str(out / "manifest.json"), str(folder), "-o", str(grades)])
    assert result.exit_code == 0, result.output
    got = {r["student"]: float(r["total"]) for r in csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8")))}
    assert got == pytest.approx(expected)


def plain(markdown: str) -> str:
    return html_to_text(to_html(markdown, inline=True))


def canvas_cell(item, wrong: int | None) -> str:
    """A Canvas Student Analysis cell: left=>right pairs, commas and arrows escaped; pair ``wrong`` mismatched."""
    if item.type == "matching":
        lefts, targets, answer = item.prompts, item.choices, item.answer
    else:  # qbank exports an ordering as a matching of positions to entries
        lefts, targets, answer = [f"Position {n + 1}" for n in range(len(item.entries))], item.entries, item.answer
    pairs = []
    for i, (left, j) in enumerate(zip(lefts, answer)):
        j = (j + 1) % len(targets) if i == wrong else j
        pairs.append("=>".join(plain(t).replace("=>", "\\=>") for t in (left, targets[j])).replace(",", "\\,"))
    return ",".join(pairs)


def test_canvas_matchings_and_orderings(out: Path, tmp_path: Path) -> None:
    klass = KnownClass(out, n=30, seed=2)
    for s, attempt in enumerate(klass.finished):
        for n, a in enumerate(attempt.answers.values()):
            if a.item.type == "multipart":
                continue  # Canvas cannot carry this one: it is not in the quiz
            mode = (s + n) % 3 if a.item.type == "matching" else (s + n) % 2  # right, unanswered, one pair wrong
            k = len(a.item.prompts) if a.item.type == "matching" else len(a.item.entries)
            a.kind = ["right", "unanswered", "wrong"][mode]
            a.text = None if mode == 1 else canvas_cell(a.item, wrong=0 if mode == 2 else None)
            a.expected = a.lms_points = [a.points, 0.0, a.points * (k - 1) / k][mode]
    report = tmp_path / "sa.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    grades = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli, ["import-results", str(out / "manifest.json"), str(report), "-o", str(grades)])
    assert result.exit_code == 0, result.output
    assert "not graded: greedy-vs-sampling (qbank's canvas export cannot carry it" in result.stderr
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8")))}
    carried = [g for g in klass.manifest.groups if g != "greedy-vs-sampling"]
    for attempt in klass.kept(True).values():
        assert float(rows[attempt.key]["total"]) == pytest.approx(sum(attempt.answers[g].expected for g in carried))
        assert float(rows[attempt.key]["max"]) == len(carried)  # the group Canvas never received is not counted
    assert (tmp_path / "grades.disagreements.csv").read_text(encoding="utf-8").count("\n") == 1  # qbank agrees


def test_moodle_matchings_and_what_it_cannot_read(out: Path, tmp_path: Path) -> None:
    klass = KnownClass(out, n=12, seed=4)
    questions, _ = klass.moodle_texts()
    rows = [["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken", "Grade/3.00"]]
    groups = list(klass.manifest.groups)
    for n in range(1, len(groups) + 1):
        rows[0] += [f"Question {n}", f"Response {n}"]
    expected = {}
    for s, attempt in enumerate(klass.finished):
        row = [f"{s:03d}", "S", attempt.email, "Finished", f"{attempt.number} Dec 2026", f"{attempt.number} Dec 2026", "5 mins", "-"]
        total = 0.0
        for g in groups:
            item = attempt.answers[g].item
            summary = html_to_text(questions[item.id])
            if item.type == "matching":
                order = list(range(len(item.prompts)))[::-1] if s % 2 else list(range(len(item.prompts)))
                summary += " {" + "; ".join(plain(item.prompts[i]) for i in order) + "} -> {" + \
                    "; ".join(plain(c) for c in dict.fromkeys(item.choices)) + "}"
                shown = "; ".join(f"{plain(item.prompts[i])} -> {plain(item.choices[item.answer[i]])}" for i in order)
                total += attempt.answers[g].points
            else:
                shown = "something"
            row += [summary, shown]
        expected[attempt.email] = total
        rows.append(row)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    report = tmp_path / "responses.csv"
    report.write_text(text.getvalue(), encoding="utf-8")
    grades = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli, ["import-results", str(out / "manifest.json"), str(report), "-o", str(grades)])
    assert result.exit_code == 0, result.output
    got = {r["student"]: float(r["total"]) for r in csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8")))}
    assert got == pytest.approx(expected)
    assert "not graded: temperature-order (the moodle report shows ordering questions" in result.stderr
    assert "not graded: greedy-vs-sampling (the moodle report shows multipart questions" in result.stderr
    problems = list(csv.DictReader(io.StringIO((tmp_path / "grades.errors.csv").read_text(encoding="utf-8"))))
    unread = [p for p in problems if "matches no variant" in p["reason"]]
    assert len(unread) == 2 * len(klass.finished) and all(p["row"] for p in unread)  # the ordering and the cloze item
