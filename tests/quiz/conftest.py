"""Fixtures for quiz tests: a small bank of known templates, spec and roster writers."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from qbank.questions import load_bank
from .quiz_testing import BANK, SPEC, roster_rows


@pytest.fixture(scope="session")
def bank_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bank") / "bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def bank(bank_path: Path) -> Any:
    return load_bank(bank_path, builtin=False)


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[..., Path]:
    def write(spec: dict[str, Any] | str | None = None, name: str = "quiz.yaml") -> Path:
        path = tmp_path / name
        text = spec if isinstance(spec, str) else yaml.safe_dump(spec or SPEC, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_roster(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[dict[str, str]] | int, name: str = "roster.csv") -> Path:
        rows = roster_rows(rows) if isinstance(rows, int) else rows
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write
