"""What an LMS result report holds once read: attempts, each a list of cells tied to a variant.

A reader (one module per platform) turns the LMS's file into an :class:`LmsReport`:

* every :class:`LmsAttempt` is one attempt of one student (``key`` is the identity written to
  the grade files: the LMS user id, SIS id, email or QTI ``sourcedId``);
* every :class:`LmsCell` is one response, already tied to the exact qbank variant
  (``item_id``, '<template>-v<version>-s<seed>') that the LMS drew, with the response in
  qbank's own response syntax (``raw``; None when unanswered), the cell as the LMS wrote it
  and the points the LMS gave (None when the report has none);
* ``problems`` lists every cell that could not be tied to a variant, with its line, column
  and the reason: nothing is dropped.

Files that cannot be read at all (unknown layout, truncated, spreadsheet-mangled, from
another quiz) raise :class:`ReportError` (exit code 2) before anything is graded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..grader.gradebook import RowProblem

__all__ = ["LmsAttempt", "LmsCell", "LmsReport", "ReportError", "where"]


class ReportError(InputError):
    """An LMS result file that cannot be read; the message names the file, line and column."""


def where(path: str, line: int | None = None, column: int | None = None, header: str = "") -> str:
    """``file:line: column N ('header')``, the place an error message starts with."""
    out = str(path) if line is None else f"{path}:{line}"
    if column is not None:
        out += f": column {column}" + (f" ({header!r})" if header else "")
    return out


@dataclass(frozen=True)
class LmsCell:
    item_id: str
    raw: str | None
    shown: str
    lms_points: float | None
    line: int
    column: int | None = None
    header: str = ""
    lms_precision: float = 1e-6  # how far apart the LMS's points and qbank's still agree (the LMS rounds)


@dataclass(frozen=True)
class LmsAttempt:
    key: str
    name: str
    attempt: int
    line: int
    cells: tuple[LmsCell, ...]
    lms_id: str = ""
    sis_id: str = ""
    email: str = ""
    section: str = ""
    lms_total: float | None = None
    finished: bool = True
    status: str = ""
    source: str = ""  # the file the attempt comes from, when a report is several files (QTI)


@dataclass
class LmsReport:
    platform: str
    path: str
    attempts: list[LmsAttempt] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    grade_max: float | None = None  # Moodle's "Grade/10.00": the scale of its totals
    grade_precision: float = 0.005  # ... and half the last decimal it shows
    identity: str = "ID"  # the column the grade-import file matches students on
    tied: set[str] = field(default_factory=set)  # every variant a response was tied to, read or not
