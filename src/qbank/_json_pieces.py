"""Reading one big JSON document a piece at a time.

A manifest of 100,000 students is a 1 GB JSON file: read whole, its text, its bytes and its
parsed objects took several GB at once, though grading keeps only a slim record of each
student. :func:`read_object_pieces` reads the file a block at a time and hands over the
elements of its one big array as they are parsed, so that the caller keeps what it needs
and the rest is dropped straight away.

It parses with the standard library's own decoder, value by value, so every value is the
one ``json.loads`` gives. Anything it is not sure of (not a JSON object, a repeated key,
text after the end, a ``\\uD8xx`` escape that may be a lone surrogate, bytes that are not
UTF-8, a syntax error) makes it give up and return None: the caller then reads the file the
usual way, which gives the usual result or the usual error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ._files import _SURROGATE_ESCAPE

__all__ = ["read_object_pieces"]

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as the json module matches it
_decode = json.JSONDecoder().raw_decode
BLOCK = 1 << 22  # characters read at a time


class _Refused(Exception):
    """The document is not one this reader is sure to read as ``json.loads`` would."""


class _Reader:
    def __init__(self, f: IO[str]):
        self.f, self.buf, self.i = f, "", 0

    def _more(self) -> bool:
        block = self.f.read(BLOCK)
        if not block:
            return False
        self.buf = self.buf[self.i:] + block  # what is parsed already is let go
        self.i = 0
        return True

    def char(self) -> str:
        """The next character that is not whitespace (not taken; '' at the end of the file)."""
        while True:
            self.i = _SPACE.match(self.buf, self.i).end()  # type: ignore[union-attr]
            if self.i < len(self.buf) or not self._more():
                return self.buf[self.i:self.i + 1]

    def take(self, c: str) -> None:
        if self.char() != c:
            raise _Refused
        self.i += 1

    def value(self) -> Any:
        self.char()
        while True:
            try:
                value, end = _decode(self.buf, self.i)
            except json.JSONDecodeError:
                if self._more():
                    continue  # cut off at the end of the block
                raise _Refused from None
            except RecursionError:
                raise _Refused from None
            if len(self.buf) - end < 64 and self._more():
                continue  # a number cut at the end of the block ("12" of "12.5e3") would parse short
            if _SURROGATE_ESCAPE.search(self.buf, self.i, end):
                raise _Refused  # the usual read says whether it is a lone surrogate
            self.i = end
            return value


def read_object_pieces(path: str | Path, key: str, each: Callable[[Any], bool]) -> dict[str, Any] | None:
    """The JSON object in the file at ``path`` without its member ``key``, an array whose
    elements are passed to ``each`` one by one, in order, as they are parsed (and not kept).

    None if the file is not such an object as ``json.loads`` would read it (see the module's
    note), or if ``each`` returns False for an element.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return _object(_Reader(f), key, each)
    except (_Refused, UnicodeDecodeError, OSError):
        return None


def _object(r: _Reader, key: str, each: Callable[[Any], bool]) -> dict[str, Any]:
    r.take("{")
    head: dict[str, Any] = {}
    seen = False
    if r.char() == "}":
        r.i += 1
    else:
        while True:
            if r.char() != '"':
                raise _Refused
            name = r.value()
            r.take(":")
            if name in head or (name == key and seen):
                raise _Refused  # json.loads keeps the last of a repeated key
            if name == key:
                r.take("[")
                seen = True
                _elements(r, each)
            else:
                head[name] = r.value()
            c = r.char()
            r.i += 1
            if c == "}":
                break
            if c != ",":
                raise _Refused
    if r.char() != "":
        raise _Refused  # text after the document
    return head


def _elements(r: _Reader, each: Callable[[Any], bool]) -> None:
    if r.char() == "]":
        r.i += 1
        return
    while True:
        if not each(r.value()):
            raise _Refused
        c = r.char()
        r.i += 1
        if c == "]":
            return
        if c != ",":
            raise _Refused
