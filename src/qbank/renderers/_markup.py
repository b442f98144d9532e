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
# Characters that make Markdown do something, and a list item or quote at the start of a
# line; text with neither needs no Markdown pass. A text without a newline has one line
# start, so the second is only tried there (searching for it everywhere took three times
# as long on the short texts of a bank).
_MARKDOWN_CHARS = re.compile(r"[*_`#|\[\]!\n\\]")
_LINE_START_BLOCK = re.compile(r"\s*(?:[-+>]|\d+\.)\s")


def _markdown_syntax(source: str) -> bool:
    """Whether ``source`` has anything Markdown would act on (see _MARKDOWN_CHARS)."""
    return _MARKDOWN_CHARS.search(source) is not None or _LINE_START_BLOCK.match(source) is not None


@lru_cache(maxsize=1)
def _markdown() -> object:
    import markdown

    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def _markdown_package(source: str) -> str:
    """The ``markdown`` package's HTML for a source: the reference the fast path must equal."""
    md = _markdown()
    md.reset()  # type: ignore[attr-defined]
    out: str = md.convert(source)  # type: ignore[attr-defined]
    return out


def to_html(text: str, *, math: MathRenderer = tex_delimiters, inline: bool = False) -> str:
    """Markdown with math to an HTML fragment.

    ``inline=True`` drops the single ``<p>`` wrapper, for options and table cells.
    """
    return _to_html(text, math, inline)


def _markdown_source(text: str, math: MathRenderer) -> tuple[str, list[str]]:
    """The Markdown that runs for ``text``: HTML-escaped, each math span a placeholder
    (``qbmath0qb``, ...); and the rendered math that goes back in their place."""
    if "$" not in text and "`" not in text:  # no math and no code: most texts of a bank
        return html.escape(text, quote=False), []
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
    return "".join(parts), maths


@lru_cache(maxsize=65536)
def _to_html(text: str, math: MathRenderer, inline: bool) -> str:
    source, maths = _markdown_source(text, math)
    if _markdown_syntax(source):
        fast = _fast_markdown(source)
        out = fast if fast is not None else _markdown_package(source)
    else:
        out = f"<p>{source.strip()}</p>" if source.strip() else ""
    if maths:
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


# ---------------------------------------------------------------------------------------
# Fast path: the Markdown subset the bank's texts use, without the markdown package
# ---------------------------------------------------------------------------------------
#
# The ``markdown`` package costs about 1 ms per text, most of an LMS export. The texts the
# templates write use a small subset: paragraphs, GFM pipe tables, tight bullet lists, and
# inline code, ``*em*``, ``**strong**`` and backslash escapes. ``_fast_markdown`` renders
# exactly that subset, byte for byte as the package (with the tables and sane_lists
# extensions) does, and returns None for anything it is not sure of, which then goes to
# the package. tests/renderers/test_markup.py holds the proof: every text of the bank and
# a table of tricky cases give the same HTML both ways whenever the fast path answers.

# Characters whose meaning depends on context we do not model: control characters (tabs
# are expanded, STX/ETX are the package's own placeholders), Unicode line separators, a
# byte-order mark, and double backticks (multi-backtick code spans).
_FAST_REJECT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|``")
# A paragraph or list-item line that could start a block construct: an indent, a heading,
# a quote, a setext underline or rule, a list item, a table row or raw HTML. (A reference
# definition, ``[id]: url``, is refused by the inline rules, which take no ``]:``.)
_BLOCK_START = re.compile(r"[\s#>=+\-_|<]|\d+\.(?:\s|$)|\*+(?:\s|$)|\*\*\*")
_LIST_ITEM = re.compile(r"[*+-] (\S.*)\Z", re.DOTALL)
_TABLE_RULE = re.compile(r"\|(?:[ :-]*\|)+\Z")
# Inline tokens: a single-backtick code span, a backslash with the character it escapes
# (the package's escapable characters, plus ``|`` from the tables extension) or alone,
# runs of emphasis marks, a bracketed word that cannot be a link or image (Canvas's answer
# blanks ``[p1]``: with no reference defined the package leaves it as text), and the
# characters that would start a construct we do not render.
_INLINE = re.compile(
    r"`([^`\n]+)`|\\([\\*_{}\[\]()>#+\-.!|`]?)|(\*+)|(_+)|((?<!!)\[[\w-]+\](?![(\[:]|\s*\[))|([`<>\[\]&])"
)
_INLINE_SYNTAX = re.compile(r"[`\\*_\[\]<>&]")
_ENTITY_AT = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z0-9]+);")
# ``<`` inside a code span reaches the package's raw-HTML preprocessor before the span is
# seen; a plain token-like tag (``<eos>``) or a comparison (``< 1``, ``<=``) passes through
# it untouched, while block-level, raw-text, closing, comment and declaration tags may not.
_CODE_LT = re.compile(r"<(?:([a-z][a-z0-9]*)>|[ =\-0-9])")
_HTML_BLOCKISH = frozenset(
    "address article aside blockquote body canvas center colgroup dd details dialog div dl dt fieldset "
    "figcaption figure footer form frameset group h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe "
    "legend li link main map math menu meta nav noembed noframes noscript object ol optgroup option "
    "output p plaintext pre progress rp rt ruby script search section style summary svg table tbody td "
    "template textarea tfoot th thead title tr ul video xmp".split()
)
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"\w")


