"""Helpers the text-based LMS import formats (GIFT, Aiken, Blackboard) share.

These formats carry the key (an import needs it), so they exist for instructors only; they
also cannot carry every item type, and what they drop is reported as a warning naming the
item, never silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..errors import InputError
from ..questions import Assessment

__all__ = ["absolute_tolerance", "all_items", "instructor_only", "plain_number", "skipped"]


def instructor_only(name: str, audience: str) -> None:
    """Refuse a student render: an LMS import file carries the key."""
    if audience != "instructor":
        raise InputError(f"format {name!r} is an LMS import file and carries the answer key; "
                         "it has no student version (use md, html or json for students)")


def all_items(assessment: Assessment) -> Iterator[tuple[Any, Any]]:
    """(group, item) for every variant: the LMS draws from a group, so every variant goes in."""
    for group in assessment.groups():
        for item in group.items:
            yield group, item


def skipped(item: Any, fmt: str, why: str) -> str:
    return f"{item.id}: skipped, {fmt} {why}"


def absolute_tolerance(spec: Any) -> tuple[float, str | None]:
    """The tolerance as one absolute ± margin, and a note when that is a degradation.

    Relative tolerances become absolute at the key; ``absolute`` plus ``relative`` is the
    larger of the two; significant figures become half a unit in the last significant digit
    (the interval that rounds to the key), which is the same for answers given to that many
    figures and more lenient only for answers rounded differently.
    """
    tol, x = spec.tolerance, spec.answer
    if tol.sigfig is not None:
        if x == 0:
            return 0.0, "a significant-figure tolerance of 0 becomes an exact match"
        exponent = math.floor(math.log10(abs(x))) - tol.sigfig + 1
        return 0.5 * 10.0 ** exponent, f"{tol.sigfig} significant figures become ±half a unit in the last figure"
    margin = max(tol.absolute or 0.0, (tol.relative or 0.0) * abs(x))
    return float(f"{margin:.12g}"), None


def plain_number(x: float) -> str:
    """A number in plain decimal notation (no exponent), as every import format accepts."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(Decimal(repr(x)).normalize(), "f")
