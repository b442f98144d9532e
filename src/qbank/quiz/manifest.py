"""The quiz manifest: which student got which variant, so grading can regenerate it.

A manifest records, for every student and every question slot, the template id, version,
seed and the SHA-256 content hash of the item as it was built. ``regenerate`` rebuilds
each item from the bank and refuses, with a clear error, when the bank has changed under
it: a regrade against different questions must never happen silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from .._files import json_text, read_json, validate_data
from ..errors import InputError, QbankError
from ..questions._model import Frozen, Identifier

__all__ = ["LeanManifest", "Manifest", "ManifestItem", "StudentRecord", "ItemMismatch", "load_lean", "regenerate_many"]

MANIFEST_FORMAT = "qbank-manifest/1"
# Floats whose repr is plain decimal digits (no exponent) in Python and in pydantic-core alike.
_PLAIN_FLOATS = (1e-4, 1e16)


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
        return self.checked(self.template_in(bank).instantiate(self.seed))

    def template_in(self, bank: Any) -> Any:
        """The template this entry was drawn from, at the recorded version."""
        try:
            template = bank[self.template]
        except QbankError as exc:
            raise ItemMismatch(f"{self.slot}: {exc}") from None
        if template.version != self.version:
            raise ItemMismatch(
                f"{self.slot}: the manifest used version {self.version} of {self.template}, "
                f"the bank now holds version {template.version}; grade with the bank the quiz was built from"
            )
        return template

    def checked(self, item: Any) -> Any:
        """``item`` if it is the one recorded (same content hash), else ItemMismatch."""
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
        """Every distinct item of the manifest by item id (students' first, then the LMS groups'), each rebuilt once and hash-checked."""
        return regenerate_many((*(e for _, e in self.entries()), *(e for g in self.groups.values() for e in g)), bank)

    def to_json(self) -> str:
        """The manifest as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes it, plus a newline.

        pydantic-core writes those very bytes (same separators, escapes and raw non-ASCII)
        about eight times faster, for a manifest holds only strings, ints and the points:
        floats, which Python writes in exponent form below 1e-4 and from 1e16 on, and
        pydantic-core differently. Points outside that range (never seen) and anything
        pydantic-core refuses (a lone surrogate) take the standard library's path.
        """
        points = {e.points for _, e in self.entries()}
        points.update(e.points for g in self.groups.values() for e in g)
        if all(_PLAIN_FLOATS[0] <= p < _PLAIN_FLOATS[1] for p in points):
            try:
                return self.model_dump_json(indent=2) + "\n"
            except ValueError:  # pydantic_core.PydanticSerializationError
                pass
        return json_text(self.model_dump(mode="json"))

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        data = read_json(path, what="a qbank manifest")
        return validate_data(cls, data, str(path))


def regenerate_many(entries: Iterable[ManifestItem], bank: Any) -> dict[str, Any]:
    """The items of ``entries`` by item id, each rebuilt once and hash-checked.

    The same items and the same first error as ``entry.regenerate(bank)`` for each distinct
    item id in order (the first entry of an id is the one rebuilt and checked), but the
    variants of one template are drawn in one batch (``instantiate_many``): a big class has
    thousands of variants per template.
    """
    firsts: dict[str, ManifestItem] = {}
    for entry in entries:
        firsts.setdefault(entry.item, entry)
    templates: dict[str, Any] = {}
    seeds: dict[str, list[int]] = {}
    for entry in firsts.values():
        try:
            templates[entry.item] = entry.template_in(bank)
        except ItemMismatch:
            continue  # raised below, in its turn
        seeds.setdefault(entry.template, []).append(entry.seed)
    drawn: dict[tuple[str, int], Any] = {}
    for template_id, batch in seeds.items():
        template = bank[template_id]
        try:
            drawn.update(zip(((template_id, s) for s in batch), template.instantiate_many(batch)))
        except Exception:  # noqa: BLE001 - a seed that cannot be drawn: drawn alone below, to raise in its turn
            pass
    items: dict[str, Any] = {}
    for item_id, entry in firsts.items():
        if item_id not in templates:
            entry.template_in(bank)  # raises the ItemMismatch found above
        item = drawn.get((entry.template, entry.seed))
        items[item_id] = entry.checked(item if item is not None else templates[item_id].instantiate(entry.seed))
    return items


class LeanEntry:
    """A ManifestItem's fields in a slotted object: grading a big class holds millions of them
    (a pydantic model takes ~1.5 kB each, this ~0.3 kB)."""

    __slots__ = ("slot", "item", "template", "version", "seed", "points", "content_hash")

    def __init__(self, entry: ManifestItem, shared: dict[Any, Any]):
        self.slot = shared.setdefault(entry.slot, entry.slot)  # one string for every "q1", every template id
        self.template = shared.setdefault(entry.template, entry.template)
        self.item, self.version, self.seed, self.content_hash = entry.item, entry.version, entry.seed, entry.content_hash
        self.points = shared.setdefault((float, entry.points), entry.points)

    template_in = ManifestItem.template_in
    checked = ManifestItem.checked
    regenerate = ManifestItem.regenerate


class LeanRecord:
    """A StudentRecord's fields, its items as :class:`LeanEntry`."""

    __slots__ = ("student", "name", "email", "items")

    def __init__(self, record: StudentRecord, shared: dict[Any, Any]):
        self.student, self.name, self.email = record.student, record.name, record.email
        self.items = tuple(LeanEntry(e, shared) for e in record.items)


class LeanManifest:
    """A manifest as :func:`load_lean` reads it: what :class:`Manifest` holds, students in lean records."""

    def __init__(self, head: Manifest, students: tuple[LeanRecord, ...]):
        self.format, self.quiz_id, self.title, self.seed = head.format, head.quiz_id, head.title, head.seed
        self.spec_hash, self.groups, self.students = head.spec_hash, head.groups, students

    student = Manifest.student
    entries = Manifest.entries
    regenerate = Manifest.regenerate


def load_lean(path: str | Path) -> LeanManifest | Manifest:
    """Read a manifest as ``Manifest.load`` does (the same checks, the same errors), holding its
    students in lean records: 100,000 students x 30 items took 4.5 GB as pydantic models.

    The file is read a piece at a time (:func:`~qbank._json_pieces.read_object_pieces`): each
    student is validated as a StudentRecord on its own as it is parsed, and its JSON dropped
    straight away (read whole, a 1 GB manifest's text and parsed JSON took GBs more than the
    records). Anything the piecewise read refuses is read again by ``Manifest.load``, which
    raises its usual error (or returns the manifest, were the piecewise check stricter).
    """
    from .._json_pieces import read_object_pieces

    shared: dict[Any, Any] = {}
    records: list[LeanRecord] = []
    seen: set[str] = set()

    def each(raw: Any) -> bool:
        try:
            record = StudentRecord.model_validate(raw)
        except ValidationError:
            return False
        if record.student in seen:
            return False  # Manifest's own check says which
        seen.add(record.student)
        records.append(LeanRecord(record, shared))
        return True

    head = read_object_pieces(path, "students", each)
    if head is not None:
        try:
            return LeanManifest(Manifest.model_validate(head), tuple(records))
        except ValidationError:
            pass
    return Manifest.load(path)
