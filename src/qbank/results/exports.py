"""Files an instructor uploads back, and the list of scores the LMS and qbank disagree on.

* :func:`canvas_gradebook_csv`: Canvas's gradebook import (Grades > Import): ``Student, ID,
  SIS User ID, SIS Login ID, Section`` and one assignment column, with the ``Points Possible``
  row Canvas's own export writes; Canvas matches students by ID.
* :func:`moodle_import_csv`: Moodle's grade import from a CSV file: an identity column (the
  one the Responses report carried: ID number, Username or Email address) and one grade
  column, in the quiz's grade scale (``Grade/<max>`` of the report), to map in the import form.

All text goes through :func:`qbank._files.csv_text`, like every CSV qbank writes.
"""

from __future__ import annotations

from typing import Any

from .._files import csv_text
from .grading import LmsGrades

__all__ = ["canvas_gradebook_csv", "disagreements_csv", "moodle_import_csv"]


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") or "0"


def _totals(grades: LmsGrades) -> list[tuple[Any, float, float]]:
    out = []
    for record, cells in grades.book.students:
        out.append((record, sum(c.score for c in cells.values()), sum(c.points for c in cells.values())))
    return out


def canvas_gradebook_csv(grades: LmsGrades, assignment: str) -> str:
    """A Canvas gradebook import CSV with one column, ``assignment`` (e.g. 'Quiz 3 (12345)')."""
    totals = _totals(grades)
    possible = max((top for _, _, top in totals), default=0.0)
    rows: list[list[Any]] = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment],
                             ["    Points Possible", "", "", "", "", _num(possible)]]
    for record, total, _ in totals:
        attempt = grades.kept[record.student]
        rows.append([attempt.name, attempt.lms_id, attempt.sis_id, "", attempt.section, _num(total)])
    return csv_text(rows)


def moodle_import_csv(grades: LmsGrades, column: str) -> str:
    """A Moodle grade import CSV: the report's identity column and ``column``, rescaled to Grade/<max>."""
    identity = grades.report.identity
    scale = grades.report.grade_max
    rows: list[list[Any]] = [[identity, column]]
    for record, total, top in _totals(grades):
        value = total / top * scale if scale is not None and top else total
        rows.append([record.student, f"{value:.2f}" if scale is not None else _num(value)])
    return csv_text(rows)


def disagreements_csv(grades: LmsGrades) -> str:
    """Every response the LMS scored differently from qbank: line, student, slot, item, response, both scores."""
    rows: list[list[Any]] = [["line", "student", "slot", "item", "response", "lms_points", "qbank_points"]]
    rows += [[d.line, d.student, d.slot, d.item, d.response, _num(d.lms_points), _num(d.qbank_points)]
             for d in grades.disagreements]
    return csv_text(rows)
