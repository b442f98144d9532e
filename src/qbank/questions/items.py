"""Item types: concrete, fully computed questions, one model per type.

Each type is built from three layers so that items, multipart parts and static bank
entries share one definition of "what the answer is":

* an *answer spec* (``SingleChoice``, ``Numeric``, ...): the ``type`` tag and the key;
* ``...Content``: the spec plus stem, explanation and hint, which is what a family builds
  and what a static bank entry spells out;
* ``...Item``: the content plus identity and metadata (id, template, seed, tags, points).

Multipart items hold ``...Part`` models: a spec plus a label, prompt and weight.
Options, ordering entries and matching choices are identified by position; their letters
are A, B, C, ... as displayed, and no identifier hints at the key.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Annotated, Any, Literal, Union

from pydantic import Field, JsonValue, field_validator, model_validator

from ._labels import item_id, letter, parse_item_id
from ._model import Canonical, Frozen, Identifier, MisconceptionId, canonical
from .rubric import Rubric
from .tags import Difficulty, Tags

__all__ = [
    "AnswerSpec", "Content", "Item", "ItemContent", "Matching", "MatchingContent", "MatchingDistractor", "MatchingItem",
    "MultipartContent", "MultipartItem", "MultipleResponse", "MultipleResponseContent",
    "MultipleResponseItem", "Numeric", "NumericContent", "NumericDistractor", "NumericItem",
    "OpenResponse", "OpenResponseContent", "OpenResponseItem", "Option", "Ordering",
    "OrderingContent", "OrderingItem", "Part", "ShortText", "ShortTextContent", "ShortTextItem",
    "SingleChoice", "SingleChoiceContent", "SingleChoiceItem", "TextDistractor", "Tolerance",
    "TrueFalse", "TrueFalseContent", "TrueFalseItem", "ITEM_TYPES", "item_id", "letter", "make_item",
    "parse_item_id",
]


def _distinct(values: list[str], what: str) -> None:
    if len({" ".join(v.split()) for v in values}) == len(values):
        return  # the common case, in one pass; the loop below only names the repeat
    seen: set[str] = set()
    for v in values:
        key = " ".join(v.split())
        if key in seen:
            raise ValueError(f"{what} must be distinct as displayed, {v!r} appears twice")
        seen.add(key)


# ---------------------------------------------------------------------------------------
# Answer specs
# ---------------------------------------------------------------------------------------


class Option(Frozen):
    """A choice. ``misconception`` names what picking this wrong option reveals."""

    text: str = Field(min_length=1)
    correct: bool = False
    feedback: str = ""
    misconception: MisconceptionId | None = None


class _Choices(Frozen):
    options: tuple[Option, ...] = Field(min_length=2)
    shuffle: bool = Field(default=False, description="May a quiz reorder the options?")

    @field_validator("options")
    @classmethod
    def _distinct_options(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        _distinct([o.text for o in options], "options")
        return options

    @property
    def key(self) -> tuple[int, ...]:
        """Positions of the correct options."""
        return tuple(i for i, o in enumerate(self.options) if o.correct)


class SingleChoice(_Choices):
    type: Literal["single_choice"] = "single_choice"

    @model_validator(mode="after")
    def _one_key(self) -> SingleChoice:
        if len(self.key) != 1:
            raise ValueError(f"a single_choice item needs exactly 1 correct option, got {len(self.key)}")
        return self


MultipleResponseScoring = Literal["all_or_nothing", "partial", "right_minus_wrong"]


class MultipleResponse(_Choices):
    """Several options may be correct.

    Scoring: ``all_or_nothing``; ``partial`` (the fraction of options marked rightly,
    chosen or not); ``right_minus_wrong`` (+1/#correct per correct choice, -1/#correct per
    wrong choice, floored at 0).
    """

    type: Literal["multiple_response"] = "multiple_response"
    scoring: MultipleResponseScoring = "right_minus_wrong"

    @model_validator(mode="after")
    def _some_key(self) -> MultipleResponse:
        if not self.key:
            raise ValueError("a multiple_response item needs at least 1 correct option")
        return self


class TrueFalse(Frozen):
    type: Literal["true_false"] = "true_false"
    answer: bool
    feedback_true: str = ""
    feedback_false: str = ""
    misconception: MisconceptionId | None = Field(
        default=None, description="What answering the wrong way reveals."
    )


class Tolerance(Frozen):
    """How close a numeric answer must be.

    ``absolute``: |x - x*| <= value; ``relative``: |x - x*| <= value * |x*|;
    ``sigfig``: x agrees with x* when both are rounded to ``value`` significant figures.
    Both ``absolute`` and ``relative`` may be given as ``max(absolute, relative * |x*|)``
    through ``absolute`` plus ``relative``.
    """

    absolute: Canonical | None = Field(default=None, ge=0)
    relative: Canonical | None = Field(default=None, ge=0)
    sigfig: int | None = Field(default=None, ge=1, le=15)

    @model_validator(mode="after")
    def _one_mode(self) -> Tolerance:
        if self.sigfig is not None and (self.absolute is not None or self.relative is not None):
            raise ValueError("sigfig tolerance cannot be combined with absolute or relative")
        if self.sigfig is None and self.absolute is None and self.relative is None:
            raise ValueError("give absolute, relative or sigfig")
        return self

    def describe(self) -> str:
        if self.sigfig is not None:
            return f"{self.sigfig} significant figures"
        parts = []
        if self.absolute is not None:
            parts.append(f"±{self.absolute:g}")
        if self.relative is not None:
            parts.append(f"±{self.relative * 100:g}%")
        return " or ".join(parts) if len(parts) == 1 else f"the larger of {parts[0]} and {parts[1]}"


class NumericDistractor(Frozen):
    """A wrong value a student is likely to give, with the misconception behind it."""

    value: Canonical
    misconception: MisconceptionId
    feedback: str = ""

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be finite")
        return v


class Numeric(Frozen):
    type: Literal["numeric"] = "numeric"
    answer: Canonical
    tolerance: Tolerance
    decimals: int | None = Field(default=None, ge=0, le=12, description="Decimals the stem asks for.")
    unit: str | None = None
    distractors: tuple[NumericDistractor, ...] = ()

    @field_validator("answer")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be finite")
        return v


class TextDistractor(Frozen):
    text: str = Field(min_length=1)
    misconception: MisconceptionId
    feedback: str = ""


class ShortText(Frozen):
    """Accepted answers are compared after normalisation: Unicode NFKC, apostrophe and
    quote variants folded, whitespace collapsed and, unless ``case_sensitive``, case folded."""

    type: Literal["short_text"] = "short_text"
    answers: tuple[str, ...] = Field(min_length=1)
    case_sensitive: bool = False
    distractors: tuple[TextDistractor, ...] = ()


class Ordering(Frozen):
    """``entries`` in display order; ``answer`` the correct sequence of their positions.

    Scoring: ``exact`` or ``partial`` (the longest subsequence already in the right relative
    order, divided by the number of entries).
    """

    type: Literal["ordering"] = "ordering"
    entries: tuple[str, ...] = Field(min_length=2)
    answer: tuple[int, ...]
    scoring: Literal["exact", "partial"] = "partial"

    @model_validator(mode="after")
    def _permutation(self) -> Ordering:
        _distinct(list(self.entries), "entries")
        if sorted(self.answer) != list(range(len(self.entries))):
            raise ValueError(f"answer must be a permutation of 0..{len(self.entries) - 1}, got {list(self.answer)}")
        return self


class MatchingDistractor(Frozen):
    """What matching a prompt to this choice wrongly reveals (a left-over choice, usually)."""

    choice: int = Field(ge=0, description="Position of the choice: 0 for a, 1 for b, ...")
    misconception: MisconceptionId
    feedback: str = ""


class Matching(Frozen):
    """Prompts (numbered 1, 2, ...) matched to choices (lettered a, b, ...).

    ``answer[i]`` is the position of the choice that matches prompt i; choices no prompt
    uses are distractors, and ``distractors`` may name the misconception behind choosing one
    (the grader reports it when a prompt is matched to that choice wrongly). Scoring:
    ``all_or_nothing`` or ``partial`` (fraction of prompts).
    """

    type: Literal["matching"] = "matching"
    prompts: tuple[str, ...] = Field(min_length=2)
    choices: tuple[str, ...] = Field(min_length=2)
    answer: tuple[int, ...]
    scoring: Literal["all_or_nothing", "partial"] = "partial"
    distractors: tuple[MatchingDistractor, ...] = ()

    @model_validator(mode="after")
    def _pairs(self) -> Matching:
        _distinct(list(self.prompts), "prompts")
        _distinct(list(self.choices), "choices")
        if len(self.answer) != len(self.prompts):
            raise ValueError(f"answer needs one choice per prompt ({len(self.prompts)}), got {len(self.answer)}")
        if any(not 0 <= a < len(self.choices) for a in self.answer):
            raise ValueError(f"answer positions must lie in 0..{len(self.choices) - 1}")
        if len(set(self.answer)) != len(self.answer):
            raise ValueError("each choice may match at most one prompt")
        named = [d.choice for d in self.distractors]
        if any(c >= len(self.choices) for c in named):
            raise ValueError(f"distractors[].choice must lie in 0..{len(self.choices) - 1}")
        if len(set(named)) != len(named):
            raise ValueError("each choice may have at most one distractor entry")
        return self


class OpenResponse(Frozen):
    type: Literal["open_response"] = "open_response"
    rubric: Rubric
    sample_answer: str = Field(min_length=1, description="A full-credit answer, for instructors.")
    min_words: int = Field(default=0, ge=0)


# ---------------------------------------------------------------------------------------
# Multipart
# ---------------------------------------------------------------------------------------


class _PartBase(Frozen):
    label: Identifier = Field(description="Short label, e.g. 'a' or a token name.")
    prompt: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)


class SingleChoicePart(_PartBase, SingleChoice): ...
class MultipleResponsePart(_PartBase, MultipleResponse): ...
class TrueFalsePart(_PartBase, TrueFalse): ...
class NumericPart(_PartBase, Numeric): ...
class ShortTextPart(_PartBase, ShortText): ...
class OrderingPart(_PartBase, Ordering): ...
class MatchingPart(_PartBase, Matching): ...
class OpenResponsePart(_PartBase, OpenResponse): ...


Part = Annotated[
    Union[
        SingleChoicePart, MultipleResponsePart, TrueFalsePart, NumericPart, ShortTextPart,
        OrderingPart, MatchingPart, OpenResponsePart,
    ],
    Field(discriminator="type"),
]


class Multipart(Frozen):
    """Several questions sharing one stem; the score is the weighted sum of the parts."""

    type: Literal["multipart"] = "multipart"
    parts: tuple[Part, ...] = Field(min_length=1)

    @field_validator("parts")
    @classmethod
    def _labels(cls, parts: tuple[Any, ...]) -> tuple[Any, ...]:
        labels = [p.label for p in parts]
        if len(set(labels)) != len(labels):
            raise ValueError(f"part labels must be unique, got {labels}")
        return parts


AnswerSpec = Union[SingleChoice, MultipleResponse, TrueFalse, Numeric, ShortText, Ordering, Matching, OpenResponse, Multipart]

# ---------------------------------------------------------------------------------------
# Content (what a family builds) and Items (content plus identity)
# ---------------------------------------------------------------------------------------


class Content(Frozen):
    stem: str = Field(min_length=1, description="Markdown with $...$ / $$...$$ LaTeX math.")
    explanation: str = Field(default="", description="Worked solution, shown with the key.")
    hint: str | None = None


class SingleChoiceContent(Content, SingleChoice): ...
class MultipleResponseContent(Content, MultipleResponse): ...
class TrueFalseContent(Content, TrueFalse): ...
class NumericContent(Content, Numeric): ...
class ShortTextContent(Content, ShortText): ...
class OrderingContent(Content, Ordering): ...
class MatchingContent(Content, Matching): ...
class OpenResponseContent(Content, OpenResponse): ...
class MultipartContent(Content, Multipart): ...


ItemContent = Annotated[
    Union[
        SingleChoiceContent, MultipleResponseContent, TrueFalseContent, NumericContent,
        ShortTextContent, OrderingContent, MatchingContent, OpenResponseContent, MultipartContent,
    ],
    Field(discriminator="type"),
]


class _ItemBase(Frozen):
    id: str = Field(description="'<template>-v<version>-s<seed>': names the variant and regenerates it.")
    template: Identifier
    version: int = Field(ge=1)
    seed: int = Field(ge=0)
    title: str
    points: float = Field(default=1.0, gt=0)
    tags: Tags
    difficulty: Difficulty | None = None
    data: dict[str, JsonValue] = Field(default_factory=dict, description="The sampled data behind this variant.")

    @field_validator("data")
    @classmethod
    def _canonical_data(cls, data: dict[str, Any]) -> dict[str, Any]:
        return canonical(data)

    def content_hash(self) -> str:
        """SHA-256 of the item's canonical JSON; a manifest stores it to detect bank changes."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json")).encode()).hexdigest()


