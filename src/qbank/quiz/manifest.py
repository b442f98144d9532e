"""The quiz manifest: which student got which variant, so grading can regenerate it.

A manifest records, for every student and every question slot, the template id, version,
seed and the SHA-256 content hash of the item as it was built. ``regenerate`` rebuilds
each item from the bank and refuses, with a clear error, when the bank has changed under
it: a regrade against different questions must never happen silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from .._files import json_text, read_json, validate_data
from ..errors import InputError, QbankError
from ..questions._model import Frozen, Identifier

__all__ = ["Manifest", "ManifestItem", "StudentRecord", "ItemMismatch"]

MANIFEST_FORMAT = "qbank-manifest/1"


class ItemMismatch(InputError):
    """A regenerated item differs from the one the manifest recorded."""


class ManifestItem(Frozen):
    slot: str = Field(description="The question's place in the quiz: 'q1', 'q2', ...; responses refer to it.")
    item: str = Field(description="Item id, '<template>-v<version>-s<seed>'.")
    template: Identifier
    version: int = Field(ge=1)
    seed: int = Field(ge=0)
    points: float = Field(gt=0)
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    def regenerate(self, bank: Any) -> Any:
        """The item, rebuilt from ``bank`` and checked against the recorded hash."""
        try:
            template = bank[self.template]
        except QbankError as exc:
            raise ItemMismatch(f"{self.slot}: {exc}") from None
        if template.version != self.version:
            raise ItemMismatch(
                f"{self.slot}: the manifest used version {self.version} of {self.template}, "
                f"the bank now holds version {template.version}; grade with the bank the quiz was built from"
            )
        item = template.instantiate(self.seed)
        if item.content_hash() != self.content_hash:
            raise ItemMismatch(
                f"{self.slot}: {self.item} no longer matches the manifest (content hash differs); "
                "the bank or qbank changed since the quiz was built, so it is not regraded silently"
            )
        return item


class StudentRecord(Frozen):
    student: str = Field(min_length=1)
    name: str = ""
    email: str = ""
    items: tuple[ManifestItem, ...]

    @model_validator(mode="after")
    def _unique_slots(self) -> StudentRecord:
        slots = [i.slot for i in self.items]
        if len(set(slots)) != len(slots):
            raise ValueError(f"student {self.student}: slots must be unique")
        return self


class Manifest(Frozen):
    format: Literal["qbank-manifest/1"] = MANIFEST_FORMAT
    quiz_id: Identifier
    title: str
    seed: int
    spec_hash: str = Field(description="SHA-256 of the quiz spec the quiz was built from.")
    students: tuple[StudentRecord, ...] = ()
    groups: dict[str, tuple[ManifestItem, ...]] = Field(
        default_factory=dict, description="LMS question groups: group id -> the variants it holds."
    )

    @model_validator(mode="after")
    def _unique_students(self) -> Manifest:
        ids = [s.student for s in self.students]
        if len(set(ids)) != len(ids):
            raise ValueError("student ids must be unique")
        return self

    def student(self, student_id: str) -> StudentRecord:
        for s in self.students:
            if s.student == student_id:
                return s
        raise InputError(f"student {student_id!r} is not in the manifest")

    def entries(self) -> Iterator[tuple[StudentRecord, ManifestItem]]:
        for s in self.students:
            for entry in s.items:
                yield s, entry

    def regenerate(self, bank: Any) -> dict[str, Any]:
        """Every distinct item of the manifest by item id, each rebuilt once and hash-checked."""
        items: dict[str, Any] = {}
        for _, entry in self.entries():
            if entry.item not in items:
                items[entry.item] = entry.regenerate(bank)
        for variants in self.groups.values():
            for entry in variants:
                if entry.item not in items:
                    items[entry.item] = entry.regenerate(bank)
        return items

    def to_json(self) -> str:
        return json_text(self.model_dump(mode="json"))

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        data = read_json(path, what="a qbank manifest")
        return validate_data(cls, data, str(path))
