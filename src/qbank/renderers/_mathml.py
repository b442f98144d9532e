"""LaTeX to MathML at render time, so the HTML quiz typesets math with no script and no network.

latex2mathml builds an element tree but leaves raw ``<`` and ``&`` from ``\\text{...}`` in its
text nodes and serialises them unescaped; this module re-serialises the tree itself with
proper escaping, so TeX in a stem can never inject markup. A span that does not convert (a
syntax error, or a command latex2mathml does not know and would print as ``\\foo``) falls
back to its TeX source in a ``<code class="math-fallback">``; :func:`failure` says why, so
the renderer can warn, naming the item.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from xml.etree.ElementTree import Element

__all__ = ["FALLBACK_CLASS", "failure", "tex_to_mathml"]

FALLBACK_CLASS = "math-fallback"
_MATHML_TAG = re.compile(r"^(math|m[a-z]+|none|semantics|annotation)$")
_CHAR_REF = re.compile(r"&#(x[0-9A-Fa-f]+|[0-9]+);")


def _decode_refs(text: str) -> str:
    # latex2mathml writes symbols as numeric character references inside text nodes; turn
    # them into characters so that escaping below leaves one level of encoding only.
    return _CHAR_REF.sub(lambda m: chr(int(m[1][1:], 16) if m[1][0] == "x" else int(m[1])), text)


def _esc(text: str | None) -> str:
    return html.escape(_decode_refs(text), quote=False) if text else ""


def _serialise(el: Element, out: list[str]) -> None:
    if not _MATHML_TAG.match(el.tag):
        raise ValueError(f"unexpected element <{el.tag}> in the converted math")
    if el.tag in ("mi", "mo") and el.text and el.text.startswith("\\"):
        raise ValueError(f"unknown command {el.text}")
    attrs = "".join(f' {k}="{html.escape(_decode_refs(v), quote=True)}"' for k, v in el.attrib.items())
    out.append(f"<{el.tag}{attrs}>{_esc(el.text)}")
    for child in el:
        _serialise(child, out)
        out.append(_esc(child.tail))
    out.append(f"</{el.tag}>")


@lru_cache(maxsize=65536)
def _convert(tex: str, display: bool) -> tuple[str, str | None]:
    from latex2mathml.converter import convert_to_element

    try:
        root = convert_to_element(tex, display="block" if display else "inline")
        out: list[str] = []
        _serialise(root, out)
        mathml = "".join(out)
        # the TeX source as alternative text for tools that do not read MathML
        return mathml.replace("<math ", f'<math alttext="{html.escape(tex, quote=True)}" ', 1), None
    except Exception as exc:  # latex2mathml raises many unrelated types on bad TeX
        reason = str(exc) or type(exc).__name__
        source = f"$${tex}$$" if display else f"${tex}$"
        return f'<code class="{FALLBACK_CLASS}">{html.escape(source, quote=False)}</code>', reason


def tex_to_mathml(tex: str, display: bool) -> str:
    """TeX to a MathML ``<math>`` element, or to its source in a ``<code>`` when it fails."""
    return _convert(tex, display)[0]


def failure(tex: str, display: bool = False) -> str | None:
    """Why ``tex`` did not convert, or None when it did."""
    return _convert(tex, display)[1]
