"""Rosters: the students of a class, read from a CSV file an LMS or spreadsheet exported.

Column names are configurable (``roster: {id: "Student ID", name: Name}`` in the spec, or
``--id-column`` and friends); headers match exactly, else ignoring case and surrounding
spaces. The id column is required; name and email are optional unless named explicitly.
Every problem found is reported at once, each with the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._files import csv_rows, read_text
from ..errors import InputError, Problem
from .spec import RosterColumns

__all__ = ["Roster", "Student", "read_roster", "parse_roster"]

# Student ids become folder names (students/<id>/), so they must be safe as one.
_FORBIDDEN = set('/\\:*?"<>|')


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    line: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True)
class Roster:
    file: str
    students: tuple[Student, ...]

    def __len__(self) -> int:
        return len(self.students)


def read_roster(path: str | Path, columns: RosterColumns | None = None) -> Roster:
    """Read a roster CSV (UTF-8, with or without BOM; comma, semicolon or tab separated).

    Raises:
        InputError: a missing file or column, or rows with empty, duplicate or unusable ids.
    """
    text = read_text(path, what="roster file", hint="; save the roster as 'CSV UTF-8'")
    return parse_roster(text, str(path), columns)


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _find(header: list[str], wanted: str) -> int | None:
    if wanted in header:
        return header.index(wanted)
    folded = [h.strip().casefold() for h in header]
    key = wanted.strip().casefold()
    return folded.index(key) if key in folded else None


def _id_problem(sid: str) -> str | None:
    if sid in (".", "..") or sid.startswith("."):
        return f"student id {sid!r} cannot start with '.' (ids become folder names)"
    bad = sorted({c for c in sid if c in _FORBIDDEN or ord(c) < 32})
    if bad:
        return f"student id {sid!r} contains {' '.join(repr(c) for c in bad)}, which cannot be in a folder name"
    return None


def parse_roster(text: str, file: str = "roster", columns: RosterColumns | None = None) -> Roster:
    """Parse roster CSV text; see :func:`read_roster`."""
    columns = columns or RosterColumns()
    first_line = text.split("\n", 1)[0]
    # csv_rows reads a cell qbank quoted against formulas ('=x) back as it was (=x): a roster
    # may be made from a grades CSV that qbank wrote.
    reader = csv_rows(text, file, delimiter=_delimiter(first_line))
    header = next(reader, (0, None))[1]
    if not header or not any(h.strip() for h in header):
        raise InputError(f"{file}: the roster is empty (expected a header row naming its columns)")
    where: dict[str, int | None] = {}
    for role in ("id", "name", "email"):
        wanted = getattr(columns, role)
        index = _find(header, wanted)
        # name and email are optional, unless the spec or the command line named their column
        if index is None and (role == "id" or role in columns.model_fields_set):
            found = ", ".join(repr(h) for h in header)
            raise InputError(
                f"{file}: no column {wanted!r} for student {role}s (columns found: {found}); "
                f"name the right one with --{role}-column or `roster: {{{role}: ...}}` in the quiz spec"
            )
        where[role] = index
    problems: list[Problem] = []
    students: list[Student] = []
    first_seen: dict[str, int] = {}
    for line, row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(file, f"{len(row)} fields but the header has {len(header)} "
                                          "(a comma inside a name needs the field in double quotes)", line=line))
            continue

        def cell(role: str) -> str:
            index = where[role]
            return row[index].strip() if index is not None else ""

        sid = cell("id")
        if not sid:
            problems.append(Problem(file, f"empty student id (column {header[where['id'] or 0]!r})", line=line))
            continue
        if reason := _id_problem(sid):
            problems.append(Problem(file, reason, line=line))
            continue
        # Folders on macOS and Windows ignore case, so 'A1' and 'a1' would share one.
        folded = sid.casefold()
        if folded in first_seen:
            problems.append(Problem(file, f"duplicate student id {sid!r} (first on line {first_seen[folded]})", line=line))
            continue
        first_seen[folded] = line
        students.append(Student(sid, cell("name"), cell("email"), line))
    if problems:
        raise InputError("\n".join(str(p) for p in problems))
    if not students:
        raise InputError(f"{file}: the roster has a header but no students")
    return Roster(file, tuple(students))
