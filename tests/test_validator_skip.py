"""Without the LMS validator the suite still runs, and says at the end, loudly, what it did not check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_run_without_the_validator_ends_with_a_loud_notice(tmp_path: Path) -> None:
    env = {**os.environ, "QBANK_LMS_VALIDATE": str(tmp_path / "no-validator")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/renderers/test_aiken.py"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tail = result.stdout.split("LMS VALIDATION DID NOT RUN", 1)
    assert len(tail) == 2, result.stdout
    assert "exports were not checked against the official schemas" in tail[1]
