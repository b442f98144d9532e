"""Moodle quiz: the "Responses" report, downloaded as CSV.

Layout, as Moodle writes it (``mod/quiz/report/responses``, ``quiz_attempts_report_table``):

    Surname, First name, [identity fields: Email address, ID number, Username, ...],
    State, Started on, Completed, Time taken, Grade/<max>,
    then for every quiz slot N, as ticked in the report options:
    "Question N" (the question summary), "Response N" (the response summary), "Right answer N"

* the question summary of a multiple-choice question is its text, ``: ``, then its choices in
  the order this student saw them, joined by ``; ``; of other questions, the text;
* the response summary is the chosen choice's text (several: joined by ``; ``), ``True`` /
  ``False``, the number or text as typed; ``-`` when there is no response;
* one row per attempt; ``State`` is ``Finished`` for a submitted attempt. (Downloaded with
  "Which tries: all tries", an attempt spreads over one row per try, the earlier ones without
  a State and the later ones without an email: refused, with the option to choose.)

The Responses report has no marks per question; the "Grades" report (the quiz's overview
report, downloaded as CSV) has them: the same user and time columns, then ``Q. N /<max>`` per
slot, each mark rescaled to the quiz's grade and shown to the quiz's decimal places (``-`` or
``Requires grading`` when there is none). Given both, each attempt's marks are joined to its
responses by (identity, Started on, Completed), and the LMS's mark of each response is
checked against qbank's to within the rounding of the shown decimals.

The download starts with a UTF-8 byte-order mark (for Excel), which is dropped. The tie to a
qbank variant is the "Question N" summary, so that column must be in the download.
"""

from __future__ import annotations

import re

from ..grader.gradebook import RowProblem
from ._csv import looks_like_a_date, looks_like_a_mangled_id, read_csv_table
from .model import LmsAttempt, LmsCell, LmsReport
from .structured import moodle_matching
from .variants import MOODLE_TYPES, VariantIndex

__all__ = ["is_moodle", "read_moodle"]

WHAT = "Moodle quiz Responses report"
_SLOT = re.compile(r"^(Question|Response|Right answer) (\d+)$")
_GRADE = re.compile(r"^Grade/(\d+(?:\.(\d+))?)$")
_MARK = re.compile(r"^Q\. (\d+) /(\d+(?:\.(\d+))?)$")
GRADES_WHAT = "Moodle quiz Grades report"
IDENTITIES = ("ID number", "Username", "Email address")
NO_RESPONSE = "-"


def is_moodle(header: list[str]) -> bool:
    return "State" in header and "Started on" in header and any(_SLOT.match(h) for h in header)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ".")) if text not in ("", "-") else None
    except ValueError:
        return None


Marks = dict[int, tuple[float | None, float, int]]  # slot -> (mark, its maximum, decimals shown)


def _grades_lookup(path: str, identity: str) -> dict[tuple[str, str, str], list[tuple[int, Marks]]]:
    """The marks of every attempt in a Grades report, by (identity, Started on, Completed), in file order."""
    table = read_csv_table(path, GRADES_WHAT)
    header = table.header
    slots = {i: _MARK.match(h) for i, h in enumerate(header)}
    slots = {i: m for i, m in slots.items() if m}
    if not slots or "Started on" not in header:
        raise table.error(f"not a {GRADES_WHAT}: expected the columns Started on and Q. 1 /<max>, Q. 2 /<max>, ... "
                          "(tick 'Marks for each question' when downloading)", 1)
    if identity not in header:
        raise table.error(f"no {identity!r} column, which the Responses report uses to identify students: "
                          "download both reports with the same identity fields", 1)
    col = {h: i for i, h in enumerate(header)}
    out: dict[tuple[str, str, str], list[tuple[int, Marks]]] = {}
    for line, record in table.rows:
        if record[0].strip() == "Overall average":
            continue
        marks: Marks = {}
        for i, m in slots.items():
            text = record[i].strip()
            value = _number(text)
            if value is None and text not in ("", "-", "Requires grading", "Not yet graded"):
                raise table.error(f"mark {text!r} is not a number", line, i + 1)
            marks[int(m.group(1))] = (value, float(m.group(2)), len(m.group(3) or ""))
        key = (record[col[identity]].strip(), record[col["Started on"]].strip(),
               record[col["Completed"]].strip() if "Completed" in col else "")
        out.setdefault(key, []).append((line, marks))
    return out


