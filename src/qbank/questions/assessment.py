"""Assessments: items arranged for delivery, the shape every renderer consumes.

An assessment has sections; a section has groups; a group holds one or more items of
which the LMS draws ``pick`` for each student (a Canvas question group, a Moodle random
question from a category, a QTI section with selection). A paper or per-student quiz is
the same structure with one item per group.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import Field, model_validator

from ._model import Frozen, Identifier
from .items import Item

__all__ = ["Assessment", "Group", "Section"]


class Group(Frozen):
    id: Identifier
    title: str
    pick: int = Field(default=1, ge=1, description="How many of the items each student gets.")
    points: float | None = Field(default=None, gt=0, description="Points per item; defaults to each item's own.")
    items: tuple[Item, ...] = Field(min_length=1)
    shuffle_options: bool = Field(
        default=False, description="Let the LMS shuffle each item's options at delivery (its runtime shuffle flag)."
    )

    @model_validator(mode="after")
    def _enough(self) -> Group:
        if self.pick > len(self.items):
            raise ValueError(f"group {self.id} picks {self.pick} of only {len(self.items)} items")
        return self

    def points_for(self, item: Any) -> float:
        return self.points if self.points is not None else float(item.points)


class Section(Frozen):
    title: str = ""
    groups: tuple[Group, ...] = Field(min_length=1)


class Assessment(Frozen):
    id: Identifier
    title: str
    instructions: str = ""
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Assessment:
        groups = [g.id for s in self.sections for g in s.groups]
        if len(set(groups)) != len(groups):
            raise ValueError("group ids must be unique within an assessment")
        return self

    def groups(self) -> Iterator[Group]:
        for section in self.sections:
            yield from section.groups

    def items(self) -> Iterator[Any]:
        for group in self.groups():
            yield from group.items

    @property
    def total_points(self) -> float:
        return sum(g.pick * g.points_for(g.items[0]) for g in self.groups())

    @classmethod
    def from_items(cls, items: Sequence[Any], *, title: str, id: str = "quiz", instructions: str = "") -> Assessment:
        """One section, one group per item: a fixed quiz such as one student's paper."""
        groups = tuple(Group(id=f"g{i + 1}", title=item.title, items=(item,)) for i, item in enumerate(items))
        return cls(id=id, title=title, instructions=instructions, sections=(Section(groups=groups),))
