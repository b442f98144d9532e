"""Fixtures for the student-tool tests (tests/conftest.py keeps them away from the user's folders)."""

from __future__ import annotations

from pathlib import Path

import pytest

PRACTICE_BANK = Path(__file__).with_name("practice_bank.yaml")


@pytest.fixture
def bank():
    from qbank.questions import load_bank

    return load_bank(PRACTICE_BANK, builtin=False)
