"""Items in the terminal: Markdown through rich, LaTeX turned into readable Unicode text.

A terminal cannot typeset math, so :func:`tex_to_text` rewrites the LaTeX the bank uses
(``\\ln``, Greek letters, ``\\partial``, ``\\frac{a}{b}``, sub- and superscripts,
``\\text{...}``) as plain Unicode: ``-\\ln p_{\\text{gold}}`` reads ``−ln p_gold``. Anything
it does not know is left as written, which is still readable TeX.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["answer_help", "item_markdown", "render_item", "tex_to_text", "text_for_terminal"]

_SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # operators and relations
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "infty": "∞", "cdot": "·",
    "times": "×", "div": "÷", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "propto": "∝", "equiv": "≡", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "mapsto": "↦", "in": "∈", "notin": "∉",
    "ldots": "…", "cdots": "⋯", "dots": "…", "mid": "|", "lvert": "|", "rvert": "|", "lVert": "‖",
    "rVert": "‖", "langle": "⟨", "rangle": "⟩", "top": "⊤", "star": "⋆", "circ": "∘", "forall": "∀",
    "exists": "∃", "{": "{", "}": "}", "%": "%", "$": "$", "_": "_", "#": "#", "&": "&",
}
_LETTERS = {name for name, char in _SYMBOLS.items() if char.isalpha()} | {"partial", "nabla"}
# Named functions print as their name.
_FUNCTIONS = {"ln", "log", "exp", "sin", "cos", "tan", "max", "min", "arg", "argmax", "argmin", "softmax",
              "sigmoid", "det", "lim", "sup", "inf", "Pr", "KL"}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", "quad": "  ", "qquad": "    ", " ": " "}
# Commands whose one argument is shown as plain text.
_TEXT_COMMANDS = {"text", "mathrm", "textrm", "mathit", "mathbf", "textbf", "mathsf", "mathtt", "operatorname",
                  "boldsymbol", "mathcal", "mathbb", "textit", "bm", "hat", "tilde", "bar", "overline", "vec"}
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "limits", "nolimits"}

_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ"))
_SUP["−"] = "⁻"
_SUB["−"] = "₋"

_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def _group(tex: str, pos: int) -> tuple[str, int]:
    """The argument starting at ``pos`` (a braced group or one token) and the position after it."""
    while pos < len(tex) and tex[pos] == " ":
        pos += 1
    if pos >= len(tex):
        return "", pos
    if tex[pos] == "{":
        depth = 0
        for end in range(pos, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[end], 0)
            if depth == 0:
                return tex[pos + 1 : end], end + 1
        return tex[pos + 1 :], len(tex)
    if tex[pos] == "\\":
        m = _COMMAND.match(tex, pos)
        if m:
            return m.group(0), m.end()
    return tex[pos], pos + 1


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    plain = len(text) == 1 or (mark == "_" and text.isalnum())
    return f"{mark}{text}" if plain else f"{mark}({text})"


def _atom(text: str) -> str:
    """Parenthesise a fraction's part unless it is a single symbol or number."""
    return text if re.fullmatch(r"[\w.·′]+|\(.*\)", text) else f"({text})"


def _juxtaposed(tex: str, pos: int) -> bool:
    """Is what follows ``pos`` (after spaces) a symbol multiplied on, rather than an operator?"""
    rest = tex[pos:].lstrip(" ")
    if not rest or rest[0] in "=+-<>,;|)":
        return False
    m = _COMMAND.match(rest)
    return m is None or m.group(1) in _LETTERS or m.group(1) in _TEXT_COMMANDS or m.group(1) == "frac"


