"""Grading an LMS report: every attempt against the variants it was tied to, and the LMS's scores checked.

:func:`grade_report` builds, for every attempt, the record the manifest would hold for it
(each quiz group's slot, with the variant the LMS drew) and grades the responses with
:func:`qbank.grader.gradebook.grade_responses`, so an LMS quiz is graded exactly like a paper
quiz: the same parsing, scoring, rubric and problem list. Then:

* scores are in the points the manifest records for each slot;
* where the LMS scored a response (choice, numeric, short text), the LMS's points are the
  grade and qbank's own grade checks them: every difference beyond the LMS's rounding is a
  :class:`Disagreement` (and the LMS's points count); within it, qbank's exact score is kept;
  open responses are graded by qbank's rubric;
* one attempt per student counts (``policy``: ``highest`` total, ``last`` or ``first``);
  every other attempt is listed as not counted, with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..grader.gradebook import Cell, Gradebook, ResponseRow, RowProblem, grade_responses
from ..grader.responses import Grade
from ..quiz.manifest import StudentRecord
from .model import LmsAttempt, LmsCell, LmsReport
from .variants import VariantIndex

__all__ = ["POLICIES", "Disagreement", "LmsGrades", "grade_report"]

POLICIES = ("highest", "last", "first")
_EPS = 1e-6
LMS_SCORED = ("single_choice", "multiple_response", "true_false", "numeric", "short_text")


@dataclass(frozen=True)
class Disagreement:
    line: int
    student: str
    slot: str
    item: str
    response: str
    lms_points: float
    qbank_points: float


@dataclass
class LmsGrades:
    report: LmsReport
    book: Gradebook
    kept: dict[str, LmsAttempt]
    disagreements: list[Disagreement] = field(default_factory=list)


@dataclass
class _Manifestish:
    students: list[StudentRecord]


def grade_report(report: LmsReport, index: VariantIndex, policy: str = "highest") -> LmsGrades:
    """Grade every attempt of ``report``; the gradebook holds the counted attempt of each student."""
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}")
    groups = index.groups
    records: list[StudentRecord] = []
    rows: list[ResponseRow] = []
    lms_cells: dict[tuple[str, str], LmsCell] = {}
    extra: dict[str, list[RowProblem]] = {}
    for n, attempt in enumerate(report.attempts):
        rid = str(n)
        problems = extra.setdefault(rid, [])
        by_group: dict[str, LmsCell] = {}
        for cell in attempt.cells:
            group = index.group_of[cell.item_id]
            if group in by_group:
                problems.append(RowProblem(cell.line, attempt.key, cell.item_id,
                                           f"column {cell.column}: a second variant of question {group!r} in one attempt "
                                           f"(the first is {by_group[group].item_id}); not graded"))
                continue
            by_group[group] = cell
        entries = []
        for group, variants in groups.items():
            cell = by_group.get(group)
            if cell is None:
                entry = variants[0]
                problems.append(RowProblem(attempt.line, attempt.key, entry.slot,
                                           f"the report has no variant of question {group!r} for this attempt (scored 0)"))
                entries.append(entry)
                continue
            entry = index.entries[cell.item_id]
            entries.append(entry)
            lms_cells[(rid, entry.slot)] = cell
            if cell.raw is not None:
                rows.append(ResponseRow(cell.line, rid, entry.slot, cell.raw))
        records.append(StudentRecord(student=rid, name=attempt.name, email=attempt.email, items=tuple(entries)))
    book = grade_responses(_Manifestish(records), index.items, rows)
    cells_of = {record.student: cells for record, cells in book.students}
    disagreements: dict[str, list[Disagreement]] = {}
    for record, cells in book.students:
        attempt = report.attempts[int(record.student)]
        found = disagreements.setdefault(record.student, [])
        for slot, cell in cells.items():
            _in_manifest_points(cell)
            lms = lms_cells.get((record.student, slot))
            if lms is None or lms.lms_points is None or index.items[cell.item_id].type not in LMS_SCORED:
                continue
            if abs(lms.lms_points - cell.score) > lms.lms_precision + _EPS:
                found.append(Disagreement(lms.line, attempt.key, slot, cell.item_id, lms.shown, lms.lms_points, cell.score))
                _use_lms_points(cell, lms.lms_points)
        if report.grade_max is not None and attempt.lms_total is not None and not any(
                lms_cells.get((record.student, s)) and lms_cells[(record.student, s)].lms_points is not None for s in cells):
            total, top = sum(c.score for c in cells.values()), sum(c.points for c in cells.values())
            mine = total / top * report.grade_max if top else 0.0
            if abs(mine - attempt.lms_total) > report.grade_precision + _EPS:  # Moodle rounds to its decimals
                found.append(Disagreement(attempt.line, attempt.key, "total", "", "", attempt.lms_total, round(mine, 6)))
    kept = _choose(report.attempts, {rid: sum(c.score for c in cells.values()) for rid, cells in cells_of.items()}, policy)
    final = Gradebook(book.slots, [], items=book.items)
    keep_ids = {rid for rid in kept.values()}
    for record, cells in book.students:
        attempt = report.attempts[int(record.student)]
        if record.student in keep_ids:
            final.students.append((StudentRecord(student=attempt.key, name=attempt.name, email=attempt.email,
                                                 items=record.items), cells))
            final.graded += sum(1 for c in cells.values() if c.status == "graded")
    for problem in book.problems:
        attempt = report.attempts[int(problem.student)]
        if problem.student in keep_ids:  # a missing response has no row of its own: it is the attempt's row
            reason = f"{problem.reason} ({attempt.source})" if attempt.source and problem.row is None else problem.reason
            final.problems.append(replace(problem, student=attempt.key, row=problem.row or attempt.line, reason=reason))
    for rid, problems in extra.items():
        if rid in keep_ids:
            final.problems.extend(problems)
    final.problems.extend(report.problems)
    for n, attempt in enumerate(report.attempts):
        rid = str(n)
        if rid in keep_ids:
            if not attempt.finished:
                final.problems.append(RowProblem(attempt.line, attempt.key, f"attempt {attempt.attempt}",
                                                 f"no finished attempt (state {attempt.status!r}); this one is graded as it stands"))
            continue
        counted = report.attempts[int(kept[attempt.key])]
        answered = sum(1 for c in attempt.cells if c.raw is not None)
        why = "not finished" if not attempt.finished else f"{policy}: attempt {counted.attempt} counts"
        final.problems.append(RowProblem(attempt.line, attempt.key, f"attempt {attempt.attempt}",
                                         f"attempt not counted ({why}); its {answered} responses are not in the grades"
                                         + (f" ({attempt.source})" if attempt.source else "")))
    kept_attempts = {key: report.attempts[int(rid)] for key, rid in kept.items()}
    flat = [d for rid in sorted(keep_ids, key=int) for d in disagreements.get(rid, [])]
    return LmsGrades(report, final, kept_attempts, flat)


def _in_manifest_points(cell: Cell) -> None:
    """Rescale a grade to the slot's points in the manifest (a section may override the item's)."""
    if cell.grade is not None and abs(cell.grade.max_score - cell.points) > _EPS:
        cell.grade = replace(cell.grade, score=cell.grade.fraction * cell.points, max_score=cell.points)


def _use_lms_points(cell: Cell, points: float) -> None:
    fraction = points / cell.points if cell.points else 0.0
    base = cell.grade or Grade(score=0.0, max_score=cell.points, fraction=0.0, correct=False,
                               feedback=("Scored by the LMS; qbank had no readable response to grade.",))
    cell.grade = replace(base, score=points, max_score=cell.points, fraction=fraction, correct=fraction >= 1 - _EPS)


def _choose(attempts: list[LmsAttempt], totals: dict[str, float], policy: str) -> dict[str, str]:
    """Student key -> the record id of the attempt that counts."""
    by_key: dict[str, list[tuple[int, LmsAttempt]]] = {}
    for n, attempt in enumerate(attempts):
        by_key.setdefault(attempt.key, []).append((n, attempt))
    out = {}
    for key, options in by_key.items():
        finished = [o for o in options if o[1].finished] or options
        if policy == "highest":
            n, _ = max(finished, key=lambda o: (totals.get(str(o[0]), 0.0), o[1].attempt))
        elif policy == "last":
            n, _ = max(finished, key=lambda o: o[1].attempt)
        else:
            n, _ = min(finished, key=lambda o: o[1].attempt)
        out[key] = str(n)
    return out
