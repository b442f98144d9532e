"""Parametrize ``template_id`` over every template of the built-in bank."""

from __future__ import annotations

import pytest

from family_testing import first_per_family
from qbank.questions import builtin_bank


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "template_id" in metafunc.fixturenames:
        metafunc.parametrize("template_id", [t.id for t in builtin_bank()])
    if "family_template" in metafunc.fixturenames:
        # Distinctness and key-position uniformity are properties of a family: test each
        # family's first template (its default parameters) over the full seed counts.
        metafunc.parametrize("family_template", first_per_family())
