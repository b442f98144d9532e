"""What a practice session shows of an item and grades it with, as plain data.

A :class:`PracticeItem` is made from a full item once (:meth:`PracticeItem.of`: the
Markdown of the panel, how to answer, the hint, the key as a student types it, ...) and is
kept in the drawn-item cache as JSON, so that a warm session shows and grades an item
without drawing it again. ``spec`` is what the grader is handed: the full item, or a light
one rebuilt from the cached data (:mod:`qbank.questions._light`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["PracticeItem", "cached_practice_item", "key_text"]


@dataclass
class PracticeItem:
    id: str
    template: str
    version: int
    seed: int
    title: str
    topics: tuple[str, ...]
    bloom: str
    points: float
    type: str
    markdown: str  # the panel's Markdown (terminal.item_markdown)
    answer_help: str
    hint: str | None
    key_text: str
    sample_answer: str
    explanation: str
    spec_loader: Callable[[], Any] | None = field(default=None, repr=False, compare=False)
    layouts: Any | None = field(default=None, repr=False, compare=False)  # where CachedMarkdown keeps layouts
    _spec: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, item: Any, layouts: Any | None = None) -> PracticeItem:
        """The practice view of a full item (its ``spec`` is the item itself)."""
        from ..questions.hints import hint_for
        from .terminal import answer_help, item_markdown

        return cls(
            id=item.id, template=item.template, version=item.version, seed=item.seed, title=item.title,
            topics=tuple(item.tags.topics), bloom=item.tags.bloom.value, points=float(item.points), type=item.type,
            markdown=item_markdown(item), answer_help=answer_help(item), hint=hint_for(item), key_text=key_text(item),
            sample_answer=getattr(item, "sample_answer", "") if item.type == "open_response" else "",
            explanation=item.explanation, layouts=layouts, _spec=item,
        )

    @property
    def spec(self) -> Any:
        """What the grader grades: the item (full or light), loaded on first use."""
        if self._spec is None and self.spec_loader is not None:
            self._spec = self.spec_loader()
        return self._spec

    def to_json(self) -> dict[str, Any]:
        return {f.name: (list(v) if isinstance(v, tuple) else v) for f in fields(self) if f.compare
                for v in (getattr(self, f.name),)}

    @classmethod
    def from_json(cls, data: dict[str, Any], spec_loader: Callable[[], Any], layouts: Any | None = None) -> PracticeItem:
        """Raises KeyError or TypeError for data that is not a practice view."""
        values = {f.name: data[f.name] for f in fields(cls) if f.compare}
        for name, value in values.items():
            if not isinstance(value, _JSON_TYPES[name]) or (name == "topics" and not all(isinstance(t, str) for t in value)):
                raise TypeError(f"{name}: {value!r}")
        values["topics"] = tuple(values["topics"])
        values["points"] = float(values["points"])
        return cls(**values, spec_loader=spec_loader, layouts=layouts)


# what each field of a practice view must be in its JSON (a damaged view is made again)
_JSON_TYPES: dict[str, Any] = {
    **dict.fromkeys(("id", "template", "title", "bloom", "type", "markdown", "answer_help", "key_text", "sample_answer",
                     "explanation"), str),
    "version": int, "seed": int, "points": (int, float), "topics": list, "hint": (str, type(None)),
}


def key_text(item: Any) -> str:
    """The correct answer written as a student would type it."""
    from ..questions import letter

    kind = item.type
    if kind in ("single_choice", "multiple_response"):
        return ", ".join(letter(i) for i in item.key)
    if kind == "true_false":
        return "True" if item.answer else "False"
    if kind == "numeric":
        value = f"{item.answer:.{item.decimals}f}" if item.decimals is not None else f"{item.answer:g}"
        return value + (f" {item.unit}" if item.unit else "")
    if kind == "short_text":
        return item.answers[0]
    if kind == "ordering":
        return " ".join(letter(i) for i in item.answer)
    if kind == "matching":
        return " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(item.answer))
    return ""


def cached_practice_item(drawn: Any, template_id: str, seed: int) -> PracticeItem:
    """The practice view of an item from the drawn-item cache (``drawn``, a
    :class:`~qbank.questions._drawn.DrawnItems`), or drawn in full and kept there."""
    from ..questions._light import light_item, needs_rubric

    entry = drawn.entry(template_id, seed)
    if entry is not None and entry.item is not None and isinstance(entry.get("practice"), dict):
        data = entry.item
        if needs_rubric(data):
            def load() -> Any:  # the rubric grades the full item
                return drawn[template_id].instantiate(seed)
        else:
            def load() -> Any:
                return light_item(data)
        try:
            return PracticeItem.from_json(entry.get("practice"), load, layouts=entry)
        except (KeyError, TypeError):
            pass  # a damaged view: make it again
    item = drawn[template_id].instantiate(seed)
    entry = drawn.entry(template_id, seed)
    shown = PracticeItem.of(item, layouts=entry)
    if entry is not None:
        entry.set_item(item)
        entry.put("practice", shown.to_json())
    return shown
