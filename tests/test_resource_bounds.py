"""Inputs built to exhaust time or memory finish or fail within seconds, with a clear message:
a 50 MB bank file, YAML alias bombs, a 10 MB response cell, constraints that are (nearly)
never met. Each runs under a wall-clock alarm far above what it needs and far below what
it took before the bound existed (minutes)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank._files import csv_rows
from qbank.cli import cli

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 30  # seconds; before the bounds the bomb and the long cell each ran for minutes


@contextmanager
def deadline(seconds: int = LIMIT) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run(*args: str) -> object:
    with deadline():
        return CliRunner().invoke(cli, list(args))


def billion_laughs(levels: int = 9) -> str:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\ntemplates: *lol{levels}\n"


def test_a_50_mb_bank_file_is_refused_at_once(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("templates:\n  - id: big\n    title: \"" + "x" * (50 * 1024 * 1024) + "\"\n", encoding="utf-8")
    result = run("validate", str(big))
    assert result.exit_code == 2
    assert f"{big}: the file is 52.4 MB, more than qbank reads from one YAML file (10 MB)" in result.output


@pytest.mark.parametrize("where", ["bank", "quiz spec"])
def test_a_billion_laughs_alias_bomb_is_refused_at_once(tmp_path: Path, where: str) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    args = ["validate", str(bomb)] if where == "bank" else ["build", str(bomb), "-o", str(tmp_path / "out")]
    result = run(*args)
    assert result.exit_code == 2
    assert f"{bomb}: YAML aliases expand the file's" in result.output and "alias bomb" in result.output
    assert not (tmp_path / "out").exists()


def test_an_alias_inside_itself_is_refused_with_its_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.write_text("templates:\n  - &t\n    id: x\n    title: y\n    again: *t\n", encoding="utf-8")
    result = run("validate", str(loop))
    assert result.exit_code == 2
    assert f"{loop}:2: a YAML alias refers to the node that contains it" in result.output


def test_ordinary_aliases_still_load(tmp_path: Path) -> None:
    """300 templates sharing their tags and content through aliases: well within the bound."""
    bank = tmp_path / "bank.yaml"
    shared = """
  - id: t0
    title: Item 0
    tags: &tags {topics: [cross-entropy], bloom: remember}
    content: &content
      type: true_false
      stem: One-hot cross-entropy is the negative log-probability of the gold token.
      answer: true
"""
    rest = "".join(f"\n  - {{id: t{i}, title: Item {i}, tags: *tags, content: *content}}" for i in range(1, 300))
    bank.write_text("templates:" + shared + rest + "\n", encoding="utf-8")
    result = run("validate", "--seeds", "1", "-v", str(bank))
    assert result.exit_code == 0, result.output
    assert "300 templates valid" in result.output


def test_a_10_mb_response_cell_is_reported_and_the_rest_graded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", str(ROOT / "examples" / "demo-quiz.yaml"), "-o", str(out), "-f", "md", "-q").exit_code == 0
    responses = tmp_path / "responses.csv"
    responses.write_text("student,item,response\ns001,q1," + "A" * (10 * 1024 * 1024) + "\ns002,q1,A\n", encoding="utf-8")
    grades = tmp_path / "grades.csv"
    result = run("grade", str(out / "manifest.json"), str(responses), "-o", str(grades))
    assert result.exit_code == 0, result.output
    errors = [row for _, row in csv_rows((tmp_path / "grades.errors.csv").read_text(encoding="utf-8"), "e")]
    assert errors[1][:3] == ["2", "s001", "q1"]
    assert "The answer is 10,485,760 characters long; qbank reads answers of at most 2,000,000" in errors[1][3]
    assert (tmp_path / "grades.errors.csv").stat().st_size < 10_000  # the reason does not repeat the cell
    assert not any(r[:3] == ["3", "s002", "q1"] for r in errors)  # the other row was graded


def test_constraints_that_are_never_met_fail_within_the_draw_budget(tmp_path: Path) -> None:
    bank = tmp_path / "hard.yaml"
    bank.write_text("""templates:
  - id: hard
    title: Four probabilities pairwise 0.3 apart cannot sum to one
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze}
    max_draws: 100000
    constraints:
      - {kind: min_gap, distribution: state_a, gap: 0.3}
""", encoding="utf-8")
    result = run("validate", "--seeds", "3", str(bank))
    assert result.exit_code == 2
    assert f"{bank}:2: template hard: seed 0: no draw met" in result.output
    assert "no draw met the constraints in 100000 tries; most often: two probabilities of state_a are closer than 0.3" in result.output


def test_a_quiz_on_a_template_whose_constraints_are_never_met_fails_with_exit_2_and_the_section(tmp_path: Path) -> None:
    bank = tmp_path / "hard.yaml"
    bank.write_text("""templates:
  - id: hard
    title: Never met
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze}
    max_draws: 20000
    constraints:
      - {kind: min_gap, distribution: state_a, gap: 0.3}
""", encoding="utf-8")
    spec = tmp_path / "quiz.yaml"
    spec.write_text("title: T\nseed: 1\nvariants: 3\nsections:\n  - title: S\n    select: {ids: [hard]}\n", encoding="utf-8")
    result = run("build", str(spec), "--no-builtin", "--bank", str(bank), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{spec}:5: sections[0]: section 1 ('S'): template hard (seed" in result.output
    assert "no draw met the constraints in 20000 tries" in result.output and "raise its max_draws" in result.output
    assert not (tmp_path / "out").exists()
