"""The sample LMS reports in examples/lms/ are reports of the demo quiz, and import as the docs say.

They are written by the same report writers as the end-to-end tests; after a change to the
demo quiz or to the LMS exports, rewrite them with
``QBANK_WRITE_EXAMPLES=1 .venv/bin/python -m pytest tests/results/test_examples.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from lms_class import KnownClass, canvas_report, moodle_grades_report, moodle_report

from qbank.cli import cli

EXAMPLES = Path(__file__).parents[2] / "examples" / "lms"
WRITERS = {
    "canvas-student-analysis.csv": canvas_report,
    "moodle-responses.csv": moodle_report,
    "moodle-grades.csv": moodle_grades_report,
}


@pytest.fixture(scope="module")
def samples(demo_out: Path) -> dict[str, str]:
    klass = KnownClass(demo_out, n=12, seed=3)
    texts = {name: write(klass) for name, write in WRITERS.items()}
    if os.environ.get("QBANK_WRITE_EXAMPLES"):
        EXAMPLES.mkdir(exist_ok=True)
        for name, text in texts.items():
            (EXAMPLES / name).write_text(text, encoding="utf-8", newline="")
    return texts


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_the_sample_is_current(samples: dict[str, str], name: str) -> None:
    assert (EXAMPLES / name).read_text(encoding="utf-8") == samples[name], f"rewrite examples/lms/ ({__doc__.split('with')[-1].strip()})"


@pytest.mark.parametrize("args", [
    ["canvas-student-analysis.csv"],
    ["moodle-responses.csv", "--moodle-grades", "moodle-grades.csv"],
])
def test_the_sample_imports_as_the_docs_show(demo_out: Path, tmp_path: Path, args: list[str]) -> None:
    argv = [str(EXAMPLES / a) if a.endswith(".csv") else a for a in args]
    result = CliRunner().invoke(cli, ["import-results", str(demo_out / "manifest.json"), *argv,
                                      "-o", str(tmp_path / "grades.csv"), "--gradebook", str(tmp_path / "upload.csv")])
    assert result.exit_code == 0, result.output
    problems = (tmp_path / "grades.errors.csv").read_text(encoding="utf-8")
    assert "matches no variant" not in problems and "not read yet" not in problems
    assert len((tmp_path / "grades.csv").read_text(encoding="utf-8").splitlines()) == 13
