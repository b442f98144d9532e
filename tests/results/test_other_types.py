"""Ordering, matching and multipart items: read from QTI results; reported (never dropped) from CSV reports."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from lms_class import KnownClass, build_quiz, canvas_report

from qbank.cli import cli
from qbank.questions.items import letter

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


def test_csv_reports_list_what_they_cannot_read_with_its_line(out: Path, tmp_path: Path) -> None:
    klass = KnownClass(out, n=10, seed=2)
    for attempt in klass.attempts:
        for a in attempt.answers.values():
            a.kind, a.text, a.lms_points = "right", "something", a.points
    report = tmp_path / "sa.csv"
    report.write_text(canvas_report(klass), encoding="utf-8")
    grades = tmp_path / "grades.csv"
    result = CliRunner().invoke(cli, ["import-results", str(out / "manifest.json"), str(report), "-o", str(grades)])
    assert result.exit_code == 0, result.output
    problems = list(csv.DictReader(io.StringIO((tmp_path / "grades.errors.csv").read_text(encoding="utf-8"))))
    unread = [p for p in problems if "answers from Canvas are not read yet" in p["reason"]]
    carried = [g for g in klass.manifest.groups if g != "greedy-vs-sampling"]  # Canvas cannot carry this multipart item
    assert len(unread) == len(klass.attempts) * len(carried)  # every response, each with its line
    assert all(p["row"] for p in unread)
    rows = list(csv.DictReader(io.StringIO(grades.read_text(encoding="utf-8"))))
    assert all(float(r["total"]) == 0 for r in rows)
    # the group Canvas never received is not graded, nor counted in the maximum
    assert "not graded: greedy-vs-sampling" in result.stderr
    assert {float(r["max"]) for r in rows} == {float(len(carried))}
