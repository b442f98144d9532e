"""Hardened XML parsing for every importer: lxml with entities, network and huge trees off.

``resolve_entities=False`` leaves entity references unexpanded (no external entity is ever
fetched, no internal entity grows into a "billion laughs"), ``no_network`` forbids fetching
a DTD or schema, ``huge_tree=False`` keeps libxml2's size limits, and a document whose DTD
declares entities is refused outright. Errors name the file and the line.
"""

from __future__ import annotations

from typing import Any

from ..errors import BankError, Problem

__all__ = ["local", "parse_xml", "text_of"]


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def parse_xml(data: bytes, file: str) -> Any:
    """The root element of an XML document.

    Raises:
        BankError: ``file:line: not well-formed XML (...)``, or a DTD with entity declarations.
    """
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        msg = exc.msg or str(exc)
        if "encoding" in msg.lower() or "utf-8" in msg.lower() or "Char 0x" in msg:
            msg = f"wrong encoding: {msg} (qbank reads XML as declared, UTF-8 by default)"
        else:
            msg = f"not well-formed XML: {msg}"
        raise BankError([Problem(file, msg, line=exc.lineno or None)]) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise BankError([Problem(file, "the document declares XML entities in its DTD; qbank refuses them "
                                 "(they can expand without bound or read other files)", line=1)])
    for el in root.iter(etree.Entity):
        raise BankError([Problem(file, f"undefined or unexpanded entity {el.text}", line=el.sourceline)])
    return root


def local(tag: Any) -> str:
    """An element's name without its namespace."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def text_of(el: Any) -> str:
    """All the text inside an element (its descendants' text too)."""
    return "".join(el.itertext()) if el is not None else ""
