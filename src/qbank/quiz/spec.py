"""Quiz specs: the small YAML file in which an instructor describes a quiz.

::

    title: Week 3 check
    seed: 2024
    variants: 3                      # LMS: each question group holds 3 distinct variants
    roster: {file: roster.csv, id: "Student ID", name: Name, email: Email}
    sections:
      - title: Cross-entropy
        select: {topics: [cross-entropy], bloom: [analyze]}
        count: 2
        points: 2
        shuffle_items: true

:func:`load_spec` reads it with file:line errors; :func:`spec_hash` is the SHA-256 of its
canonical JSON, which the manifest records; :func:`quiz_schema_json` is the JSON Schema
committed as ``schema/quiz.schema.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from .._files import read_yaml, validate_data
from ..questions._model import Frozen, Identifier
from ..questions.schema import json_schema, schema_text
from ..questions.tags import Bloom

__all__ = [
    "QuizSpec", "RosterColumns", "SectionSpec", "Selection", "SpecSource", "load_spec", "quiz_schema",
    "quiz_schema_json", "spec_hash",
]


def _listify(value: Any) -> Any:
    # `tags: dpo` reads as naturally as `tags: [dpo]`; accept both.
    return [value] if isinstance(value, str) else value


Names = Annotated[tuple[str, ...], BeforeValidator(_listify)]
Ids = Annotated[tuple[Identifier, ...], BeforeValidator(_listify)]
Blooms = Annotated[tuple[Bloom, ...], BeforeValidator(_listify)]


class Selection(Frozen):
    """Which templates a section draws from: every given filter must match (any value within one)."""

    ids: Ids = Field(default=(), description="Template ids.")
    tags: Names = Field(default=(), description="A topic, keyword, Bloom level or family name.")
    topics: Names = ()
    families: Names = ()
    bloom: Blooms = Field(default=(), description="Bloom levels.")

    def describe(self) -> str:
        """'tagged dpo, with topic mle' (empty when nothing filters)."""
        parts = []
        for label, values in (("with id", self.ids), ("tagged", self.tags), ("with topic", self.topics),
                              ("of family", self.families), ("at Bloom level", tuple(b.value for b in self.bloom))):
            if values:
                parts.append(f"{label} {' or '.join(values)}")
        return ", ".join(parts)


class SectionSpec(Frozen):
    title: str = ""
    select: Selection = Field(default_factory=Selection, description="Filters; empty selects from the whole bank.")
    count: int | None = Field(default=None, ge=1, description="How many templates to draw; default: every match.")
    points: float | None = Field(default=None, gt=0, description="Points per item; default: each template's own.")
    shuffle_items: bool = Field(default=False, description="Give each student this section's items in an order of their own.")
    shuffle_options: bool = Field(default=False, description="Ask the LMS to shuffle options at delivery.")
    variants: int | None = Field(default=None, ge=1, le=200, description="Overrides the quiz's `variants` for this section.")
    allow_fewer_variants: bool = Field(
        default=False,
        description="A template with fewer distinct variants than asked (e.g. fixed numbers) gets all it has, "
        "instead of failing the build.",
    )

    @model_validator(mode="after")
    def _count_fits_ids(self) -> SectionSpec:
        if self.count is not None and self.select.ids and self.count > len(self.select.ids):
            raise ValueError(f"count {self.count} is more than the {len(self.select.ids)} ids listed")
        return self


class RosterColumns(Frozen):
    """Where the roster is and what its columns are called."""

    file: str | None = Field(default=None, description="CSV file, relative to the spec; `--roster` overrides it.")
    id: str = Field(default="id", min_length=1, description="Column of student ids.")
    name: str = Field(default="name", min_length=1, description="Column of names (optional unless set).")
    email: str = Field(default="email", min_length=1, description="Column of emails (optional unless set).")


class QuizSpec(Frozen):
    """A quiz: what to draw from the bank, and how to hand it out."""

    id: Identifier | None = Field(default=None, description="Used in file names; default: made from the title.")
    title: str = Field(min_length=1)
    instructions: str = ""
    seed: int = Field(ge=0, description="Every draw and variant derives from it; same seed, same quiz.")
    variants: int = Field(default=1, ge=1, le=200, description="Distinct variants per LMS question group (K).")
    roster: RosterColumns | None = None
    sections: tuple[SectionSpec, ...] = Field(min_length=1)

    @property
    def quiz_id(self) -> str:
        return self.id or slug(self.title)

    def section_name(self, index: int) -> str:
        title = self.sections[index].title
        return f"section {index + 1} ({title!r})" if title else f"section {index + 1}"


def slug(text: str) -> str:
    """A file-name-safe id from a title: 'Week 3: Loss' -> 'week-3-loss'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return out if out[:1].isalpha() else f"quiz-{out}".rstrip("-")


def spec_hash(spec: QuizSpec) -> str:
    """SHA-256 of the spec's canonical JSON (defaults filled in, keys sorted)."""
    blob = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class SpecSource:
    """Where a spec came from, so that later checks (selection) can still name file and line."""

    file: str = "quiz spec"
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def at(self, *path: Any) -> str:
        """'quiz.yaml:12: sections[1].select' for a node path."""
        shown = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        where = self.file if line is None else f"{self.file}:{line}"
        return f"{where}: {shown}" if shown else where


def load_spec(path: str | Path) -> tuple[QuizSpec, SpecSource]:
    """Read and validate a quiz spec.

    Raises:
        InputError: (a BankError) naming file:line: field: message for every problem.
    """
    data, lines = read_yaml(path)
    spec = validate_data(QuizSpec, data, str(path), lines)
    return spec, SpecSource(str(path), lines)


def quiz_schema() -> dict[str, object]:
    return json_schema(QuizSpec, "qbank quiz spec")


def quiz_schema_json() -> str:
    return schema_text(quiz_schema())
