"""Markdown with TeX math to typst markup, for the PDF papers.

The Markdown is read once, by :func:`qbank.renderers._markup.to_html` (the same reader, fast
path and escaping every HTML format uses); the resulting HTML fragment, a small known set of
tags, is then walked and written as typst. Math spans come through as placeholder elements
holding their TeX and are converted by :mod:`._typst_math`.

Author text never reaches typst as markup or code: every ASCII punctuation character of a
text node is backslash-escaped (``#`` would start code, ``*`` emphasis, ``=`` a heading,
``//`` a comment, ``<x>`` a label), and code spans become ``raw`` string literals.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

from ._markup import to_html
from ._typst_math import TexError, tex_to_typst, typst_string

__all__ = ["MarkupResult", "math_span", "typst_escape", "typst_markup"]

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_SPACES = re.compile(r"\s+")
_MATH_TAG = "qbank-math"

MarkupResult = tuple[str, tuple[str, ...]]  # (typst markup, TeX spans that did not convert)


def typst_escape(text: str) -> str:
    """Plain text as typst markup: ASCII punctuation escaped, runs of whitespace one space."""
    return _PUNCT.sub(r"\\\1", _SPACES.sub(" ", text))


def _math_placeholder(tex: str, display: bool) -> str:
    return f'<{_MATH_TAG} display="{int(display)}">{html.escape(tex)}</{_MATH_TAG}>'


def math_span(tex: str, display: bool) -> tuple[str, str | None]:
    """One TeX span as typst math, or (its TeX source as text, why) when it does not convert."""
    try:
        body = tex_to_typst(tex)
    except TexError as exc:
        source = f"$${tex}$$" if display else f"${tex}$"
        return f"#raw({typst_string(source)})", str(exc)
    if not body.strip():
        return "", None
    return (f"$ {body} $" if display else f"${body}$"), None


class _Writer(HTMLParser):
    """Walks the HTML fragment ``to_html`` makes and writes typst."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[list[str]] = [[]]  # a stack: each open container collects its children
        self.tags: list[str] = []
        self.failed: list[str] = []
        self.math: tuple[bool, list[str]] | None = None
        self.in_pre = False
        self.code: list[str] | None = None  # a code span's text, verbatim (it goes into a string)
        self.columns = 0
        self.row_cells = 0

    # A container (list item, table cell, emphasis) collects its content, then is wrapped.
    def _open(self) -> None:
        self.out.append([])

    def _close(self) -> str:
        return "".join(self.out.pop()).strip()

    def _emit(self, text: str) -> None:
        self.out[-1].append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == _MATH_TAG:
            self.math = (dict(attrs).get("display") == "1", [])
            return
        self.tags.append(tag)
        if tag == "pre":
            self.in_pre = True
        if tag == "code":
            self.code = []
        elif tag in ("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "b", "em", "i", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "a", "del", "s", "sup", "sub"):
            self._open()
        elif tag == "br":
            self.tags.pop()
            self._emit("#linebreak()")
        elif tag == "hr":
            self.tags.pop()
            self._emit("\n#line(length: 100%)\n")
        elif tag == "img":
            self.tags.pop()
            alt = dict(attrs).get("alt") or ""
            self._emit(typst_escape(f"[image: {alt}]"))

    def handle_endtag(self, tag: str) -> None:
        if tag == _MATH_TAG and self.math is not None:
            display, parts = self.math
            self.math = None
            tex = "".join(parts)
            out, why = math_span(tex, display)
            if why is not None:
                self.failed.append(f"{tex!r} ({why})")
            self._emit(out)
            return
        if not self.tags or self.tags[-1] != tag:
            return  # a tag we never opened (to_html writes well-formed fragments)
        self.tags.pop()
        if tag == "p":
            self._emit("\n\n")
        elif tag == "pre":
            self.in_pre = False
        elif tag in ("strong", "b"):
            self._emit(f"#strong[{self._close()}]")
        elif tag in ("em", "i"):
            self._emit(f"#emph[{self._close()}]")
        elif tag in ("del", "s"):
            self._emit(f"#strike[{self._close()}]")
        elif tag in ("sup", "sub"):
            self._emit(f"#{'super' if tag == 'sup' else 'sub'}[{self._close()}]")
        elif tag == "a":
            self._emit(self._close())
        elif tag == "code":
            code, self.code = "".join(self.code or []), None
            block = "true" if self.in_pre else "false"
            self._emit(f"#raw(block: {block}, {typst_string(code)})")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._emit(f"\n\n#strong[{self._close()}]\n\n")
        elif tag == "blockquote":
            self._emit(f"\n#quote(block: true)[{self._close()}]\n")
        elif tag == "li":
            self._emit(f"[{self._close()}], ")
        elif tag in ("ul", "ol"):
            items = self._close().rstrip(", ")
            self._emit(f"\n#{'list' if tag == 'ul' else 'enum'}(tight: true, {items})\n")
        elif tag in ("th", "td"):
            self._emit(f"[{self._close()}], ")
            self.row_cells += 1
        elif tag == "tr":
            cells = self._close()
            self._emit(cells + " ")
            self.columns = max(self.columns, self.row_cells)
            self.row_cells = 0
        elif tag == "thead":
            self._emit(f"table.header({self._close().rstrip(', ')}), ")
        elif tag == "tbody":
            self._emit(self._close() + " ")
        elif tag == "table":
            body = self._close().rstrip(", ")
            columns, self.columns = max(self.columns, 1), 0
            self._emit(f"\n#table(columns: {columns}, align: left, inset: 4pt, stroke: 0.4pt, {body})\n")

    def handle_data(self, data: str) -> None:
        if self.math is not None:
            self.math[1].append(data)
        elif self.code is not None:
            self.code.append(data)
        elif self.tags and self.tags[-1] in ("ul", "ol", "table", "thead", "tbody", "tr"):
            return  # whitespace between rows and items
        else:
            self._emit(typst_escape(data))


@lru_cache(maxsize=65536)
def typst_markup(text: str, inline: bool = False) -> MarkupResult:
    """Author Markdown with math as typst markup, and the TeX spans that did not convert."""
    fragment = to_html(text, math=_math_placeholder, inline=inline)
    writer = _Writer()
    writer.feed(fragment)
    writer.close()
    out = "".join(writer.out[0]).strip()
    return re.sub(r"\n{3,}", "\n\n", out), tuple(writer.failed)
