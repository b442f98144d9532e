"""TeX math to typst math, for the PDF papers.

The bank writes math as TeX (``$...$``, ``$$...$$``). typst has its own math syntax, so each
span is parsed here (a small recursive reader of the TeX the bank uses: commands with brace
arguments, ``_``/``^`` scripts, groups, ``\\left``/``\\right``) and written out as typst.
Every letter is written as its own variable (``KL`` in TeX is K times L; in typst it would be
one unknown name), every punctuation character is escaped (``/`` would make a fraction, ``->``
an arrow, ``#`` code), and text arguments become typst strings, so TeX from a bank can never
reach typst as code.

A span with a command this module does not know, or unbalanced braces, raises
:class:`TexError`; the renderer then prints the span's TeX source as text and warns, naming
the item (as the HTML renderer does for MathML).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["TexError", "tex_to_typst", "typst_string"]


class TexError(ValueError):
    """A TeX span outside the subset this converter reads."""


# TeX symbol commands -> typst symbol names.
SYMBOLS: dict[str, str] = {
    # Greek (TeX's \epsilon and \phi are the lunate/straight forms, typst's .alt)
    **{g: g for g in (
        "alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon chi psi omega "
        "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()},
    "epsilon": "epsilon.alt", "varepsilon": "epsilon", "phi": "phi.alt", "varphi": "phi",
    "vartheta": "theta.alt", "varpi": "pi.alt", "varrho": "rho.alt", "varsigma": "sigma.alt",
    # relations and operators
    "to": "arrow.r", "rightarrow": "arrow.r", "leftarrow": "arrow.l", "Rightarrow": "arrow.r.double",
    "Leftarrow": "arrow.l.double", "leftrightarrow": "arrow.l.r", "Leftrightarrow": "arrow.l.r.double",
    "mapsto": "arrow.r.bar", "gets": "arrow.l", "implies": "arrow.r.double.long", "iff": "arrow.l.r.double.long",
    "mid": "divides", "succ": "succ", "prec": "prec", "succeq": "succ.eq", "preceq": "prec.eq",
    "ne": "eq.not", "neq": "eq.not", "le": "lt.eq", "leq": "lt.eq", "ge": "gt.eq", "geq": "gt.eq",
    "ll": "lt.double", "gg": "gt.double", "approx": "approx", "sim": "tilde.op", "simeq": "tilde.eq",
    "equiv": "equiv", "propto": "prop", "in": "in", "notin": "in.not", "subset": "subset", "subseteq": "subset.eq",
    "cdot": "dot.op", "times": "times", "div": "div", "pm": "plus.minus", "mp": "minus.plus", "ast": "ast.op",
    "circ": "compose", "oplus": "plus.circle", "otimes": "times.circle", "cup": "union", "cap": "sect",
    "land": "and", "lor": "or", "wedge": "and", "vee": "or", "neg": "not", "lnot": "not",
    "forall": "forall", "exists": "exists", "infty": "infinity", "partial": "partial", "nabla": "nabla",
    "ell": "ell", "emptyset": "emptyset", "varnothing": "emptyset", "dots": "dots.h", "ldots": "dots.h",
    "cdots": "dots.c", "vdots": "dots.v", "ddots": "dots.down", "prime": "prime",
    "Vert": "bar.v.double", "|": "bar.v.double", "vert": "bar.v", "langle": "angle.l", "rangle": "angle.r",
    "lfloor": "floor.l", "rfloor": "floor.r", "lceil": "ceil.l", "rceil": "ceil.r",
    "sum": "sum", "prod": "product", "int": "integral", "coprod": "product.co",
    # spacing
    ",": "thin", ":": "med", ">": "med", ";": "thick", "quad": "quad", "qquad": "wide", " ": "space",
    "!": "", "{": "{", "}": "}", "%": "%", "$": "\\$", "#": "\\#", "&": "\\&", "_": "\\_",
}
# Upright operator names: TeX \ln -> typst ln (typst knows these as operators)
OPERATORS = frozenset("ln log exp min max sup inf lim sin cos tan arg det dim gcd ker Pr deg hom mod".split())
# Commands with one argument -> typst function
ONE_ARG = {
    "hat": "hat", "widehat": "hat", "bar": "macron", "overline": "overline", "underline": "underline",
    "tilde": "tilde", "widetilde": "tilde", "vec": "arrow", "dot": "dot", "ddot": "dot.double",
    "sqrt": "sqrt", "mathbf": "bold", "boldsymbol": "bold", "bm": "bold", "mathbb": "bb", "mathcal": "cal",
    "mathit": "italic", "mathsf": "sans", "mathtt": "mono",
}
TEXT_ARG = {"text", "textrm", "textit", "textbf", "mathrm", "operatorname", "mbox"}
TWO_ARG = {"frac", "tfrac", "dfrac", "binom", "tbinom", "dbinom"}
DELIMS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", ".": "", "\\{": "{", "\\}": "}", "\\|": "bar.v.double",
          "\\langle": "angle.l", "\\rangle": "angle.r", "\\vert": "|", "\\Vert": "bar.v.double"}

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|(\s+)|(.)", re.DOTALL)


def typst_string(text: str) -> str:
    """A typst string literal holding ``text`` exactly."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _tokens(tex: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(tex):
        if m.group(1) is not None:
            out.append(("cmd", m.group(1)))
        elif m.group(2) is not None:
            out.append(("num", m.group(2)))
        elif m.group(3) is not None:
            out.append(("space", " "))
        else:
            out.append(("char", m.group(4)))
    return out