def _fast_markdown(source: str) -> str | None:
    """The ``markdown`` package's HTML for ``source`` if it is in the subset we render, else None."""
    if _FAST_REJECT.search(source):
        return None
    blocks: list[list[str]] = [[]]
    for line in source.split("\n"):
        if not line:
            if blocks[-1]:
                blocks.append([])
        elif line != line.strip():
            return None  # indents, hard line breaks (two trailing spaces), whitespace-only lines
        else:
            blocks[-1].append(line)
    out: list[str] = []
    previous = ""
    for block in blocks:
        if not block:
            continue
        if block[0].startswith("|"):
            html_block = _fast_table(block)
            previous = "table"
        elif _LIST_ITEM.match(block[0]):
            if previous == "list":
                return None  # a second list after a blank line joins the first as a loose list
            html_block = _fast_list(block)
            previous = "list"
        else:
            html_block = _fast_paragraph(block)
            previous = "p"
        if html_block is None:
            return None
        out.append(html_block)
    return "\n".join(out)


def _fast_paragraph(lines: list[str]) -> str | None:
    for line in lines:
        # A pipe is plain text in a one-line paragraph; with a second line it may be a table.
        if _BLOCK_START.match(line) or ("|" in line and len(lines) > 1):
            return None
    text = _fast_inline("\n".join(lines))
    return None if text is None else f"<p>{text}</p>"


def _fast_list(lines: list[str]) -> str | None:
    items = ["<ul>"]
    for line in lines:
        m = _LIST_ITEM.match(line)
        if m is None or _BLOCK_START.match(m.group(1)):
            return None  # a continuation line, or an item that starts a nested construct
        text = _fast_inline(m.group(1))
        if text is None:
            return None
        items.append(f"<li>{text}</li>")
    items.append("</ul>")
    return "\n".join(items)


