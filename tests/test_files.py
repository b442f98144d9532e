"""The I/O edge (qbank._files): CSV cells that cannot become formulas, and files that get the
user's umask, written whole or not at all."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank._files import atomic_write, csv_cell, csv_rows, csv_text
from qbank.errors import InputError

SRC = Path(__file__).parents[1] / "src" / "qbank"

# What a spreadsheet runs when it opens a CSV (OWASP's list, plus the full-width forms).
FORMULAS = ["=1+1", "=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A9)",
            "\t=1", "\r=1", "=cmd|' /C calc'!A0", "\uff1d1+1", "-", "+", "@", "=", "- 1", "-0.5x", "--1"]
NUMBERS = ["-0.5", "+3", "-1e-3", "12", "0.25", "-.5", "+2.5E+3", "-0"]


def read_back(text: str) -> list[list[str]]:
    return [row for _, row in csv_rows(text, "t.csv")]


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell: str) -> None:
    written = csv_cell(cell)
    assert written == "'" + cell
    assert read_back(csv_text([["id", cell]])) == [["id", cell]]


@pytest.mark.parametrize("cell", NUMBERS)
def test_plain_numbers_stay_numbers(cell: str) -> None:
    assert csv_text([[cell]]) == cell + "\n"


@pytest.mark.parametrize("cell", ["'=1", "''=1", "'", "'abc", "''", "'-0.5", "'\t", "'" * 3 + "+x"])
def test_values_that_start_with_a_quote_read_back_exactly(cell: str) -> None:
    assert read_back(csv_text([[cell, "x"]])) == [[cell, "x"]]


# Text biased toward the characters that matter: formula starts, quotes, separators, line ends.
hostile_text = st.text(alphabet=st.sampled_from(list("=+-@'\"\t\r\n,;0123456789.eE x\uff1d\u202e\u200b")) | st.characters(),
                       max_size=12)


@pytest.mark.fuzz
@settings(max_examples=int(os.environ.get("QBANK_FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.lists(st.lists(hostile_text, min_size=1, max_size=5), min_size=1, max_size=5))
def test_every_table_round_trips_and_no_cell_starts_a_formula(rows: list[list[str]]) -> None:
    text = csv_text(rows)
    assert read_back(text) == rows
    import csv
    import io

    for raw_row in csv.reader(io.StringIO(text, newline="")):
        for cell in raw_row:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")):
                assert re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell), cell


def test_a_long_cell_reads_and_an_unreadable_one_names_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import csv

    import qbank._files as files

    big = "x" * 5_000_000  # far past the csv module's default 128 KiB cell limit
    assert read_back(csv_text([["a", big]])) == [["a", big]]
    limit = csv.field_size_limit()
    monkeypatch.setattr(files, "_CSV_FIELD_LIMIT", 10)
    try:
        csv.field_size_limit(10)
        with pytest.raises(InputError, match=r"^r\.csv:2: not readable as CSV \(field larger than field limit"):
            list(csv_rows("a,b\nshort,much longer than ten\n", "r.csv"))
    finally:
        csv.field_size_limit(limit)


# Readers of files that qbank never writes, so that no formula rule applies to them.
FOREIGN_READERS = {
    "results/_csv.py": "LMS result reports are read exactly as the LMS wrote them",
}


def test_every_csv_is_written_and_read_through_files_module() -> None:
    """One writer and one reader, so the formula rule cannot be bypassed by a new CSV."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "_files.py":
            continue
        foreign = str(path.relative_to(SRC)) in FOREIGN_READERS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            calls = r"\bcsv\.(writer|DictWriter)\b" if foreign else r"\bcsv\.(writer|reader|DictWriter|DictReader)\b"
            if re.search(calls, line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_atomic_write_gives_the_mode_open_would(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        atomic_write(tmp_path / "new.txt", "x")
        with open(tmp_path / "plain.txt", "w") as f:
            f.write("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "new.txt").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == 0o666 & ~umask


def test_rewriting_a_file_keeps_its_mode_as_open_would(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    target.write_text("old\n")
    target.chmod(0o640)  # the instructor made it private to the course group
    atomic_write(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text() == "new\n"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    """A full disk (here: a file-size limit, so the write fails with EFBIG) changes nothing."""
    import resource

    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "grades.csv"
    target.write_text("old\n")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, hard))
    try:
        with pytest.raises(OSError) as failure:
            atomic_write(target, "new\n" * 100_000)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert failure.value.errno == errno.EFBIG
    assert target.read_text() == "old\n"
    assert [p.name for p in target.parent.iterdir()] == ["grades.csv"]
