"""Student-tool tests never touch the real user folder: the database and HOME live in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

PRACTICE_BANK = Path(__file__).with_name("practice_bank.yaml")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("QBANK_DB", str(tmp_path / "progress.sqlite3"))
    return home


@pytest.fixture
def bank():
    from qbank.questions import load_bank

    return load_bank(PRACTICE_BANK, builtin=False)