def _fast_table(rows: list[str]) -> str | None:
    if len(rows) < 2 or not _TABLE_RULE.match(rows[1]):
        return None
    split = []
    for row in rows:
        # Pipes inside code spans and escaped pipes do not split cells in the package; such
        # rows, and rows without both outer pipes, go to it.
        if len(row) < 2 or not row.endswith("|") or not row.startswith("|") or "\\|" in row or "\\`" in row or "\\\\" in row:
            return None
        if any("|" in m.group(1) for m in re.finditer(r"`([^`]*)`", row)):
            return None
        split.append(row[1:-1].split("|"))
    head, rule, body = split[0], split[1], split[2:]
    if len(rule) != len(head) or any(len(cells) != len(head) for cells in body):
        return None
    aligns = []
    for cell in rule:
        cell = cell.strip(" ")
        left, right = cell.startswith(":"), cell.endswith(":")
        align = "center" if left and right else "left" if left else "right" if right else ""
        aligns.append(f' style="text-align: {align};"' if align else "")
    lines = ["<table>", "<thead>"]
    for part, tag, rows_cells in (("thead", "th", [head]), ("tbody", "td", body)):
        if part == "tbody":
            lines += ["</thead>", "<tbody>"]
            if not rows_cells:
                rows_cells = [[""] * len(head)]  # the package writes one empty row
        for cells in rows_cells:
            lines.append("<tr>")
            for cell, attr in zip(cells, aligns):
                text = _fast_inline(cell.strip(" "))
                if text is None:
                    return None
                lines.append(f"<{tag}{attr}>{text}</{tag}>")
            lines.append("</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def _fast_inline(text: str) -> str | None:
    """Inline Markdown of one paragraph, list item or table cell, or None outside the subset."""
    if not _INLINE_SYNTAX.search(text):
        return text  # most table cells: nothing inline to render
    # Pieces of output, and a view of the text as the package's emphasis pass sees it: code
    # spans and escapes are opaque placeholders there (\x02...\x03), which matters for
    # whether an emphasis mark next to them can open or close.
    pieces: list[str] = []
    marks: list[tuple[int, int, int]] = []  # (index in pieces, start in view, run length)
    view: list[str] = []
    at = 0
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            chunk = text[pos : m.start()]
            pieces.append(chunk)
            view.append(chunk)
            at += len(chunk)
        pos = m.end()
        code, escaped, stars, unders = m.group(1), m.group(2), m.group(3), m.group(4)
        if code is not None:
            content = code.strip()
            if not content or m.start() > 0 and text[m.start() - 1] == "\\" or not _code_ok(code):
                return None
            pieces.append(f"<code>{_code_escape(content)}</code>")
            view.append("\x02\x03")
            at += 2
        elif escaped is not None:
            if escaped == "`":
                return None  # an escaped backtick changes where code spans start
            if escaped:
                pieces.append(escaped)
                view.append("\x02\x03")
                at += 2
            else:
                pieces.append("\\")  # before any other character a backslash is literal
                view.append("\\")
                at += 1
        elif stars is not None:
            marks.append((len(pieces), at, len(stars)))
            pieces.append(stars)
            view.append(stars)
            at += len(stars)
        elif unders is not None:
            pieces.append(unders)
            view.append(unders)
            at += len(unders)
        elif m.group(5) is not None:
            pieces.append(m.group(5))
            view.append(m.group(5))
            at += len(m.group(5))
        else:
            char = m.group(6)
            if char != "&" or not _ENTITY_AT.match(text, m.start()):
                return None  # raw HTML, links, a stray backtick, a bare ampersand
            pieces.append("&")
            view.append("&")
            at += 1
    if pos < len(text):
        pieces.append(text[pos:])
        view.append(text[pos:])
    flat = "".join(view)
    if "_" in flat and not _underscores_inert(flat):
        return None
    if marks and not _pair_marks(flat, marks, pieces):
        return None
    return "".join(pieces)


def _code_ok(code: str) -> bool:
    for m in re.finditer("<", code):
        tag = _CODE_LT.match(code, m.start())
        if tag is None or (tag.group(1) is not None and tag.group(1) in _HTML_BLOCKISH):
            return False
    return True


def _code_escape(code: str) -> str:
    return code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _underscores_inert(view: str) -> bool:
    """True when every ``_`` sits between two word characters, where it never emphasises."""
    for m in re.finditer("_+", view):
        if m.start() == 0 or m.end() == len(view):
            return False
        if not (_WORD.match(view[m.start() - 1]) and _WORD.match(view[m.end()])):
            return False
    return True


def _pair_marks(view: str, marks: list[tuple[int, int, int]], pieces: list[str]) -> bool:
    """Turn ``*`` runs into <em>/<strong> tags when they pair up plainly, in place.

    Accepted: runs of one or two marks alternating opener, closer, opener, ... with each
    closer as long as its opener, no marks in between, an opener followed by a non-space
    character and a closer preceded by one. Nested or unbalanced emphasis is refused.
    """
    if len(marks) % 2:
        return False
    for k in range(0, len(marks), 2):
        (i, a, n), (j, b, n2) = marks[k], marks[k + 1]
        if n > 2 or n != n2:
            return False
        after_open, before_close = a + n, b - 1
        if after_open >= len(view) or _SPACE.match(view[after_open]) or before_close < 0 or _SPACE.match(view[before_close]):
            return False
        tag = "em" if n == 1 else "strong"
        pieces[i], pieces[j] = f"<{tag}>", f"</{tag}>"
    return True
