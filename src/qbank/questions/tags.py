"""What an item is about: topics, Bloom level, source, difficulty."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from ._model import Frozen

__all__ = ["Bloom", "Difficulty", "Tags"]


class Bloom(StrEnum):
    """Bloom's revised taxonomy, lowest to highest."""

    remember = "remember"
    understand = "understand"
    apply = "apply"
    analyze = "analyze"
    evaluate = "evaluate"
    create = "create"


Difficulty = Literal["easy", "medium", "hard"]


class Tags(Frozen):
    """Classification used to select items for quizzes and practice."""

    topics: tuple[str, ...] = Field(default=(), description="Topic slugs, e.g. cross-entropy, dpo.")
    bloom: Bloom
    source: str | None = Field(default=None, description="Book and chapter, e.g. 'Xiao & Zhu, ch. 4, sec. 4.2'.")
    keywords: tuple[str, ...] = ()
