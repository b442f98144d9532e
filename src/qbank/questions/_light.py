"""Light items: a cached item's JSON data as plain attributes, for the grader.

The grader reads an item (or a multipart part) only through its answer-spec fields
(``type``, ``options``, ``key``, ``tolerance``, ``distractors``, ...; see
:mod:`qbank.grader.scoring`), never through a model method, so it grades these the same
as the pydantic items they were dumped from, without pydantic or the models.
tests/questions/test_light.py holds every built-in item to that, answer by answer.

Open answers are the exception: the rubric path calls model methods (calibrated copies of
the rubric), so an item with an open part is always graded as the full item
(:func:`needs_rubric`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["LightItem", "light_item", "needs_rubric"]


class LightItem:
    """An item, a part, an option or any other object of a dumped item, as attributes."""

    def __init__(self, data: dict[str, Any]):
        for name, value in data.items():
            # an item's sampled ``data`` is free-form JSON (any key, even "key"): kept as it is
            self.__dict__[name] = value if name == "data" else _light(value)

    @property
    def key(self) -> tuple[int, ...]:
        """Positions of the correct options (the property of choice items)."""
        return tuple(i for i, o in enumerate(self.options) if o.correct)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"LightItem({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"


def _light(value: Any) -> Any:
    if isinstance(value, dict):
        return LightItem(value)
    if isinstance(value, list):
        return tuple(_light(v) for v in value)  # the models hold tuples
    return value


def light_item(data: dict[str, Any]) -> LightItem:
    """The item dumped as ``data`` (``model_dump(mode="json")``), for the grader."""
    return LightItem(data)


def needs_rubric(data: dict[str, Any]) -> bool:
    """Is any part of this dumped item an open answer, graded by its rubric?"""
    if data.get("type") == "open_response":
        return True
    return any(isinstance(p, dict) and p.get("type") == "open_response" for p in data.get("parts") or ())
