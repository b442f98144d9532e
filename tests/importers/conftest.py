"""Fixtures for the importer tests: the items every round trip exports and reads back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The renderer tests' hand-built items of every type (matching, ordering, multipart, ...).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "renderers"))

SEEDS = (1, 2, 3)


@pytest.fixture(scope="session")
def round_trip_items() -> list[Any]:
    """Every built-in template's variants (three seeds; one for static items) and one item of every type."""
    from renderer_testing import make_every_type_items

    from qbank.questions import builtin_bank

    items = [t.instantiate(seed) for t in builtin_bank() for seed in (SEEDS if t.family else SEEDS[:1])]
    return items + make_every_type_items()
