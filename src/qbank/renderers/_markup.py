"""Markdown with LaTeX math to HTML fragments: the one conversion every HTML-bearing format shares.

Stems and options are Markdown with ``$...$`` (inline) and ``$$...$$`` (display) math.
Math spans are cut out before Markdown runs (so ``_`` and ``*`` inside TeX are never read
as emphasis) and put back through a callback, which decides what each format gets:
``\\(...\\)`` for MathJax in Canvas and Moodle, MathML for the self-contained HTML page.

Text is HTML-escaped before Markdown sees it: the ``markdown`` package passes raw HTML
through, and a ``<script>`` in a stem must show as text, never run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

__all__ = ["MathRenderer", "Segment", "split_math", "tex_delimiters", "to_html", "to_line", "to_plain"]

Segment = tuple[Literal["text", "code", "inline", "display"], str]
MathRenderer = Callable[[str, bool], str]  # (tex, display) -> HTML

# Code spans first (their content is literal), then $$display$$, then $inline$ where the
# opening $ is not followed by a space and the closing $ not preceded by one (so "$5 and $6"
# stays text), and \$ is a literal dollar.
_TOKENS = re.compile(
    r"(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<display>(?<!\\)\$\$(?P<dtex>.+?)(?<!\\)\$\$)"
    r"|(?P<inline>(?<![\\$])\$(?P<itex>[^\s$](?:[^$]*?[^\s\\$])?)\$(?!\$))",
    re.DOTALL,
)


def split_math(text: str) -> list[Segment]:
    """Cut text into plain text, code spans, inline math and display math, in order."""
    out: list[Segment] = []
    pos = 0
    for m in _TOKENS.finditer(text):
        if m.start() > pos:
            out.append(("text", text[pos : m.start()]))
        if m.group("code"):
            out.append(("code", m.group("code")))
        elif m.group("display"):
            out.append(("display", m.group("dtex").strip()))
        else:
            out.append(("inline", m.group("itex")))
        pos = m.end()
    if pos < len(text):
        out.append(("text", text[pos:]))
    return out


def tex_delimiters(tex: str, display: bool) -> str:
    """Math as MathJax reads it in Canvas and Moodle: ``\\(...\\)`` and ``\\[...\\]``, escaped."""
    return html.escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)", quote=False)


_PLACEHOLDER = "qbmath{}qb"
_PLACEHOLDER_RE = re.compile(r"qbmath(\d+)qb")
# Characters that make Markdown do something; text without them needs no Markdown pass.
_MARKDOWN_SYNTAX = re.compile(r"[*_`#|\[\]!\n\\]|^\s*(?:[-+>]|\d+\.)\s", re.MULTILINE)


@lru_cache(maxsize=1)
def _markdown() -> object:
    import markdown

    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def to_html(text: str, *, math: MathRenderer = tex_delimiters, inline: bool = False) -> str:
    """Markdown with math to an HTML fragment.

    ``inline=True`` drops the single ``<p>`` wrapper, for options and table cells.
    """
    return _to_html(text, math, inline)


@lru_cache(maxsize=65536)
def _to_html(text: str, math: MathRenderer, inline: bool) -> str:
    maths: list[str] = []
    parts: list[str] = []
    for kind, value in split_math(text):
        if kind == "text":
            parts.append(html.escape(value, quote=False))
        elif kind == "code":
            parts.append(value)  # Markdown escapes code span content itself
        else:
            parts.append(_PLACEHOLDER.format(len(maths)))
            maths.append(math(value, kind == "display"))
    source = "".join(parts)
    if _MARKDOWN_SYNTAX.search(source):
        md = _markdown()
        md.reset()  # type: ignore[attr-defined]
        out: str = md.convert(source)  # type: ignore[attr-defined]
    else:
        out = f"<p>{source.strip()}</p>" if source.strip() else ""
    out = _PLACEHOLDER_RE.sub(lambda m: maths[int(m.group(1))], out)
    if inline and out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def to_plain(text: str, *, math: Callable[[str, bool], str] | None = None) -> str:
    """Markdown with math as plain text (for formats without HTML): code fences dropped,
    math kept as ``$...$`` unless ``math`` converts it."""
    parts = []
    for kind, value in split_math(text):
        if kind == "code":
            parts.append(value.strip("`").strip())
        elif kind in ("inline", "display"):
            parts.append(math(value, kind == "display") if math else (f"$${value}$$" if kind == "display" else f"${value}$"))
        else:
            parts.append(value)
    return "".join(parts)


# A Markdown table: a header row, a |---| separator row, then body rows.
_TABLE = re.compile(r"^[ \t]*\|.*\|[ \t]*\n[ \t]*\|[ \t:|-]*-[ \t:|-]*\|[ \t]*\n(?:[ \t]*\|.*\|[ \t]*(?:\n|$))*", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?!\*)|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _flatten_table(m: re.Match[str]) -> str:
    rows = [r for r in m.group(0).strip("\n").split("\n")]
    head, body = _cells(rows[0]), [_cells(r) for r in rows[2:]]
    lead = f"({head[0]}: {', '.join(head[1:])})" if len(head) > 1 else f"({head[0]})"
    entries = "; ".join(f"{r[0]}: {', '.join(r[1:])}" if len(r) > 1 else r[0] for r in body)
    return f" {lead} {entries}. "


def to_line(text: str, *, math: Callable[[str, bool], str] | None = None) -> str:
    """Markdown with math as one line of plain text, for formats that take one line (Aiken).

    Tables become ``(token: state A, state B) Paris: 0.20, 0.08; London: ...``, emphasis
    and code marks are dropped, and every run of whitespace (newlines too) becomes one space.
    Math is kept as ``$...$`` unless ``math`` converts it.
    """
    text = _TABLE.sub(_flatten_table, text)
    # Math and code become placeholders so that the emphasis rules see the text around them
    # (``**`code`**``) but never their content (``$a*b*c$``).
    kept: list[str] = []
    parts = []
    for kind, value in split_math(text):
        if kind == "text":
            parts.append(value.replace("\x00", ""))
            continue
        if kind == "code":
            kept.append(value.strip("`").strip())
        else:
            value = " ".join(value.split())
            kept.append(math(value, kind == "display") if math else (f"$${value}$$" if kind == "display" else f"${value}$"))
        parts.append(f"\x00{len(kept) - 1}\x00")
    line = _ESCAPED.sub(r"\1", _EMPHASIS.sub(lambda e: e.group(2) or e.group(3) or e.group(4), "".join(parts)))
    line = " ".join(line.split())
    return _KEPT.sub(lambda m: kept[int(m.group(1))], line)


_KEPT = re.compile("\x00(\\d+)\x00")
