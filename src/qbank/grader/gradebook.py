"""Grading a whole quiz: every response row of a class against the manifest's items.

:func:`grade_responses` takes the manifest (duck-typed: ``students`` with ``items``), the
regenerated items by id and the response rows, and returns a :class:`Gradebook`. Nothing
is dropped: every row is graded or becomes a :class:`RowProblem` (unknown student,
unknown item, format error, duplicate), and every (student, slot) without a response is
scored 0 and listed as missing. When a student answered the same slot twice the first
row is graded and the later ones are listed as duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .batch import grade_batch
from .responses import FormatError, Grade

__all__ = ["Cell", "Gradebook", "ResponseRow", "RowProblem", "grade_responses", "quiz_slots", "resolve_slot", "slot_named", "slot_of_item"]


@dataclass(frozen=True)
class ResponseRow:
    """One response as read: ``row`` is its line in a CSV file or its 1-based index in JSON."""

    row: int
    student: str
    item: str
    response: str


@dataclass(frozen=True)
class RowProblem:
    row: int | None
    student: str
    item: str
    reason: str


@dataclass
class Cell:
    """One student's result on one slot."""

    slot: str
    item_id: str
    points: float
    status: str = "missing"  # graded | format_error | missing
    response: str | None = None
    grade: Grade | None = None
    error: FormatError | None = None

    @property
    def score(self) -> float:
        """The points earned out of the points the manifest gives this slot.

        A grade scores the item on its own points; a quiz section may give it other points
        (``points:`` in the spec), so the grade's fraction is what carries over.
        """
        return round(self.grade.fraction * self.points, 6) if self.grade is not None else 0.0


@dataclass
class Gradebook:
    slots: list[str]
    students: list[tuple[Any, dict[str, Cell]]]
    problems: list[RowProblem] = field(default_factory=list)
    items: dict[str, Any] = field(default_factory=dict)
    graded: int = 0


def resolve_slot(record: Any, item: str) -> str | None:
    """The slot a response's ``item`` field names for this student: 'q2', '2' or an item id."""
    text = item.strip()
    named = slot_named(tuple(e.slot for e in record.items), text)
    return named if named is not None else slot_of_item(record, text)


def slot_named(slots: tuple[str, ...], text: str) -> str | None:
    """The slot ``text`` (stripped) names among ``slots``: 'q2', '2', 'Q2'; None if none does."""
    if text in slots:
        return text
    if text.isdecimal() and f"q{int(text)}" in slots:  # isdigit() also takes "²", which int() refuses
        return f"q{int(text)}"
    if text.casefold() in {s.casefold() for s in slots}:
        return next(s for s in slots if s.casefold() == text.casefold())
    return None


def slot_of_item(record: Any, text: str) -> str | None:
    """The slot of the student's item with id ``text``, if exactly one has it."""
    matches = [e.slot for e in record.items if e.item == text]
    return matches[0] if len(matches) == 1 else None


def quiz_slots(students: Iterable[Any]) -> list[str]:
    """Every slot of the quiz, in the order of the grades' columns (q1, q2, ..., q10)."""
    slots = {entry.slot: None for record in students for entry in record.items}
    return sorted(slots, key=lambda s: (len(s), s))


def grade_responses(manifest: Any, items: Mapping[str, Any], rows: Sequence[ResponseRow]) -> Gradebook:
    """Grade every row against the item the manifest gave that student in that slot."""
    book = Gradebook(quiz_slots(manifest.students), [], items=dict(items))
    cells: dict[str, dict[str, Cell]] = {}
    records = {r.student: r for r in manifest.students}
    for record in manifest.students:
        row_cells = {e.slot: Cell(e.slot, e.item, e.points) for e in record.items}
        cells[record.student] = row_cells
        book.students.append((record, row_cells))
    first_row: dict[tuple[str, str], int] = {}
    to_grade: list[tuple[Cell, ResponseRow]] = []
    for r in rows:
        record = records.get(r.student.strip())
        if record is None:
            book.problems.append(RowProblem(r.row, r.student, r.item, "unknown student (not in the manifest)"))
            continue
        slot = resolve_slot(record, r.item)
        if slot is None:
            book.problems.append(RowProblem(r.row, r.student, r.item, f"unknown item for this student (slots {', '.join(e.slot for e in record.items)})"))
            continue
        key = (record.student, slot)
        if key in first_row:
            book.problems.append(RowProblem(r.row, r.student, r.item, f"duplicate response for {slot} (row {first_row[key]} is graded)"))
            continue
        first_row[key] = r.row
        to_grade.append((cells[record.student][slot], r))
    results = grade_batch([(items[cell.item_id], r.response) for cell, r in to_grade])
    for (cell, r), result in zip(to_grade, results):
        cell.response = r.response
        if isinstance(result, FormatError):
            cell.status, cell.error = "format_error", result
            book.problems.append(RowProblem(r.row, r.student, r.item, f"format error (scored 0): {result}"))
        else:
            cell.status, cell.grade = "graded", result
            book.graded += 1
    for record, row_cells in book.students:
        for cell in row_cells.values():
            if cell.status == "missing":
                book.problems.append(RowProblem(None, record.student, cell.slot, "missing response (scored 0)"))
    return book
