"""Reading raw responses: one parser per item type, chosen through a registry.

``parse(spec, raw)`` works on an item or on a multipart part (anything with the answer-spec
fields). Every parser returns a Response or a :class:`FormatError` with a message that
says what was wrong and a hint with the expected form.

Syntax (letters are positions as displayed: A is the first option):

* single choice: ``B``, ``b``, ``(B)``, ``B.``, ``B)``, or the option's text exactly;
* multiple response: ``B,D``, ``B D``, ``B; D``, ``BD`` (up to 26 options); repeats count once;
* true/false: ``true``/``false``, ``t``/``f``, ``yes``/``no``;
* numeric: see :mod:`qbank.grader.numbers`;
* short text: any non-empty text, normalised by :mod:`qbank.grader.text`;
* ordering: every letter once, first to last: ``C A B``, ``C,A,B``, ``C > A > B``, ``CAB``;
* matching: ``1-b 2-a`` (also ``1:b``, ``1=b``, ``1->b``, ``1→b``, separated by spaces,
  commas or semicolons); every prompt once;
* open response: any non-empty text;
* multipart: one part per line, ``label: answer``, or ``label: answer; label: answer``;
  every part must be answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .numbers import parse_number
from .responses import (
    ChoiceResponse,
    EssayResponse,
    FormatError,
    MatchResponse,
    MultipartResponse,
    NumberResponse,
    OrderResponse,
    Response,
    TextResponse,
    TruthResponse,
)
from .text import normalise

__all__ = ["MAX_RESPONSE_CHARS", "PARSERS", "letter_position", "parse"]

Parser = Callable[[Any, str], "Response | FormatError"]
PARSERS: dict[str, Parser] = {}


def _parser(kind: str) -> Callable[[Parser], Parser]:
    def register(fn: Parser) -> Parser:
        PARSERS[kind] = fn
        return fn

    return register


# Far longer than any answer a quiz asks for: a pasted file or a runaway cell (10 MB) is
# reported at once rather than parsed for minutes, while a 1 MB answer is still graded (the
# rubric reads its beginning and flags it for review).
MAX_RESPONSE_CHARS = 2_000_000


def parse(spec: Any, raw: str) -> Response | FormatError:
    """The response ``raw`` to ``spec`` (an item or a part), or why it cannot be read."""
    if not isinstance(raw, str):
        return FormatError(f"Expected text, got {type(raw).__name__}.")
    if len(raw) > MAX_RESPONSE_CHARS:
        return FormatError(f"The answer is {len(raw):,} characters long; qbank reads answers of at most "
                           f"{MAX_RESPONSE_CHARS:,}.", "Check that the right column or file was given.")
    return PARSERS[spec.type](spec, raw)


def letter_position(token: str) -> int | None:
    """A=0, b=1, ..., Z=25, AA=26: the position a letter label stands for, or None."""
    token = token.strip().upper()
    if not token or not token.isascii() or not token.isalpha():
        return None
    n = 0
    for ch in token:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _labels(n: int) -> str:
    from ..questions import letter

    return f"{letter(0)}-{letter(n - 1)}"


_DECOR = re.compile(r"^\(?\s*([A-Za-z]{1,2})\s*[.)]?$")
_SEP = re.compile(r"[\s,;/&+>]+|\band\b", re.IGNORECASE)


def _one_letter(token: str, n: int, what: str) -> int | FormatError:
    m = _DECOR.match(token.strip())
    pos = letter_position(m[1]) if m else None
    if pos is None:
        return FormatError(f"{token.strip()!r} is not {what}.", f"Answer with a letter {_labels(n)}.")
    if pos >= n:
        return FormatError(f"There is no option {token.strip().upper()}.", f"The options are {_labels(n)}.")
    return pos


def _letters(raw: str, n: int) -> list[int] | FormatError:
    text = raw.strip()
    tokens = [t for t in _SEP.split(text) if t]
    if len(tokens) == 1 and n <= 26 and text.isascii() and text.isalpha() and len(text) > 1:
        tokens = list(text)  # "BD" means B and D when every label is one letter
    out = []
    for t in tokens:
        pos = _one_letter(t, n, "an option letter")
        if isinstance(pos, FormatError):
            return pos
        out.append(pos)
    return out


@_parser("single_choice")
def _single(spec: Any, raw: str) -> Response | FormatError:
    n = len(spec.options)
    if not raw.strip():
        return FormatError("The answer is empty.", f"Answer with one letter {_labels(n)}.")
    pos = _one_letter(raw, n, "an option letter")
    if isinstance(pos, FormatError):
        wanted = normalise(raw)
        for i, option in enumerate(spec.options):
            if normalise(option.text) == wanted:
                return ChoiceResponse((i,))
        several = _letters(raw, n)
        if not isinstance(several, FormatError) and len(set(several)) > 1:
            return FormatError("Only one option may be chosen.", f"Answer with one letter {_labels(n)}.")
        return pos
    return ChoiceResponse((pos,))


@_parser("multiple_response")
def _multiple(spec: Any, raw: str) -> Response | FormatError:
    n = len(spec.options)
    if not raw.strip():
        return FormatError("The answer is empty.", f"Choose one or more letters {_labels(n)}, e.g. B,D.")
    positions = _letters(raw, n)
    if isinstance(positions, FormatError):
        return positions
    return ChoiceResponse(tuple(sorted(set(positions))))


_TRUE = {"true", "t", "yes", "y", "1", "vrai", "wahr"}
_FALSE = {"false", "f", "no", "n", "0", "faux", "falsch"}


@_parser("true_false")
def _true_false(spec: Any, raw: str) -> Response | FormatError:
    word = normalise(raw).strip(" .!")
    if word in _TRUE:
        return TruthResponse(True)
    if word in _FALSE:
        return TruthResponse(False)
    if not word:
        return FormatError("The answer is empty.", "Answer true or false.")
    return FormatError(f"{raw.strip()!r} is neither true nor false.", "Answer true or false (or t / f).")


@_parser("numeric")
def _numeric(spec: Any, raw: str) -> Response | FormatError:
    value = parse_number(raw, unit=spec.unit)
    return value if isinstance(value, FormatError) else NumberResponse(value)


@_parser("short_text")
def _short_text(spec: Any, raw: str) -> Response | FormatError:
    text = normalise(raw, spec.case_sensitive)
    if not text:
        return FormatError("The answer is empty.", "Type your answer.")
    return TextResponse(text)


@_parser("ordering")
def _ordering(spec: Any, raw: str) -> Response | FormatError:
    n = len(spec.entries)
    hint = f"Give every letter {_labels(n)} once, first to last, e.g. " + " ".join(_labels(n).split("-")[::-1]) + "."
    if not raw.strip():
        return FormatError("The answer is empty.", hint)
    order = _letters(raw, n)
    if isinstance(order, FormatError):
        return FormatError(order.message, hint)
    from ..questions import letter

    repeated = sorted({p for p in order if order.count(p) > 1})
    missing = sorted(set(range(n)) - set(order))
    if repeated:
        return FormatError(f"{', '.join(letter(p) for p in repeated)} appears more than once.", hint)
    if missing:
        return FormatError(f"{', '.join(letter(p) for p in missing)} is missing from the order.", hint)
    return OrderResponse(tuple(order))


_PAIR = re.compile(r"(\d+)\s*(?:->|→|[-:=.)])?\s*([A-Za-z]{1,2})(?![A-Za-z])")


@_parser("matching")
def _matching(spec: Any, raw: str) -> Response | FormatError:
    n, k = len(spec.prompts), len(spec.choices)
    hint = f"Match every prompt 1-{n} to a letter a-{_labels(k)[-1].lower()}, e.g. 1-b 2-a."
    text = raw.strip()
    if not text:
        return FormatError("The answer is empty.", hint)
    pairs: dict[int, int] = {}
    pos = 0
    for m in _PAIR.finditer(text):
        between = text[pos:m.start()]
        if between.strip(" ,;\t\n"):
            return FormatError(f"{between.strip()!r} is not a pair like 1-b.", hint)
        pos = m.end()
        prompt, choice = int(m[1]) - 1, letter_position(m[2])
        if not 0 <= prompt < n:
            return FormatError(f"There is no prompt {m[1]}.", hint)
        if choice is None or choice >= k:
            return FormatError(f"There is no choice {m[2]}.", hint)
        if prompt in pairs:
            return FormatError(f"Prompt {m[1]} is matched twice.", hint)
        pairs[prompt] = choice
    if text[pos:].strip(" ,;\t\n"):
        return FormatError(f"{text[pos:].strip()!r} is not a pair like 1-b.", hint)
    missing = [str(i + 1) for i in range(n) if i not in pairs]
    if missing:
        return FormatError(f"Prompt {', '.join(missing)} is not matched.", hint)
    return MatchResponse(tuple(pairs[i] for i in range(n)))


@_parser("open_response")
def _open(spec: Any, raw: str) -> Response | FormatError:
    if not raw.strip():
        return FormatError("The answer is empty.", "Write your explanation in a few sentences.")
    return EssayResponse(raw.strip())


@_parser("multipart")
def _multipart(spec: Any, raw: str) -> Response | FormatError:
    labels = [p.label for p in spec.parts]
    hint = "Answer each part on its own line as 'label: answer' (or 'a: ...; b: ...'); the parts are " + ", ".join(labels) + "."
    # A part starts at the beginning, a newline or a ';' followed by a known label and ':'.
    # Anchoring on known labels keeps ';' and ':' inside an answer (1-b; 2-a) intact.
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    starts = list(re.finditer(rf"(?:^|[\n;])\s*({alternatives})\s*:", raw, re.IGNORECASE))
    if not raw.strip():
        return FormatError("The answer is empty.", hint)
    if not starts or raw[: starts[0].start()].strip(" ;\n\t"):
        return FormatError("Each part's answer must start with its label.", hint)
    by_label = {label.casefold(): label for label in labels}
    answers: dict[str, str] = {}
    for m, nxt in zip(starts, [*starts[1:], None]):
        label = by_label[m[1].casefold()]
        if label in answers:
            return FormatError(f"Part {label} is answered twice.", hint)
        answers[label] = raw[m.end(): nxt.start() if nxt else len(raw)].strip()
    missing = [label for label in labels if not answers.get(label)]
    if missing:
        return FormatError(f"Part {', '.join(missing)} is not answered.", hint)
    parsed: dict[str, Response] = {}
    for part in spec.parts:
        result = parse(part, answers[part.label])
        if isinstance(result, FormatError):
            return FormatError(f"Part {part.label}: {result.message}", result.hint)
        parsed[part.label] = result
    return MultipartResponse(parsed)
