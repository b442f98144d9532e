"""Markdown in the terminal, laid out by rich once and then replayed from the drawn-item cache.

Importing ``rich.markdown`` (with markdown-it and pygments) costs more than the rest of a
warm ``qbank show`` or ``practice``. :class:`CachedMarkdown` is a rich renderable that
stands for ``rich.markdown.Markdown(text)``: the first time it is printed it renders the
real thing and keeps the resulting segments (text and style, as JSON) in the item's cache
entry, under a key made of the text and every console option that can change the layout
(width, encoding, justification, ...). Next time it yields the same segments without
importing ``rich.markdown``, so what the console writes is the same, byte for byte (rich's
version is part of the cache's code stamp).

A layout is kept only if every segment survives the trip through JSON exactly (no control
codes; each style written as text parses back to an equal style); otherwise it is simply
rendered each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

__all__ = ["CachedMarkdown"]


class CachedMarkdown:
    """``rich.markdown.Markdown(text)`` whose layouts are kept in ``store`` (an item's cache
    entry, with ``get(name)`` and ``put(name, value)``), or rendered each time when it is None."""

    def __init__(self, text: str, store: Any | None = None):
        self.text = text
        self.store = store

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        if self.store is None:
            from rich.markdown import Markdown

            yield Markdown(self.text)
            return
        name = "layout:" + _layout_key(self.text, console, options)
        kept = self.store.get(name)
        if isinstance(kept, list):
            segments = _decode(kept)
            if segments is not None:
                yield from segments
                return
        from rich.markdown import Markdown

        rendered = list(console.render(Markdown(self.text), options))
        encoded = _encode(rendered)
        if encoded is not None:
            self.store.put(name, encoded)
        yield from rendered


def _layout_key(text: str, console: Any, options: Any) -> str:
    """What a Markdown layout depends on: the text, the options rich renders it with (all but
    the terminal's height, which Markdown does not use) and the console's own settings."""
    o = options
    facts = (o.size.width, o.legacy_windows, o.min_width, o.max_width, o.is_terminal, o.encoding, o.justify,
             o.overflow, o.no_wrap, o.highlight, o.markup, o.height, console.safe_box, console.tab_size)
    return hashlib.sha256(f"{facts!r}\n{text}".encode()).hexdigest()[:32]


def _encode(segments: list[Any]) -> list[Any] | None:
    """Segments as JSON lists ``[text, style or None]``, or None if any would not come back equal."""
    from rich.style import Style

    out: list[Any] = []
    for s in segments:
        if s.control:
            return None
        if s.style is None:
            out.append([s.text, None])
            continue
        written = str(s.style)
        if Style.parse(written) != s.style:
            return None
        out.append([s.text, written])
    return out


def _decode(kept: list[Any]) -> list[Any] | None:
    from rich.errors import StyleSyntaxError
    from rich.segment import Segment
    from rich.style import Style

    out = []
    try:
        for text, style in kept:
            if not isinstance(text, str) or not (style is None or isinstance(style, str)):
                return None
            out.append(Segment(text, None if style is None else Style.parse(style)))
    except (StyleSyntaxError, TypeError, ValueError):
        return None  # a damaged entry: lay the text out again
    return out
