"""Rubrics for open responses: weighted criteria earned by statements of their relation.

A criterion is earned by one clause of the answer that states its relation: every pattern
of one of its ``relations`` matches inside that clause, the clause has a predicate, and
no negation covers the match. Where an embedding model is installed, a clause that
paraphrases one of the criterion's ``statements`` (cosine at least ``similarity``) and
names one of its ``anchors`` earns it too. Rubrics written before relations existed use
``cues`` (patterns matched anywhere in the answer) and keep working unchanged.
"""

from __future__ import annotations

import re

from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer, model_validator

from ._model import Frozen, Identifier

__all__ = ["Cap", "Criterion", "Rubric", "WrongMechanism"]


def _without_defaults(model: Any, data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    # Fields added after items were pinned are left out while they hold their default, so
    # that the content hash (and so every manifest) of a rubric that does not use them
    # stays what it was.
    for name in names:
        if name in data and getattr(model, name) == type(model).model_fields[name].default:
            del data[name]
    return data


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
    cues: tuple[str, ...] = ()
    min_cues: int = Field(default=1, ge=1)
    relations: tuple[tuple[str, ...], ...] = Field(
        default=(), description="Each relation is a tuple of patterns that must all match inside one clause that states something.")
    statements: tuple[str, ...] = Field(default=(), description="Plain statements of the criterion, for paraphrase matching.")
    anchors: tuple[str, ...] = Field(
        default=(), description="A paraphrase earns the criterion only if its clause matches one of these patterns.")
    similarity: float = Field(default=0.5, gt=0, le=1, description="Cosine a clause needs to a statement to count as its paraphrase.")
    contradictions: tuple[str, ...] = ()
    feedback_met: str = ""
    feedback_missed: str = ""

    _check_cues = field_validator("cues", "contradictions", "anchors")(_compiles)

    @field_validator("relations")
    @classmethod
    def _check_relations(cls, relations: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for r in relations:
            if not r:
                raise ValueError("a relation needs at least one pattern")
            _compiles(r)
        return relations

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_defaults(self, handler(self), ("relations", "statements", "anchors", "similarity"))

    @model_validator(mode="after")
    def _enough_cues(self) -> Criterion:
        if not self.cues and not self.relations:
            raise ValueError("a criterion needs cues or relations")
        if self.cues and self.min_cues > len(self.cues):
            raise ValueError(f"min_cues is {self.min_cues} but only {len(self.cues)} cues are given")
        return self


class WrongMechanism(Frozen):
    """A wrong explanation: a clause that states it (not negated) earns nothing, and limits the score."""

    id: Identifier
    title: str
    patterns: tuple[str, ...] = Field(min_length=1)
    feedback: str = ""

    _check = field_validator("patterns")(_compiles)


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
    wrong: tuple[WrongMechanism, ...] = ()
    wrong_cap: float = Field(default=0.4, ge=0, le=1, description="Score limit for an answer that states a wrong mechanism.")

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_defaults(self, handler(self), ("wrong", "wrong_cap"))

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
