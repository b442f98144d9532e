"""`qbank build --format pdf`: a paper and key per student, all papers in one PDF, fonts and output folder checked."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_testing import BANK, write_quiz_files

from qbank.cli import cli

pytest.importorskip("typst", reason="the pdf extra (typst) is not installed")
pypdf = pytest.importorskip("pypdf")

@pytest.fixture
def files(tmp_path: Path) -> Path:
    return write_quiz_files(tmp_path)


def build(files: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["build", str(files / "quiz.yaml"), "-o", str(files / "out"), "--no-builtin",
                                    "--bank", str(files / "bank.yaml"), *args])


def pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages]


def test_pdf_papers_keys_and_the_combined_paper(files: Path) -> None:
    result = build(files, "--roster", str(files / "roster.csv"), "-f", "pdf")
    assert result.exit_code == 0, result.output
    out = files / "out"
    assert f"  {out}/paper/quiz.pdf" in result.output and f"  {out}/paper/key.pdf" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    version = manifest["spec_hash"][:8]
    combined = pages(out / "paper" / "quiz.pdf")
    keys = pages(out / "paper" / "key.pdf")
    expected_pages = 0
    for student, label in (("s1", "Ada (s1)"), ("s2", "Chloé (s2)")):
        paper, key = pages(out / "students" / student / "quiz.pdf"), pages(out / "students" / student / "key.pdf")
        record = next(s for s in manifest["students"] if s["student"] == student)
        for page in paper + key:
            assert label in page and f"Quiz version {version}" in page and f"Code {student}-" in page
        text, key_text = " ".join(paper), " ".join(key)
        for entry in record["items"]:
            assert entry["item"] in key_text and entry["item"] not in text
        assert "Answer:" in key_text and "Answer:" not in text and "ANSWER KEY" not in text
        # the combined file holds this student's pages, in roster order, starting on a new page
        assert combined[expected_pages:expected_pages + len(paper)] == paper
        expected_pages += len(paper)
    assert len(combined) == expected_pages
    assert "Ada (s1)" in keys[0] and "Chloé (s2)" in keys[-1]


def test_pdf_is_not_built_unless_asked_for(files: Path) -> None:
    result = build(files, "-q")
    assert result.exit_code == 0, result.output
    assert not list((files / "out").rglob("*.pdf"))


def test_a_missing_font_exits_2_before_anything_is_written(files: Path) -> None:
    result = build(files, "-f", "pdf", "--font", "No Such Font Family")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: font 'No Such Font Family' not found (fonts available: ")
    assert "add its folder with --font-path DIR" in result.stderr
    assert not (files / "out").exists()


def test_a_missing_font_folder_exits_2(files: Path) -> None:
    result = build(files, "-f", "pdf", "--font-path", str(files / "fonts"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {files / 'fonts'}: no such font folder (--font-path)\n"


def test_font_options_without_pdf_are_a_usage_error(files: Path) -> None:
    result = build(files, "-f", "md", "--font", "Libertinus Serif")
    assert result.exit_code == 2
    assert "--font, --font-path and --paper are for PDF output; add pdf to --format" in result.stderr


def test_without_the_pdf_extra_the_error_says_what_to_install(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "typst", None)
    result = build(files, "-f", "md,pdf")
    assert result.exit_code == 2
    assert result.stderr == "Error: PDF output needs the typst package: pip install 'qbank[pdf]'\n"
    assert not (files / "out").exists()


def test_the_same_build_writes_the_same_pdf_bytes(files: Path) -> None:
    def snapshot() -> dict[str, bytes]:
        assert build(files, "--roster", str(files / "roster.csv"), "-f", "pdf", "-q").exit_code == 0
        return {str(p.relative_to(files)): p.read_bytes() for p in sorted((files / "out").rglob("*.pdf"))}

    first = snapshot()
    assert len(first) == 6  # two students' papers and keys, and the combined paper and key
    assert snapshot() == first


def test_an_output_folder_under_a_file_exits_2_naming_it(files: Path) -> None:
    (files / "taken").write_text("a file", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(files / "quiz.yaml"), "-o", str(files / "taken" / "out"),
                                      "--no-builtin", "--bank", str(files / "bank.yaml"), "-f", "pdf"])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {files / 'taken' / 'out'}: cannot be created: {files / 'taken'} is a file; choose another -o\n"


def test_an_unwritable_output_folder_exits_2(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    # Tests run as root in CI, where chmod does not stop writes: the permission check is faked.
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == files else real(p, mode))
    result = build(files, "-f", "pdf")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {files / 'out'}: cannot write into {files} (permission denied); choose another -o\n"
    assert not (files / "out").exists()


def test_a_template_with_errors_exits_2_naming_file_and_line(files: Path) -> None:
    (files / "bank.yaml").write_text(BANK.replace("bloom: apply", "bloom: memorise"), encoding="utf-8")
    result = build(files, "-f", "pdf")
    assert result.exit_code == 2
    line = BANK.splitlines().index("    tags: {topics: [logit-gradient], bloom: apply}") + 1
    assert result.stderr == (f"Error: {files / 'bank.yaml'}:{line}: templates[1].tags.bloom: input should be 'remember', "
                             "'understand', 'apply', 'analyze', 'evaluate' or 'create'\n")
    assert not (files / "out").exists()


def test_papers_print_on_a4_unless_us_letter_is_asked_for(files: Path) -> None:
    sizes = {}
    for paper in ("a4", "us-letter"):
        assert build(files, "-f", "pdf", "--paper", paper, "-q").exit_code == 0
        box = pypdf.PdfReader(files / "out" / "paper" / "quiz.pdf").pages[0].mediabox
        sizes[paper] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"a4": (595, 842), "us-letter": (612, 792)}  # points
