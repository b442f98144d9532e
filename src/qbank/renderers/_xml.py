"""Shared XML building for the LMS formats: elements, serialisation, XHTML fragments, zips.

Every LMS file is an :mod:`xml.etree.ElementTree` tree serialised by ET, so escaping is never
done by hand. Namespaced documents are built with local names and the default namespace
declared as a plain ``xmlns`` attribute on the root: the serialiser then writes exactly the
unprefixed document the schemas expect, and building stays as fast as plain ElementTree.
"""

from __future__ import annotations

import html.entities
import io
import math
import re
import zipfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

__all__ = [
    "ZIP_DATE", "ZIP_LEVEL", "absolute_tolerance", "escape_attribute", "escape_text", "fragment",
    "number", "raw", "require_instructor", "rubric_markdown", "sub", "tostring", "zip_bytes",
]

_SubElement = ET.SubElement

# Deflate level for the zip packages. Levels 1-3 use zlib's fast matcher: on a 10,000-item
# export, level 3 deflates canvas's 37 MB document in 0.15 s against 0.37 s at level 6 (the
# zipfile default) and qti's 10,000 item files in 0.53 s against 0.69 s, for files 26 % and
# 5 % larger (4.4 MB instead of 3.5 MB; 16.0 instead of 15.2). An LMS import is uploaded
# once; the export is what people wait for. Level 1 is no faster and larger still.
ZIP_LEVEL = 3

# 1980-01-01 is the earliest date a zip header can hold; a fixed date makes packages
# byte-identical from run to run.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def sub(parent: ET.Element, tag: str, text: str | None = None, attrib: Mapping[str, str] | None = None) -> ET.Element:
    """Append a child element with optional text and attributes; returns the child."""
    # SubElement copies the attributes itself (a dict is all it takes), so they are not copied
    # twice: exports make hundreds of thousands of elements.
    if attrib:
        el = _SubElement(parent, tag, attrib if type(attrib) is dict else dict(attrib))
    else:
        el = _SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


# The tag of a raw element (see raw): no XML name can hold a NUL.
_RAW = "\x00raw xml"


def raw(xml: str) -> ET.Element:
    """An element that :func:`tostring` writes as ``xml``, markup already serialised (a
    renderer's fast path for a whole item). The tree it goes into must be plain: local names,
    no comments (what every LMS renderer builds)."""
    el = ET.Element(_RAW)
    el.text = xml
    return el


def tostring(root: ET.Element) -> bytes:
    """A UTF-8 XML document with declaration.

    The bytes are those of ``ET.tostring(root, encoding="utf-8")``. Our trees hold only plain
    tag and attribute names (namespaces are ``xmlns`` attributes), so they are written by a
    direct walk that skips ET's namespace pass and its per-write encoder (a third of an
    export's serialising time); any other tree goes through ET itself.
    """
    parts: list[str] = []
    try:
        _serialize(root, parts.append)
    except _NotPlain:
        if any(el.tag is _RAW for el in root.iter()):
            raise TypeError("a tree with raw XML in it must have plain names only") from None
        body = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    else:
        # ET's encoder replaces what UTF-8 cannot hold (lone surrogates) by character references.
        body = "".join(parts).encode("utf-8", "xmlcharrefreplace")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


class _NotPlain(Exception):
    """A tree with a namespaced name, a comment or a processing instruction: ET writes it."""


def escape_text(text: str) -> str:
    # The same replacements, in the same order, as ElementTree's own text escaping.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_attribute(value: str) -> str:
    # ElementTree's attribute escaping: markup characters, the quote, and the whitespace that
    # attribute-value normalisation would otherwise turn into spaces.
    value = escape_text(value)
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    if "\n" in value:
        value = value.replace("\n", "&#10;")
    if "\t" in value:
        value = value.replace("\t", "&#09;")
    return value


def _serialize(el: ET.Element, write: Callable[[str], object]) -> None:
    tag = el.tag
    if tag is _RAW:
        write(el.text)  # type: ignore[arg-type]
        if el.tail:
            write(escape_text(el.tail))
        return
    if type(tag) is not str or tag[:1] == "{":
        raise _NotPlain
    start = "<" + tag
    for name, value in el.attrib.items():
        if type(name) is not str or name[:1] == "{":
            raise _NotPlain
        if "&" in value or "<" in value or ">" in value or '"' in value or "\n" in value or "\r" in value or "\t" in value:
            value = escape_attribute(value)
        start += f' {name}="{value}"'
    text = el.text
    if len(el):
        write(f"{start}>{escape_text(text)}" if text else start + ">")
        for child in el:
            _serialize(child, write)
        write(f"</{tag}>")
    elif text:
        write(f"{start}>{escape_text(text)}</{tag}>")
    else:
        write(start + " />")
    if el.tail:
        write(escape_text(el.tail))


