"""A family-wide hint on every item a family builds: the idea to recall, never a variant's numbers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

__all__ = ["with_hint"]


def with_hint(hint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a family's ``build`` so that its content carries ``hint`` (``qbank practice`` shows it on ``?``)."""

    def decorate(build: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(build)
        def built(params: Any, rng: Any) -> Any:
            out = build(params, rng)
            content, extra = out if isinstance(out, tuple) else (out, None)
            content = content.model_copy(update={"hint": hint})
            return (content, extra) if isinstance(out, tuple) else content

        return built

    return decorate
