"""Parametrize ``template_id`` over every template of the built-in bank."""

from __future__ import annotations

import pytest

from qbank.questions import builtin_bank


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "template_id" in metafunc.fixturenames:
        metafunc.parametrize("template_id", [t.id for t in builtin_bank()])
    if "family_template" in metafunc.fixturenames:
        # Distinctness and key-position uniformity are properties of a family: test each
        # family's first template (its default parameters) over the full seed counts.
        metafunc.parametrize("family_template", _first_per_family())


def _first_per_family() -> list[str]:
    seen: dict[str, str] = {}
    for t in builtin_bank():
        if t.family is not None:
            seen.setdefault(t.family, t.id)
    return list(seen.values())

