"""Grading a class of any size a chunk of students at a time.

A paper quiz gives every student variants of their own: 100,000 students x 30 items are 3
million items, too many to hold at once (the items alone took ~0.5 MB per student). So
:func:`grade_class`

1. reads every response row and ties it to its student and slot, as
   :func:`~qbank.grader.gradebook.grade_responses` does (unknown students and items,
   duplicates), keeping only the raw response;
2. walks the students in manifest order, ``chunk`` at a time: has the chunk's items
   regenerated (``regenerate``: hash-checked, a batch per template), grades each response,
   hands the chunk to :class:`~qbank.grader.report.Reports` and lets the items go;
3. checks the LMS groups' variants, as ``Manifest.regenerate`` does, and returns the
   problems in the order grade_responses lists them (rows not tied, in file order; format
   errors, in file order; missing responses, in student order).

Every result is the one grade_responses gives: the same parse and grade of each response
(:func:`~qbank.grader.check`, which the batch graders match row for row). Variants whose
content repeats from student to student (a static question, an open question on fixed data)
are noticed per template, and each distinct (content, response) pair is graded once: the
grader reads an item's content, never its id or seed.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import check
from .gradebook import Cell, Gradebook, RowProblem, slot_named, slot_of_item
from .responses import FormatError, Grade

__all__ = ["ClassResult", "grade_class"]

Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]
Regenerate = Callable[[Sequence[Any]], dict[str, Any]]

CHUNK = 1000


@dataclass
class ClassResult:
    problems: list[RowProblem] = field(default_factory=list)
    graded: int = 0
    rows: int = 0


def grade_class(manifest: Any, rows: Iterable[tuple[int, str, str, str]], regenerate: Regenerate, reports: Any, *,
                chunk: int | None = None, progress: Progress | None = None) -> ClassResult:
    """Grade every (row, student, item, response) against the item the manifest gave that student in that slot.

    ``regenerate(entries)`` returns the items of manifest entries by item id (raising on a
    mismatch); ``reports.add(book)`` takes each chunk of ``chunk`` students (default ``CHUNK``). Raises what ``regenerate`` raises, in
    the order ``Manifest.regenerate`` would meet it (students' entries, then the groups').
    """
    students = manifest.students
    index = {r.student: i for i, r in enumerate(students)}
    slot_names: dict[tuple[str, ...], tuple[tuple[str, ...], dict[str, int]]] = {}
    layouts = []  # per student: its slots, and each slot's position in its items
    for record in students:
        names = tuple(e.slot for e in record.items)
        layouts.append(slot_names.setdefault(names, (names, {s: p for p, s in enumerate(names)})))
    taken: list[list[Any] | None] = [None] * len(students)  # per student and position: (row, student, item, response)
    result = ClassResult()
    named: dict[tuple[tuple[str, ...], str], str | None] = {}
    for row in rows:
        result.rows += 1
        line, student, item, response = row
        i = index.get(student.strip())
        if i is None:
            result.problems.append(RowProblem(line, student, item, "unknown student (not in the manifest)"))
            continue
        record, (names, position) = students[i], layouts[i]
        text = item.strip()
        key = (names, text)
        slot = named[key] if key in named else named.setdefault(key, slot_named(names, text))
        if slot is None:
            slot = slot_of_item(record, text)
        if slot is None:
            result.problems.append(RowProblem(line, student, item, f"unknown item for this student (slots {', '.join(names)})"))
            continue
        cells = taken[i]
        if cells is None:
            cells = taken[i] = [None] * len(names)
        p = position[slot]
        if cells[p] is not None:
            result.problems.append(RowProblem(line, student, item, f"duplicate response for {slot} (row {cells[p][0]} is graded)"))
            continue
        # the same strings as the record's where they are equal: a big class has millions of rows
        cells[p] = (line, record.student if student == record.student else student, item, response)

    firsts: dict[str, Any] = {}  # item id -> its first entry, the one regenerated and checked
    for record in students:
        for entry in record.items:
            firsts.setdefault(entry.item, entry)
    grader = _Grader()
    format_errors: list[RowProblem] = []
    missing: list[RowProblem] = []
    order = progress(range(len(students)), len(students), "Grading") if progress else range(len(students))
    for start, stop in _chunks(order, chunk or CHUNK):
        entries = {e.item: firsts[e.item] for r in students[start:stop] for e in r.items}
        items = regenerate(list(entries.values()))
        book = Gradebook(reports.slots, [], items=items)
        for i in range(start, stop):
            record = students[i]
            row_cells = {e.slot: Cell(e.slot, e.item, e.points) for e in record.items}
            book.students.append((record, row_cells))
            for cell, row in zip(row_cells.values(), taken[i] or ()):
                if row is None:
                    continue
                line, student, item, response = row
                cell.response = response
                graded = grader.check(items[cell.item_id], response)
                if isinstance(graded, FormatError):
                    cell.status, cell.error = "format_error", graded
                    format_errors.append(RowProblem(line, student, item, f"format error (scored 0): {graded}"))
                else:
                    cell.status, cell.grade = "graded", graded
                    result.graded += 1
            taken[i] = None
            missing += [RowProblem(None, record.student, c.slot, "missing response (scored 0)")
                        for c in row_cells.values() if c.status == "missing"]
        reports.add(book)
        del book, items
        # A chunk leaves some cyclic garbage (drawing makes it: a rejected draw's traceback, a
        # recursive closure), ~150 MB per 1,000 students; collected here, young generation
        # only, so that the long-lived results are not walked again (a caller usually pauses
        # the collector for the whole run, as `qbank grade` does).
        gc.collect(0)
    regenerate([e for g in manifest.groups.values() for e in g if e.item not in firsts])
    # grade_responses lists format errors in the order of the rows, after the rows it could not tie
    format_errors.sort(key=lambda p: p.row)
    result.problems += format_errors
    result.problems += missing
    return result


def _chunks(order: Iterable[int], size: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive chunks, stepping through ``order`` (which may show progress)."""
    start = None
    last = -1
    for i in order:
        if start is None:
            start = i
        last = i
        if i - start + 1 == size:
            yield start, i + 1
            start = None
    if start is not None:
        yield start, last + 1


class _Grader:
    """``check(item, raw)``, each distinct (content, raw) once for templates whose variants share content.

    The first ``SAMPLE`` variants of each template are compared by their content (the item
    without its id and seed). A template whose variants all differ (most families: the
    numbers change with the seed) is graded response by response, as usual. One whose
    variants repeat keeps a memo of grades by (content, raw), until its contents turn out
    to be mostly new after all.
    """

    SAMPLE = 16

    def __init__(self) -> None:
        # template -> [responses seen, each distinct content's number, memo by (number, raw) or None]
        self.templates: dict[str, list[Any]] = {}

    def check(self, item: Any, raw: str) -> Grade | FormatError:
        state = self.templates.get(item.template)
        if state is None:
            state = self.templates[item.template] = [0, {}, {}]
        n, contents, memo = state
        if memo is None:
            return check(item, raw)
        content = contents.setdefault(item.model_dump_json(exclude={"id", "seed"}), len(contents))
        state[0] = n = n + 1
        if n >= self.SAMPLE and 2 * len(contents) > n:
            state[1:] = [{}, None]  # mostly distinct: no memo for this template
            return check(item, raw)
        key = (content, raw)
        result = memo.get(key)
        if result is None:
            result = memo[key] = check(item, raw)
        return result
