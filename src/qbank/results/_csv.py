"""Reading an LMS CSV report: the file as the LMS wrote it, or a clear error saying how it was changed.

Spreadsheets damage these files in known ways, and each gets a message naming the file and
the line (and column): re-saved as UTF-16, re-saved with semicolons (a European locale),
numbers turned into dates ("1/2" -> "2-Jan") or ids into scientific notation, two files
pasted together (a byte-order mark inside), a file cut short. A UTF-8 byte-order mark at the
start is not damage: Moodle writes one for Excel, and it is dropped.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from .._files import read_text
from .model import ReportError, where

__all__ = ["CsvTable", "looks_like_a_date", "read_csv_table"]

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DATE = re.compile(
    rf"^(\d{{1,2}}-({_MONTHS})(-\d{{2,4}})?|({_MONTHS})-\d{{2,4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}([ T]\d\d:\d\d(:\d\d)?)?)$",
    re.IGNORECASE)
_SCIENTIFIC_ID = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)


def looks_like_a_date(cell: str) -> bool:
    """True for what a spreadsheet writes after turning '1/2' or '3-4' into a date."""
    return bool(_DATE.match(cell.strip()))


def looks_like_a_mangled_id(cell: str) -> bool:
    """True for an id a spreadsheet rewrote in scientific notation ('1.23457E+11')."""
    return bool(_SCIENTIFIC_ID.match(cell.strip()))


class CsvTable:
    """A header and the records, each with the line it starts on."""

    def __init__(self, path: str, header: list[str], rows: list[tuple[int, list[str]]]):
        self.path = path
        self.header = header
        self.rows = rows

    def error(self, message: str, line: int | None = None, column: int | None = None) -> ReportError:
        header = self.header[column - 1] if column is not None and 0 < column <= len(self.header) else ""
        return ReportError(f"{where(self.path, line, column, header)}: {message}")


def read_csv_table(path: str | Path, what: str) -> CsvTable:
    """The header and records of an LMS CSV report.

    Raises:
        ReportError: the file is not a CSV report as the LMS writes it (see the module doc).
    """
    path = Path(path)
    try:
        head = path.read_bytes()[:4]
    except OSError:
        head = b""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(f"{path}:1: saved as UTF-16 text (a spreadsheet's 'Unicode text'); download the {what} "
                          "again from the LMS and give it to qbank unchanged, or save it as 'CSV UTF-8'")
    text = read_text(path, what=what)
    if "\ufeff" in text:
        line = text[: text.index("\ufeff")].count("\n") + 1
        raise ReportError(f"{path}:{line}: a byte-order mark inside the file: two files pasted together? "
                          f"Use the {what} exactly as downloaded")
    if not text.strip():
        raise ReportError(f"{path}: the file is empty; expected a {what}")
    first = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    previous = 0
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if header is None:
                header = record
                if len(header) == 1 and first.count(";") >= 2:
                    raise ReportError(f"{path}:1: the columns are separated by semicolons, so a spreadsheet has "
                                      f"re-saved the file (as it does in locales with a decimal comma); download the "
                                      f"{what} again and give it to qbank unchanged")
                continue
            if not any(cell.strip() for cell in record):
                continue
            rows.append((start, record))
    except csv.Error as exc:
        raise ReportError(f"{path}:{reader.line_num}: not valid CSV ({exc}); the file looks truncated or edited "
                          f"by hand: download the {what} again") from None
    if header is None:  # pragma: no cover - an empty text was refused above
        raise ReportError(f"{path}: the file is empty; expected a {what}")
    for n, (line, record) in enumerate(rows):
        if len(record) != len(header):
            last = n == len(rows) - 1
            hint = ("the file ends in the middle of a row: it looks truncated; download it again" if last and len(record) < len(header)
                    else "a cell holds an unquoted comma, or the file was edited by hand")
            raise ReportError(f"{path}:{line}: {len(record)} cells, but the header has {len(header)}: {hint}")
    return CsvTable(str(path), header, rows)
