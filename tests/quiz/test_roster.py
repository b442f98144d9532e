"""Rosters: CSV files from an LMS or a spreadsheet, with the column names they happen to have."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.errors import InputError
from qbank.quiz.roster import parse_roster, read_roster
from qbank.quiz.spec import RosterColumns

LMS_EXPORT = "Student ID,Name,Email\ns001,Ada Lovelace,ada@example.edu\ns002,\"Nguyễn, Thị Minh\",minh@example.edu\n"


def test_configured_columns_are_read() -> None:
    roster = parse_roster(LMS_EXPORT, "class.csv", RosterColumns(id="Student ID", name="Name", email="Email"))
    assert [(s.id, s.name, s.email, s.line) for s in roster.students] == [
        ("s001", "Ada Lovelace", "ada@example.edu", 2),
        ("s002", "Nguyễn, Thị Minh", "minh@example.edu", 3),
    ]


@pytest.mark.parametrize("text", [
    "id,name\ns001,Ada\n",                       # the default column names
    "ID , Name\ns001,Ada\n",                     # headers match ignoring case and spaces
    "\ufeffid;name\r\ns001;Ada\r\n",             # Excel: BOM, semicolons, CRLF
    "id\tname\ns001\tAda\n",                     # tab-separated
    "id,name\n\ns001,Ada\n\n",                   # blank lines are skipped
])
def test_common_csv_dialects(text: str) -> None:
    roster = parse_roster(text.encode("utf-8").decode("utf-8-sig"), "r.csv")
    assert [(s.id, s.name) for s in roster.students] == [("s001", "Ada")]


def test_name_and_email_are_optional_unless_configured() -> None:
    assert parse_roster("id\ns001\n", "r.csv").students[0].name == ""
    with pytest.raises(InputError, match=r"r\.csv: no column 'Email' for student emails \(columns found: 'id'\)"):
        parse_roster("id\ns001\n", "r.csv", RosterColumns(email="Email"))


def test_a_missing_id_column_names_the_file_the_column_and_the_columns_found() -> None:
    with pytest.raises(InputError, match=r"class\.csv: no column 'Student ID' for student ids "
                                          r"\(columns found: 'SIS ID', 'Name'\); name the right one with --id-column"):
        parse_roster("SIS ID,Name\n1,A\n", "class.csv", RosterColumns(id="Student ID"))


def test_every_bad_row_is_reported_with_its_line() -> None:
    text = "id,name\na1,X\n,Y\nA1,Z\nb/c,W\nd,Smith, J\n.hidden,V\n"
    with pytest.raises(InputError) as info:
        parse_roster(text, "r.csv")
    assert str(info.value).splitlines() == [
        "r.csv:3: empty student id (column 'id')",
        "r.csv:4: duplicate student id 'A1' (first on line 2)",
        "r.csv:5: student id 'b/c' contains '/', which cannot be in a folder name",
        "r.csv:6: 3 fields but the header has 2 (a comma inside a name needs the field in double quotes)",
        "r.csv:7: student id '.hidden' cannot start with '.' (ids become folder names)",
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("", r"r\.csv: the roster is empty"),
    ("id,name\n", r"r\.csv: the roster has a header but no students"),
])
def test_empty_rosters_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_roster(text, "r.csv")


def test_files_that_are_missing_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.csv: no such roster file"):
        read_roster(tmp_path / "nope.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name\ns1,Chlo\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.csv: not UTF-8 text .*save the roster as 'CSV UTF-8'"):
        read_roster(latin)