class SingleChoiceItem(_ItemBase, SingleChoiceContent): ...
class MultipleResponseItem(_ItemBase, MultipleResponseContent): ...
class TrueFalseItem(_ItemBase, TrueFalseContent): ...
class NumericItem(_ItemBase, NumericContent): ...
class ShortTextItem(_ItemBase, ShortTextContent): ...
class OrderingItem(_ItemBase, OrderingContent): ...
class MatchingItem(_ItemBase, MatchingContent): ...
class OpenResponseItem(_ItemBase, OpenResponseContent): ...
class MultipartItem(_ItemBase, MultipartContent): ...


Item = Annotated[
    Union[
        SingleChoiceItem, MultipleResponseItem, TrueFalseItem, NumericItem, ShortTextItem,
        OrderingItem, MatchingItem, OpenResponseItem, MultipartItem,
    ],
    Field(discriminator="type"),
]

ITEM_TYPES: dict[str, type[_ItemBase]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        SingleChoiceItem, MultipleResponseItem, TrueFalseItem, NumericItem, ShortTextItem,
        OrderingItem, MatchingItem, OpenResponseItem, MultipartItem,
    )
}


def canonical_json(value: Any) -> str:
    """The JSON that content hashes are taken of: sorted keys, no spaces, UTF-8 as is."""
    if _CANONICAL is not None:
        return "".join(_CANONICAL(value, 0))
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical_encoder() -> Any:
    """The C encoder ``json.dumps`` makes for canonical_json's arguments, made once: dumps
    builds an encoder object and its C encoder on every call, a fifth of the time for an
    item's JSON. The same arguments as JSONEncoder.iterencode passes (so the same bytes),
    but no circular-reference markers: a dict of them shared by every call would keep the
    ids of an encoding that failed half-way. Content is never circular (a bug would end in
    RecursionError). None where the C encoder is missing (then json.dumps is used)."""
    from json import encoder

    if encoder.c_make_encoder is None:
        return None
    plain = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return encoder.c_make_encoder(None, plain.default, encoder.encode_basestring, None, ":", ",", True, False, True)


_CANONICAL = _canonical_encoder()


# Each content type and the item type that adds identity to it (for assembling items from
# content that was validated when it was built; see Template._item).
CONTENT_ITEM_TYPES: dict[type[Content], type[_ItemBase]] = {
    SingleChoiceContent: SingleChoiceItem, MultipleResponseContent: MultipleResponseItem, TrueFalseContent: TrueFalseItem,
    NumericContent: NumericItem, ShortTextContent: ShortTextItem, OrderingContent: OrderingItem,
    MatchingContent: MatchingItem, OpenResponseContent: OpenResponseItem, MultipartContent: MultipartItem,
}


def make_item(content: Content, **meta: Any) -> Any:
    """Attach identity and metadata (template, version, seed, title, tags, ...) to content."""
    fields = {name: getattr(content, name) for name in type(content).model_fields}
    meta.setdefault("id", item_id(meta["template"], meta["version"], meta["seed"]))
    return ITEM_TYPES[fields["type"]](**fields, **meta)
