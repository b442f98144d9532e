"""Shared test data for the CLI build tests: a two-template bank, a quiz spec and a roster."""

from __future__ import annotations

from pathlib import Path

BANK = """\
templates:
  - id: states
    title: Comparing two training states
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze}
  - id: step
    title: One gradient step
    family: next-step
    tags: {topics: [logit-gradient], bloom: apply}
"""
SPEC = "title: Quick check\nseed: 3\nvariants: 2\nsections:\n  - select: {ids: [states, step]}\n"
ROSTER = "id,name,email\ns1,Ada,ada@example.edu\ns2,Chloé,c@example.edu\n"


def write_quiz_files(folder: Path) -> Path:
    """bank.yaml, quiz.yaml and roster.csv in ``folder``, which is returned."""
    (folder / "bank.yaml").write_text(BANK, encoding="utf-8")
    (folder / "quiz.yaml").write_text(SPEC, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return folder
