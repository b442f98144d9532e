"""The way back from the LMS: its result reports in, grades and item statistics out.

    LMS report --read_report--> LmsReport (attempts, each cell tied to a variant)
               --grade_report--> LmsGrades (a Gradebook, the LMS's scores checked)
               --> grades CSV, feedback JSON (for `qbank stats`), grade-import CSV

One reader per platform: :mod:`~qbank.results.canvas` (Classic Quizzes Student Analysis CSV),
:mod:`~qbank.results.moodle` (quiz Responses report CSV), :mod:`~qbank.results.qti` (QTI 2.1 /
3.0 Results Reporting XML). Every response is tied to the exact variant the LMS drew, by
identifier (QTI) or by the question text (Canvas, Moodle) of items whose content hash the
manifest checks; what cannot be tied is reported with its line and reason, never dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .grading import POLICIES, Disagreement, LmsGrades, grade_report
from .model import LmsAttempt, LmsCell, LmsReport, ReportError
from .variants import VariantIndex

__all__ = [
    "PLATFORMS", "POLICIES", "Disagreement", "LmsAttempt", "LmsCell", "LmsGrades", "LmsReport", "ReportError",
    "VariantIndex", "detect_platform", "grade_report", "read_report",
]

PLATFORMS = ("canvas", "moodle", "qti")


def detect_platform(path: str | Path) -> str:
    """Which LMS wrote ``path``: 'qti' for XML, a folder or a zip; else by the CSV header.

    Raises:
        ReportError: a CSV whose header is no known report layout.
    """
    from ._csv import read_csv_table
    from .canvas import is_canvas
    from .moodle import is_moodle

    path = Path(path)
    if path.is_dir() or path.suffix.lower() in (".xml", ".zip"):
        return "qti"
    table = read_csv_table(path, "LMS result report")
    if is_canvas(table.header):
        return "canvas"
    if is_moodle(table.header):
        return "moodle"
    raise table.error("unknown layout: neither a Canvas Student Analysis report (name,id,...,n correct,n incorrect,"
                      "score) nor a Moodle Responses report (State, Started on, Question 1, Response 1, ...); "
                      "see docs/lms-results.md for how to download one", 1)


def read_report(path: str | Path, index: VariantIndex, platform: str = "auto", *,
                moodle_grades: str | Path | None = None) -> tuple[LmsReport, VariantIndex, dict[str, str]]:
    """Read an LMS result report, every response tied to its variant (see the platform modules).

    ``moodle_grades`` is Moodle's Grades report of the same attempts, for the marks per
    question that the Responses report lacks. Returns the report, the index of the groups
    qbank can grade from this platform (grade with it) and, for the others, why not.
    """
    kind = detect_platform(path) if platform == "auto" else platform
    index, skipped = index.for_platform(kind)
    if moodle_grades is not None and kind != "moodle":
        raise ReportError(f"{moodle_grades}: a Moodle Grades report goes with a Moodle Responses report, "
                          f"and {path} is a {kind} report")
    reader: Any
    if kind == "canvas":
        from .canvas import read_canvas as reader
    elif kind == "moodle":
        from .moodle import read_moodle as reader
    elif kind == "qti":
        from .qti import read_qti as reader
    else:
        raise ValueError(f"platform must be auto or one of {', '.join(PLATFORMS)}")
    report: LmsReport = (reader(str(path), index, str(moodle_grades)) if moodle_grades is not None
                         else reader(str(path), index))
    if not report.attempts:
        raise ReportError(f"{path}: the report holds no attempts")
    seen = {index.group_of[variant] for variant in report.tied}
    absent = [group for group in index.groups if group not in seen]
    if absent:
        # every student draws a variant of every group: a question absent from the whole
        # report means the report is of another quiz (or the quiz was changed in the LMS)
        raise ReportError(f"{path}: no variant of {', '.join(absent)} appears anywhere in the report "
                          f"({len(report.problems)} responses match no question of quiz {index.manifest.quiz_id!r}): "
                          "a report from another quiz, or a quiz whose questions were edited in the LMS")
    return report, index, skipped
