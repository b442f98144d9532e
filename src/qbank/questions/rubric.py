"""Rubrics for open responses: weighted criteria with cue and contradiction patterns."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from ._model import Frozen, Identifier

__all__ = ["Cap", "Criterion", "Rubric"]


def _compiles(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {p!r}: {exc}") from None
    return patterns


class Criterion(Frozen):
    """One thing a good answer must say.

    ``cues`` are case-insensitive regular expressions; the criterion is met when at least
    ``min_cues`` of them match and no ``contradictions`` pattern does (an answer that says
    the opposite does not earn the point by also using the right words).
    """

    id: Identifier
    title: str
    weight: float = Field(gt=0)
    description: str = ""
    cues: tuple[str, ...] = Field(min_length=1)
    min_cues: int = Field(default=1, ge=1)
    contradictions: tuple[str, ...] = ()
    feedback_met: str = ""
    feedback_missed: str = ""

    _check_cues = field_validator("cues", "contradictions")(_compiles)

    @model_validator(mode="after")
    def _enough_cues(self) -> Criterion:
        if self.min_cues > len(self.cues):
            raise ValueError(f"min_cues is {self.min_cues} but only {len(self.cues)} cues are given")
        return self


class Cap(Frozen):
    """Limit the score unless the answer meets at least one of ``unless`` (criterion ids)."""

    unless: tuple[Identifier, ...] = Field(min_length=1)
    max_score: float = Field(ge=0, le=1, description="Fraction of the item's points.")
    reason: str = ""


class Rubric(Frozen):
    """Weighted criteria; weights are relative and normalised when scoring."""

    criteria: tuple[Criterion, ...] = Field(min_length=1)
    caps: tuple[Cap, ...] = ()
    required_for_full: tuple[Identifier, ...] = Field(
        default=(), description="Criteria an answer must meet for full credit."
    )

    @model_validator(mode="after")
    def _references(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError(f"criterion ids must be unique, got {ids}")
        known = set(ids)
        for ref in [*self.required_for_full, *(u for cap in self.caps for u in cap.unless)]:
            if ref not in known:
                raise ValueError(f"unknown criterion {ref!r} (criteria are {', '.join(ids)})")
        return self

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.criteria)
