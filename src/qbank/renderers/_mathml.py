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

__all__ = ["FALLBACK_CLASS", "NOWRAP_CLASS", "failure", "html_with_math", "keep_punctuation", "tex_to_mathml"]

FALLBACK_CLASS = "math-fallback"
NOWRAP_CLASS = "math-nowrap"
_MATHML_TAG = re.compile(r"^(math|m[a-z]+|none|semantics|annotation)$")
_CHAR_REF = re.compile(r"&#(x[0-9A-Fa-f]+|[0-9]+);")


def _decode_refs(text: str) -> str:
    # latex2mathml writes symbols as numeric character references inside text nodes; turn
    # them into characters so that escaping below leaves one level of encoding only.
    return _CHAR_REF.sub(lambda m: chr(int(m[1][1:], 16) if m[1][0] == "x" else int(m[1])), text)


def _esc(text: str | None) -> str:
    return html.escape(_decode_refs(text), quote=False) if text else ""


# Named functions that TeX sets upright with a thin space before an argument that is not
# bracketed (``\\ln 0.37`` reads "ln 0.37", ``\\ln(x)`` keeps no space).
_FUNCTIONS = {"ln", "log", "exp", "max", "min", "sin", "cos", "tan", "arg", "det", "lim", "sup", "inf", "Pr"}
_OPENERS = {"(", "[", "{", "|", "\u2016", "\u27e8"}
# Elements whose children are read left to right (in a script, the base and script are not).
_ROWS = {"math", "mrow", "mstyle", "mtd", "mpadded", "mphantom", "menclose"}
# A word written in math (a token such as p(Paris), a label such as pi_{ref}): a run of
# three or more letters, or a capitalised or all-capital pair (Je, KL); a lower-case pair
# such as dL or sP is a product or a differential and stays as single variables.
_WORD = re.compile(r"[A-Za-z]{3,}|[A-Z][A-Za-z]")


def _is_function(el: Element) -> bool:
    if el.tag == "mi":
        return el.text in _FUNCTIONS
    return el.tag in ("msub", "msup", "msubsup") and len(el) > 0 and _is_function(el[0])


def _letter(el: Element) -> bool:
    return (el.tag == "mi" and not el.attrib and len(el) == 0 and not (el.tail or "").strip()
            and el.text is not None and len(el.text) == 1 and el.text.isascii() and el.text.isalpha())


def _tidy(el: Element) -> None:
    """Set words upright as one identifier and space named functions from their argument."""
    children = list(el)
    rebuilt: list[Element] = []
    i = 0
    while i < len(children):
        j = i
        while j < len(children) and _letter(children[j]):
            j += 1
        word = "".join(c.text or "" for c in children[i:j])
        if j - i >= 2 and _WORD.fullmatch(word):
            merged = Element("mi")
            merged.text = word
            merged.tail = children[j - 1].tail
            rebuilt.append(merged)
            i = j
            continue
        child = children[i]
        _tidy(child)
        rebuilt.append(child)
        nxt = children[i + 1] if i + 1 < len(children) else None
        if (el.tag in _ROWS and _is_function(child) and nxt is not None
                and not (nxt.tag == "mo" and _decode_refs(nxt.text or "") in _OPENERS)):
            space = Element("mspace", {"width": "0.1667em"})
            space.tail, child.tail = child.tail, None
            rebuilt.append(space)
        i += 1
    if rebuilt != children:
        for c in children:
            el.remove(c)
        el.extend(rebuilt)


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
        _tidy(root)
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


_MATH_THEN_PUNCTUATION = re.compile(r"(<math\b.*?</math>)([.,;:!?)\]]+)", re.DOTALL)


def keep_punctuation(fragment: str) -> str:
    """Bind punctuation right after a formula to it, so a line never starts with the comma.

    ``alttext`` holds the TeX escaped, so ``</math>`` only ever closes an element.
    """
    return _MATH_THEN_PUNCTUATION.sub(rf'<span class="{NOWRAP_CLASS}">\1\2</span>', fragment)


def html_with_math(text: str, inline: bool = False) -> str:
    """Markdown with TeX math as an HTML fragment with MathML, for the HTML pages."""
    from ._markup import to_html

    return keep_punctuation(to_html(text, math=tex_to_mathml, inline=inline))