def read_moodle(path: str, index: VariantIndex, grades: str | None = None) -> LmsReport:
    """The attempts of a Responses report CSV, each response tied to its variant.

    ``grades`` is the quiz's Grades report (CSV) of the same attempts: its marks per question
    become the LMS's points of the responses.

    Raises:
        ReportError: not this layout, no question text, damaged, truncated, or from another quiz.
    """
    table = read_csv_table(path, WHAT)
    header = table.header
    if not is_moodle(header):
        raise table.error(f"not a {WHAT}: expected the columns State, Started on and Response 1, Response 2, ...", 1)
    col = {h: i for i, h in enumerate(header)}
    identity = next((h for h in IDENTITIES if h in col), None)
    if identity is None:
        raise table.error(f"no column identifies the students (one of {', '.join(IDENTITIES)}): add an identity "
                          "field to the report, or ask the site administrator to show one", 1)
    slots: dict[int, dict[str, int]] = {}
    for i, h in enumerate(header):
        match = _SLOT.match(h)
        if match:
            slots.setdefault(int(match.group(2)), {})[match.group(1)] = i
    for n, where_ in sorted(slots.items()):
        if "Response" not in where_:
            raise table.error(f"slot {n} has no 'Response {n}' column: tick 'Response' in the report options", 1)
        if "Question" not in where_:
            raise table.error(f"no 'Question {n}' column: qbank ties each response to its variant by the question "
                              "text, so tick 'Question text' in the report options and download again", 1)
    grade_match = next((m for h in header if (m := _GRADE.match(h))), None)
    grade_max = float(grade_match.group(1)) if grade_match else None
    grade_col = next((i for i, h in enumerate(header) if _GRADE.match(h)), None)
    report = LmsReport("moodle", table.path, grade_max=grade_max, identity=identity,
                       grade_precision=0.5 * 10 ** -len(grade_match.group(2) or "") if grade_match else 0.005)
    lookup = _grades_lookup(grades, identity) if grades else None
    summaries: dict[str, list[str]] = {}
    attempts: dict[str, int] = {}
    matched_any = False
    for line, record in table.rows:
        if record[0].strip() == "Overall average":
            continue  # the average row Moodle may add at the end; not a student
        key = record[col[identity]].strip()
        if not key or not record[col["State"]].strip():
            raise table.error(f"a row without {identity if not key else 'a State'}: Moodle writes such rows for the "
                              "earlier tries of an attempt; download the report with 'Which tries: last try'",
                              line, col[identity if not key else "State"] + 1)
        if looks_like_a_mangled_id(key):
            raise table.error(f"{key!r} was rewritten in scientific notation by a spreadsheet; download the report again",
                              line, col[identity] + 1)
        name = " ".join(record[col[h]].strip() for h in ("First name", "Surname") if h in col).strip()
        state = record[col["State"]].strip()
        attempts[key] = attempts.get(key, 0) + 1
        marks: Marks = {}
        if lookup is not None:
            when = (key, record[col["Started on"]].strip(), record[col["Completed"]].strip() if "Completed" in col else "")
            found_rows = lookup.get(when)
            if found_rows:
                marks = found_rows.pop(0)[1]
            else:
                report.problems.append(RowProblem(line, key, f"attempt {attempts[key]}", f"no row of the Grades report "
                                                  f"({grades}) for this attempt; qbank's grades are used"))
        cells = []
        for n, where_ in sorted(slots.items()):
            q_col, r_col = where_["Question"], where_["Response"]
            summary, shown = record[q_col].strip(), record[r_col].strip()
            if summary in ("", NO_RESPONSE):
                continue
            if summary not in summaries:
                summaries[summary] = index.by_summary(summary)
            found = summaries[summary]
            if len(found) != 1:
                reason = (f"the question text matches {len(found)} variants ({', '.join(found)}); not guessed" if found
                          else "the question text matches no variant of this quiz")
                report.problems.append(RowProblem(line, key, f"Question {n}", f"column {q_col + 1}: {reason}; response {shown!r} not graded"))
                continue
            matched_any = True
            variant = found[0]
            item = index.items[variant]
            report.tied.add(variant)
            if item.type not in MOODLE_TYPES:
                report.problems.append(RowProblem(line, key, variant, f"column {r_col + 1}: {item.type} answers from Moodle "
                                                  f"are not read yet; response {shown!r} not graded"))
                continue
            if item.type == "numeric" and looks_like_a_date(shown):
                raise table.error(f"{shown!r} in a numerical answer looks like a date: a spreadsheet has converted "
                                  "the file; download the report again and give it to qbank unchanged", line, r_col + 1)
            raw = None if shown in ("", NO_RESPONSE) else (
                moodle_matching(item, shown) if item.type == "matching" else index.response(variant, shown))
            points, precision = None, 1e-6
            mark, top, decimals = marks.get(n, (None, 0.0, 0))
            if mark is not None and top > 0:
                scale = index.entries[variant].points / top  # Moodle rescales marks to the quiz's grade
                points, precision = mark * scale, 0.5 * 10 ** -decimals * scale
            cells.append(LmsCell(variant, raw, shown, points, line, r_col + 1, header[r_col], precision))
        total = _number(record[grade_col].strip()) if grade_col is not None else None
        report.attempts.append(LmsAttempt(
            key=key, name=name, attempt=attempts[key], line=line, cells=tuple(cells),
            email=record[col["Email address"]].strip() if "Email address" in col else "",
            lms_total=total, finished=state == "Finished", status=state))
    if lookup is not None:
        for (who, started, _), left in lookup.items():
            for line, _ in left:
                report.problems.append(RowProblem(line, who, started, f"{grades}: an attempt of the Grades report that "
                                                  "is not in the Responses report; not graded"))
    if report.attempts and not matched_any and report.problems:
        raise table.error(f"none of the report's questions is a question of quiz {index.manifest.quiz_id!r}: "
                          "a report from another quiz, or questions edited in Moodle", 1)
    return report

