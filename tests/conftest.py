"""Test-wide setup: keep every test away from the user's real home and data folders."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME, the user data and cache folders and the progress database all live in the test's tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("QBANK_DB", str(tmp_path / "progress.sqlite3"))
    return home


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly, last, when the LMS exports were not checked by the third-party validators."""
    from lms_validator import SKIP_REASON

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(r.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", "LMS VALIDATION DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(skipped)} test(s) skipped: {SKIP_REASON}. The Canvas, QTI, Moodle, GIFT, Aiken and "
            "Blackboard exports were not checked against the official schemas and third-party parsers; "
            "put the validator beside the clone or set QBANK_LMS_VALIDATE to run them.",
            red=True,
        )
