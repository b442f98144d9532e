"""`qbank build` as an instructor runs it: exit codes, messages, and nothing written on failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_testing import SPEC, write_quiz_files

from qbank.cli import cli
from qbank.renderers import formats

@pytest.fixture
def files(tmp_path: Path) -> Path:
    return write_quiz_files(tmp_path)


def build(files: Path, *args: str, spec: str = "quiz.yaml") -> object:
    return CliRunner().invoke(cli, ["build", str(files / spec), "-o", str(files / "out"),
                                    "--no-builtin", "--bank", str(files / "bank.yaml"), *args])


def test_a_build_prints_a_summary_of_what_it_wrote(files: Path) -> None:
    result = build(files, "--roster", str(files / "roster.csv"), "--format", "md")
    assert result.exit_code == 0, result.output
    out = str(files / "out")
    assert result.output.splitlines() == [
        "Quick check (quick-check): 2 questions in 1 sections, 2 variants each (4 in the LMS groups), 2 students",
        "Formats: md",
        f"Wrote 9 files to {out}/:",
        f"  {out}/manifest.json",
        f"  {out}/paper/quiz.md",
        f"  {out}/paper/key.md",
        f"  {out}/students/<id>/  (6 files for 2 students)",
    ]
    assert result.stderr == ""
    assert (files / "out" / "students" / "s2" / "quiz.md").read_text(encoding="utf-8").count("Student: Chloé (s2)") == 1


def test_a_build_in_process_leaves_the_garbage_collector_as_it_found_it(files: Path) -> None:
    import gc

    assert gc.isenabled()
    assert build(files, "--roster", str(files / "roster.csv"), "--format", "md,canvas", "-q").exit_code == 0
    assert gc.isenabled()
    assert build(files, "--format", "nope").exit_code == 2  # an error on the way out too
    assert gc.isenabled()


def test_the_qbank_script_leaves_the_collector_off_to_the_end_with_the_same_files(files: Path) -> None:
    import os
    import subprocess
    import sys

    # What a build under the script writes must not depend on the collector being off.
    probe = ("import atexit, gc, sys; atexit.register(lambda: print('collector on:', gc.isenabled()));"
             "sys.argv = ['qbank', *sys.argv[1:]]; from qbank._launch import main; main()")
    argv = ["build", str(files / "quiz.yaml"), "--no-builtin", "--bank", str(files / "bank.yaml"),
            "--roster", str(files / "roster.csv"), "-f", "md,gift,canvas", "-q"]
    env = {**os.environ, "QBANK_NO_CACHE": "1", "XDG_CACHE_HOME": str(files / "cache")}
    script = subprocess.run([sys.executable, "-c", probe, *argv, "-o", str(files / "script")],
                            capture_output=True, text=True, env=env)
    assert script.returncode == 0, script.stderr
    assert script.stdout == "collector on: False\n"
    assert build(files, "--roster", str(files / "roster.csv"), "-f", "md,gift,canvas", "-q").exit_code == 0
    written = sorted(p.relative_to(files / "script") for p in (files / "script").rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(files / "out") for p in (files / "out").rglob("*") if p.is_file())
    for name in written:
        assert (files / "script" / name).read_bytes() == (files / "out" / name).read_bytes(), name


def test_quiet_prints_nothing(files: Path) -> None:
    result = build(files, "--format", "md", "-q")
    assert result.exit_code == 0 and result.output == ""


def _nothing_written(files: Path) -> bool:
    return not (files / "out").exists()


@pytest.mark.parametrize(("spec", "message"), [
    ("title: T\nsections:\n  - select: {ids: [states]}\n", r"bad\.yaml:1: seed: required field is missing"),
    ("title: T\nseed: 1\nsections:\n  - select: {ids: [nope]}\n",
     r"bad\.yaml:4: sections\[0\]\.select\.ids: section 1: no template 'nope' in the bank"),
    ("title: T\nseed: 1\nsections:\n  - title: Loss\n    select: {topics: [cross-entropy]}\n    count: 5\n",
     r"bad\.yaml:4: sections\[0\]: section 1 \('Loss'\) asks for 5 templates with topic cross-entropy; the bank has 1: states"),
    ("title: T\nseed: 1\nvariants: 500\nsections:\n  - {}\n", r"bad\.yaml:3: variants: input should be less than or equal to 200"),
])
def test_bad_specs_exit_2_naming_file_and_field_and_write_nothing(files: Path, spec: str, message: str) -> None:
    (files / "bad.yaml").write_text(spec, encoding="utf-8")
    result = build(files, spec="bad.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert re.search(message, result.stderr), result.stderr
    assert _nothing_written(files)


@pytest.mark.parametrize(("roster", "args", "message"), [
    ("SIS,name\n1,A\n", (), r"roster\.csv: no column 'id' for student ids \(columns found: 'SIS', 'name'\)"),
    ("SIS,name\n1,A\n", ("--id-column", "Student"), r"no column 'Student' for student ids"),
    ("id,name\ns1,A\ns1,B\n", (), r"roster\.csv:3: duplicate student id 's1' \(first on line 2\)"),
    ("id,name\n,A\n", (), r"roster\.csv:2: empty student id"),
])
def test_bad_rosters_exit_2_with_file_and_line_and_write_nothing(files: Path, roster: str, args: tuple[str, ...],
                                                                  message: str) -> None:
    (files / "roster.csv").write_text(roster, encoding="utf-8")
    result = build(files, "--roster", str(files / "roster.csv"), *args)
    assert result.exit_code == 2
    assert re.search(message, result.stderr), result.stderr
    assert _nothing_written(files)


def test_the_roster_named_in_the_spec_is_read_relative_to_it(files: Path) -> None:
    (files / "quiz.yaml").write_text(SPEC + "roster: {file: roster.csv}\n", encoding="utf-8")
    result = build(files, "--format", "md", "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in (files / "out" / "students").iterdir()) == ["s1", "s2"]


def test_unknown_formats_exit_2_listing_the_available_ones(files: Path) -> None:
    result = build(files, "--format", "md,docx")
    assert result.exit_code == 2
    names = ", ".join(f.name for f in formats() if f.name != "selfcheck")
    assert result.stderr == f"Error: unknown format 'docx'; available: {names}\n"
    assert _nothing_written(files)


def test_self_check_needs_html(files: Path) -> None:
    result = build(files, "--format", "md", "--self-check")
    assert result.exit_code == 2
    assert "--self-check makes the students' HTML self-checking; add html to --format" in result.stderr


def test_an_output_path_that_is_a_file_is_refused(files: Path) -> None:
    (files / "out").write_text("not a folder", encoding="utf-8")
    result = build(files, "--format", "md")
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_help_documents_the_output_layout() -> None:
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    for path in ("OUTDIR/manifest.json", "OUTDIR/lms/<quiz>-<format>.<ext>", "OUTDIR/students/<id>/quiz.json",
                 "OUTDIR/paper/key.md|html"):
        assert path in result.output


def test_schema_quiz_prints_the_quiz_spec_schema() -> None:
    result = CliRunner().invoke(cli, ["schema", "--quiz"])
    assert result.exit_code == 0
    assert '"title": "qbank quiz spec"' in result.output


def test_self_check_html_goes_to_each_student_and_the_printable_paper_stays_plain(files: Path) -> None:
    if "selfcheck" not in {f.name for f in formats()}:
        pytest.skip("the selfcheck format is not registered")
    result = build(files, "--roster", str(files / "roster.csv"), "--format", "html", "--self-check", "-q")
    assert result.exit_code == 0, result.output
    student = (files / "out" / "students" / "s1" / "quiz.html").read_text(encoding="utf-8")
    plain = (files / "out" / "paper" / "quiz.html").read_text(encoding="utf-8")
    assert "<script" in student and "<script" not in plain
