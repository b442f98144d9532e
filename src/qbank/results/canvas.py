"""Canvas Classic Quizzes: the "Student Analysis" report (CSV).

Layout, as Canvas writes it (``Quizzes::QuizStatistics::StudentAnalysis#to_csv``):

    name, id, [sis_id], [root_account], section, section_id, [section_sis_id], submitted, [attempt],
    then for every question any student was given: "<question id>: <question text, tags stripped>",
    "<points possible>", ..., then "n correct", "n incorrect", "score"

* a question of a group appears once per variant drawn (each has its own Canvas question id);
  a student's cells are both empty for the variants they were not given, and the points cell
  holds a number for the one they were given, even when they left it unanswered;
* the response cell is the chosen answer's text (multiple answers: the chosen texts joined by
  ``,``, a comma inside a text written ``\\,``), the number as typed for a numerical question,
  the text for short answers and essays;
* ``attempt`` is there when the report includes all attempts: one row per attempt;
* the header after a question is its points possible in Canvas: the points per question of
  its group. When it differs from the manifest's points (a group left at Canvas's default
  points), Canvas's points are scaled to the manifest's, and the report says so.

The question id is Canvas's own; the tie to a qbank variant is the question text (see
:mod:`qbank.results.variants`).
"""

from __future__ import annotations

import re

from ..grader.gradebook import RowProblem
from ._csv import looks_like_a_date, looks_like_a_mangled_id, read_csv_table
from .model import LmsAttempt, LmsCell, LmsReport
from .structured import canvas_structured
from .variants import CANVAS_TYPES, VariantIndex

__all__ = ["is_canvas", "read_canvas"]

WHAT = "Canvas Student Analysis report"
_QUESTION = re.compile(r"^(\d+): (.*)$", re.DOTALL)
_TAIL = ["n correct", "n incorrect", "score"]


def is_canvas(header: list[str]) -> bool:
    return len(header) >= 5 and header[:2] == ["name", "id"] and header[-3:] == _TAIL


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_canvas(path: str, index: VariantIndex) -> LmsReport:
    """The attempts of a Student Analysis CSV, each cell tied to its variant.

    Raises:
        ReportError: not this layout, damaged by a spreadsheet, truncated, or from another quiz.
    """
    table = read_csv_table(path, WHAT)
    header = table.header
    if not is_canvas(header):
        raise table.error(f"not a {WHAT}: the header must start with name,id and end with n correct,n incorrect,score "
                          f"(it starts {', '.join(header[:3])!r})", 1)
    if "submitted" not in header:
        raise table.error("no 'submitted' column: the first question must follow it", 1)
    first = header.index("submitted") + 1
    has_attempt = first < len(header) and header[first] == "attempt"
    first += has_attempt
    col = {name: i for i, name in enumerate(header[:first])}
    questions: list[tuple[int, str | None, str]] = []  # (column index, variant or None, reason)
    for c in range(first, len(header) - 3, 2):
        match = _QUESTION.match(header[c])
        if match is None or _number(header[c + 1]) is None:
            raise table.error("expected a question column '<id>: <question text>' followed by its points possible", 1, c + 1)
        found, reason = index.by_text(match.group(2))
        if len(found) > 1:
            questions.append((c, None, f"the question text matches {len(found)} variants ({', '.join(found)}); not guessed"))
        elif not found:
            questions.append((c, None, reason))
        else:
            questions.append((c, found[0], ""))
    if questions and all(v is None for _, v, _ in questions):
        raise table.error(f"none of the report's {len(questions)} questions is a question of quiz "
                          f"{index.manifest.quiz_id!r}: a report from another quiz, or a quiz edited in Canvas", 1)
    report = LmsReport("canvas", table.path, identity="ID")
    # Canvas's points possible for a question is its group's points per question, which the
    # instructor may have left at Canvas's default: its points are scaled to the manifest's
    scale: dict[int, float] = {}
    for c, variant, _ in questions:
        if variant is None:
            continue
        possible, wanted = float(header[c + 1]), index.entries[variant].points
        scale[c] = wanted / possible if possible > 0 else 1.0
        if abs(possible - wanted) > 1e-9:
            report.problems.append(RowProblem(1, "", variant, f"column {c + 2}: Canvas gives this question {header[c + 1]} "
                                              f"points, the manifest {wanted:g}: Canvas's points are scaled to the "
                                              "manifest's (check the question group's points in Canvas)"))
    seen: dict[str, int] = {}
    for line, record in table.rows:
        def cell(name: str) -> str:
            return record[col[name]].strip() if name in col else ""

        user = cell("id")
        if looks_like_a_mangled_id(user):
            raise table.error(f"the user id {user!r} was rewritten in scientific notation by a spreadsheet; "
                              "download the report again", line, col["id"] + 1)
        key = user or cell("name")
        if has_attempt:
            attempt_text = cell("attempt")
            if not attempt_text.isdecimal():
                raise table.error(f"attempt {attempt_text!r} is not a number", line, col["attempt"] + 1)
            attempt = int(attempt_text)
        else:
            attempt = seen.get(key, 0) + 1
        seen[key] = max(seen.get(key, 0), attempt)
        cells = []
        for c, variant, reason in questions:
            shown, points_text = record[c].strip(), record[c + 1].strip()
            if not points_text and not shown:
                continue  # a variant this student was not given
            if variant is None:
                report.problems.append(RowProblem(line, key, header[c][:60], f"column {c + 1}: {reason}; response {shown!r} not graded"))
                continue
            points = _number(points_text) if points_text else None
            if points_text and points is None:
                raise table.error(f"points {points_text!r} is not a number", line, c + 2)
            item = index.items[variant]
            report.tied.add(variant)
            if item.type not in CANVAS_TYPES:
                report.problems.append(RowProblem(line, key, variant, f"column {c + 1}: {item.type} answers from Canvas "
                                                  f"are not read yet; response {shown!r} not graded"))
                continue
            if item.type == "numeric" and looks_like_a_date(shown):
                raise table.error(f"{shown!r} in a numerical answer looks like a date: a spreadsheet has converted "
                                  "the file; download the report again and give it to qbank unchanged", line, c + 1)
            raw = (canvas_structured(item, shown) if item.type in ("matching", "ordering", "multipart")
                   else index.response(variant, shown)) if shown else None
            cells.append(LmsCell(variant, raw, shown, None if points is None else points * scale[c], line, c + 1, header[c]))
        score = _number(record[-1].strip())
        report.attempts.append(LmsAttempt(
            key=key, name=cell("name"), attempt=attempt, line=line, cells=tuple(cells), lms_id=user,
            sis_id=cell("sis_id"), section=cell("section"), lms_total=score))
    return report


def canvas_header_text(question_html: str) -> str:
    """What Canvas writes after '<id>: ' for a question: its HTML with the tags stripped (for fixtures and docs)."""
    return re.sub(r"<[^>]*>", "", question_html)
