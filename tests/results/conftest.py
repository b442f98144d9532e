"""Shared fixtures: the demo quiz, built once for the tests of this folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli

DEMO = Path(__file__).parents[2] / "examples" / "demo-quiz.yaml"


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`qbank build examples/demo-quiz.yaml` in the LMS formats: the folder with manifest.json and lms/."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["build", str(DEMO), "-f", "canvas,moodle,qti21,qti3", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out