def tex_to_text(tex: str) -> str:
    """LaTeX math as readable Unicode text (for terminals and plain-text output)."""
    out: list[str] = []
    pos = 0
    while pos < len(tex):
        ch = tex[pos]
        if ch == "\\":
            m = _COMMAND.match(tex, pos)
            if m is None:  # a lone backslash at the end, or before a newline
                out.append(ch)
                pos += 1
                continue
            name, pos = m.group(1), m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, pos = _group(tex, pos)
                den, pos = _group(tex, pos)
                out.append(f"{_atom(tex_to_text(num))}/{_atom(tex_to_text(den))}")
            elif name == "sqrt":
                arg, pos = _group(tex, pos)
                out.append(f"√{_atom(tex_to_text(arg))}")
            elif name in _TEXT_COMMANDS:
                arg, pos = _group(tex, pos)
                out.append(tex_to_text(arg))
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
                if name in _LETTERS and _juxtaposed(tex, pos):
                    # TeX swallows the space after a control word: "\\partial L" is ∂L.
                    while pos < len(tex) and tex[pos] == " ":
                        pos += 1
            elif name in _FUNCTIONS:
                out.append(name)
            elif name in _SPACES:
                out.append(_SPACES[name])
            elif name in _DROP:
                pass
            else:
                out.append(m.group(0))
        elif ch in "_^":
            arg, pos = _group(tex, pos + 1)
            text = tex_to_text(arg).strip()
            out.append(_script(text, _SUB if ch == "_" else _SUP, ch))
        elif ch in "{}":
            pos += 1
        elif ch == "-":
            out.append("−")
            pos += 1
        elif ch == "~":
            out.append(" ")
            pos += 1
        else:
            out.append(ch)
            pos += 1
    return "".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def text_for_terminal(text: str) -> str:
    """Markdown with ``$...$`` math: the math rewritten by :func:`tex_to_text`, escaped for Markdown."""
    from ..renderers._markup import split_math

    parts = []
    for kind, value in split_math(text):
        if kind in ("inline", "display"):
            shown = _MD_SPECIAL.sub(r"\\\1", tex_to_text(value))
            parts.append(f"\n\n    {tex_to_text(value)}\n\n" if kind == "display" else shown)
        else:
            parts.append(value)
    return "".join(parts)


def answer_help(spec: Any) -> str:
    """How to type an answer to this item (or part) in the terminal."""
    kind = spec.type
    if kind == "single_choice":
        return f"one letter, A–{_last(len(spec.options))}"
    if kind == "multiple_response":
        return "every letter that applies, e.g. A,C"
    if kind == "true_false":
        return "T or F"
    if kind == "numeric":
        unit = f" in {spec.unit}" if spec.unit else ""
        return f"a number{unit}, e.g. 0.25, 1/4 or 25%"
    if kind == "short_text":
        return "a word or short phrase"
    if kind == "ordering":
        return "the letters in order, e.g. " + " ".join(_last(i + 1) for i in reversed(range(len(spec.entries))))
    if kind == "matching":
        return "pairs such as " + " ".join(f"{i + 1}-{_last(i + 1).lower()}" for i in range(min(2, len(spec.prompts))))
    if kind == "open_response":
        return "a paragraph; finish with an empty line"
    if kind == "multipart":
        return "each part as label: answer, separated by ';', e.g. " + "; ".join(f"{p.label}: …" for p in spec.parts)
    return "your answer"


def _last(count: int) -> str:
    from ..questions import letter

    return letter(count - 1)


def item_markdown(item: Any, number: int | None = None, total: int | None = None) -> str:
    """The student's view of an item as Markdown for rich (no key), math made readable."""
    from ..renderers.markdown import BODY, asks_select_all

    lines = [text_for_terminal(item.stem), ""]
    if asks_select_all(item):
        lines += ["*Select all that apply.*", ""]
    lines += [text_for_terminal(line) for line in BODY[item.type](item, False)]
    return "\n".join(lines).rstrip() + "\n"


def render_item(console: Any, item: Any, number: int, total: int) -> None:
    """Print one item in a panel: title, topic, stem, options and how to answer.

    ``item`` is a full item or its :class:`~qbank.student.practice_item.PracticeItem`.
    """
    from rich.panel import Panel

    from .layout import CachedMarkdown
    from .practice_item import PracticeItem

    shown = item if isinstance(item, PracticeItem) else PracticeItem.of(item)
    title = f"[bold]{number}/{total}  {shown.title}[/bold]"
    subtitle = f"{', '.join(shown.topics)} · {shown.bloom} · {shown.id}"
    console.print(Panel(CachedMarkdown(shown.markdown, shown.layouts), title=title, subtitle=subtitle, title_align="left",
                        subtitle_align="right", expand=True))
    console.print(
        f"[dim]Answer with {shown.answer_help}.  ? hint · s skip · q quit[/dim]", highlight=False,
    )
