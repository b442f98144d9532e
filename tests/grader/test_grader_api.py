"""The grader's public surface, and the rule that it never reaches into the engine or the families."""

from __future__ import annotations

import subprocess
import sys

import qbank.grader as grader


def test_public_names() -> None:
    assert {"parse", "grade", "check", "grade_batch", "FormatError", "Grade", "PartResult", "CriterionResult",
            "ChoiceResponse", "NumberResponse", "TextResponse", "OrderResponse", "MatchResponse", "EssayResponse",
            "MultipartResponse"} <= set(grader.__all__)
    assert all(hasattr(grader, name) for name in grader.__all__)


def test_grader_imports_neither_engine_nor_families() -> None:
    code = ("import sys, qbank.grader, qbank.grader.stats, qbank.grader.report; "
            "print(sorted(m for m in sys.modules if m.startswith(('qbank.engine', 'qbank.questions.families'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