class _Reader:
    def __init__(self, tex: str):
        self.toks = _tokens(tex)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        while self.pos < len(self.toks) and self.toks[self.pos][0] == "space":
            self.pos += 1
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def next(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise TexError("unexpected end of math")
        self.pos += 1
        return tok

    def raw_group(self) -> str:
        """The source text of a ``{...}`` argument (for ``\\text``), braces balanced."""
        tok = self.next()
        if tok != ("char", "{"):
            return tok[1] if tok[0] != "cmd" else "\\" + tok[1]
        depth, out = 1, []
        while self.pos < len(self.toks):
            kind, value = self.toks[self.pos]
            self.pos += 1
            if (kind, value) == ("char", "{"):
                depth += 1
            elif (kind, value) == ("char", "}"):
                depth -= 1
                if depth == 0:
                    return "".join(out)
            out.append("\\" + value if kind == "cmd" else value)
        raise TexError("unbalanced braces")

    def expression(self, stop: str | None = None) -> str:
        """Atoms (with their scripts) up to ``stop`` (``}``, or the end of the span)."""
        parts: list[str] = []
        while True:
            tok = self.peek()
            if tok is None:
                if stop is not None:
                    raise TexError("unbalanced braces")
                break
            if tok == ("char", "}"):
                if stop != "}":
                    raise TexError("unbalanced braces")
                self.pos += 1
                break
            if tok == ("cmd", "right"):
                if stop != "right":
                    raise TexError("\\right without \\left")
                break
            if tok[0] == "char" and tok[1] in "_^":
                self.pos += 1
                script = self.argument()
                base = parts.pop() if parts else '""'
                parts.append(f"{base}{tok[1]}({script})")
                continue
            if tok == ("char", "'"):
                self.pos += 1
                base = parts.pop() if parts else '""'
                parts.append(f"{base}'")
                continue
            parts.append(self.atom())
        return " ".join(p for p in parts if p)

    def argument(self) -> str:
        """One argument: a ``{group}`` or a single token."""
        tok = self.peek()
        if tok == ("char", "{"):
            self.pos += 1
            return self.expression("}")
        if tok is not None and tok[0] == "num":
            # TeX takes one digit as a script: x^23 is x squared times 3.
            self.pos += 1
            first, rest = tok[1][0], tok[1][1:]
            if rest:
                self.toks.insert(self.pos, ("num", rest))
            return first
        return self.atom()

    def atom(self) -> str:
        kind, value = self.next()
        if kind == "num":
            return value
        if kind == "char":
            if value == "{":
                return self.expression("}")  # TeX braces group invisibly
            if value.isalpha():
                return value if value.isascii() else typst_string(value)
            if value == "~":
                return "space"
            if value == "&" or value == "\\":
                raise TexError(f"{value!r} outside an environment")
            return _escape_char(value)
        return self.command(value)

    def command(self, name: str) -> str:
        if name in OPERATORS:
            return name
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in TEXT_ARG:
            text = self.raw_group()
            if "\\" in text or "$" in text:
                raise TexError(f"\\{name} with commands or math inside")
            quoted = typst_string(text.replace("~", " "))
            if name.startswith("text") or name == "mbox":
                return quoted
            if name == "operatorname":
                return f"op({quoted})"
            # Upright letters, not a string: a string in typst math gets text spacing around it.
            return f"upright({' '.join(text)})" if text.isascii() and text.isalpha() else f"upright({quoted})"
        if name in ONE_ARG:
            return f"{ONE_ARG[name]}({_arg(self.argument())})"
        if name in TWO_ARG:
            a, b = self.argument(), self.argument()
            return f"({a})/({b})" if "frac" in name else f"binom({_arg(a)}, {_arg(b)})"
        if name == "left":
            opening = self._delim()
            inner = self.expression("right")
            self.next()  # \right
            closing = self._delim()
            return f"lr({_arg(f'{opening} {inner} {closing}')})" if opening or closing else inner
        if name in ("big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr"):
            return self._delim()
        raise TexError(f"unknown command \\{name}")

    def _delim(self) -> str:
        kind, value = self.next()
        key = "\\" + value if kind == "cmd" else value
        if key not in DELIMS:
            raise TexError(f"not a delimiter: {key}")
        mapped = DELIMS[key]
        return _escape_char(mapped) if len(mapped) == 1 else mapped


def _arg(text: str) -> str:
    """Math as one argument of a typst function: top-level commas escaped (they would start a
    second argument; those inside a nested call's parentheses belong to it), never empty."""
    if not text:
        return '""'
    out, depth, i = [], 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\":  # an escape: the next character is literal
            out.append(text[i:i + 2])
            i += 2
            continue
        if char == '"':  # a string: copy it whole
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i:end + 1])
            i = end + 1
            continue
        depth += (char == "(") - (char == ")")
        out.append("\\," if char == "," and depth == 0 else char)
        i += 1
    return "".join(out)


# Characters that mean the same in typst math as in TeX. Atoms are written space-separated,
# so two of them never form a typst shorthand (``->``, ``<=``, ``||``); every other ASCII
# character is escaped (``(`` would group a script, ``/`` make a fraction, ``#`` start code).
_PLAIN = frozenset("+-=<>!|,.:*")


def _escape_char(char: str) -> str:
    if char.isalnum() or char in _PLAIN:
        return char
    return "\\" + char if char.isascii() and not char.isspace() else typst_string(char)


@lru_cache(maxsize=65536)
def tex_to_typst(tex: str) -> str:
    """TeX math (the inside of ``$...$``) as typst math (the inside of typst's ``$...$``).

    Raises:
        TexError: a command or construct outside the supported subset, with what it was.
    """
    out = _Reader(tex).expression()
    return out
