"""Test-wide setup: keep tests away from the user's real data folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("QBANK_DB", str(home / "progress.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