def number(x: float) -> str:
    """A float as the shortest decimal that round-trips, never in a locale's format."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


# Markdown's HTML output leaves void elements open (<br>) and may emit HTML-only entities;
# XML needs <br/> and numeric references.
_VOID = re.compile(r"<(br|hr|img|col|input)(\s[^<>]*?)?\s*/?>")
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)([A-Za-z][A-Za-z0-9]*);")


def _entity(m: re.Match[str]) -> str:
    code = html.entities.name2codepoint.get(m.group(1))
    return f"&#{code};" if code is not None else f"&amp;{m.group(1)};"


# Attributes an XHTML fragment may keep in QTI bodies; presentational ones (style) are not
# in the QTI content model and are dropped.
_KEEP_ATTRS = frozenset({"href", "src", "alt", "width", "height", "colspan", "rowspan", "class", "id", "title"})


@lru_cache(maxsize=65536)
def _parsed(fragment_html: str) -> ET.Element:
    source = _ENTITY.sub(_entity, _VOID.sub(lambda m: f"<{m.group(1)}{m.group(2) or ''}/>", fragment_html))
    wrapper = ET.fromstring(f"<div>{source}</div>")
    for el in wrapper.iter():
        if el.attrib:
            for name in [a for a in el.attrib if a not in _KEEP_ATTRS]:
                del el.attrib[name]
        if el.tag == "img" and "alt" not in el.attrib:
            el.set("alt", "")
    return wrapper


def fragment(fragment_html: str) -> ET.Element:
    """Parse an HTML fragment from :func:`qbank.renderers._markup.to_html` into a ``<div>``
    wrapper whose text and children are the fragment, as XHTML elements (a fresh copy)."""
    # ElementTree elements are mutable; each document gets its own copy of a cached parse.
    # The C element's deep copy is ten times faster than rebuilding the tree in Python.
    return _parsed(fragment_html).__deepcopy__({})


def zip_bytes(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of (name, data) in the given order, with fixed dates and permissions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=ZIP_LEVEL)
    return buf.getvalue()


def rubric_markdown(spec: object) -> str:
    """The rubric and sample answer of an open response as Markdown, for grader-only notes."""
    rubric = spec.rubric  # type: ignore[attr-defined]
    total = rubric.total_weight
    lines = ["**Rubric**", ""]
    for c in rubric.criteria:
        required = " (required for full credit)" if c.id in rubric.required_for_full else ""
        lines.append(f"- **{c.id} {c.title}** ({c.weight / total:.0%}){required}: {c.description}".rstrip(": "))
    for cap in rubric.caps:
        lines.append(f"- Score capped at {cap.max_score:.0%} unless {' or '.join(cap.unless)} is met. {cap.reason}".rstrip())
    if getattr(spec, "min_words", 0):
        lines.append(f"- Expected length: at least {spec.min_words} words.")  # type: ignore[attr-defined]
    lines += ["", "**Sample answer**", "", spec.sample_answer]  # type: ignore[attr-defined]
    return "\n".join(lines)


def require_instructor(format_name: str, audience: str) -> None:
    """Refuse a student rendering: an LMS import file must carry the key.

    Raises:
        InputError: for ``audience="student"``.
    """
    if audience != "instructor":
        from ..errors import InputError

        raise InputError(f"format {format_name!r} is an LMS import and always carries the answer key; "
                         "it has no student version (use md or html for student papers)")


def absolute_tolerance(spec: object) -> tuple[float, float]:
    """(answer, absolute tolerance) for formats that take only an absolute tolerance.

    Relative tolerance becomes absolute at the key; "the larger of" takes the larger at the
    key; significant figures become the key rounded to that many figures, plus or minus
    half a unit in its last place.
    """
    tol, x = spec.tolerance, float(spec.answer)  # type: ignore[attr-defined]
    if tol.sigfig is not None:
        if x == 0:
            return 0.0, 0.0
        exponent = math.floor(math.log10(abs(x))) - tol.sigfig + 1
        rounded = float(f"{x:.{tol.sigfig - 1}e}")
        return rounded, float(f"{0.5 * 10.0 ** exponent:.12g}")
    candidates = [t for t in (tol.absolute, None if tol.relative is None else tol.relative * abs(x)) if t is not None]
    return x, float(f"{max(candidates):.12g}")
