"""Bank files written as block YAML, quickly: a small emitter for JSON-like data.

PyYAML's dumper builds a node graph in Python and takes about 1 ms per imported question,
most of an import. Bank data is only dicts with identifier keys, lists, strings, numbers,
booleans and None, so this writes it directly: a string stays plain when it cannot be read
as anything else, goes into a ``|-`` literal block when it spans lines, and is otherwise
double-quoted with JSON's escapes (valid YAML), non-printable characters escaped too. A
test checks that PyYAML's safe loader reads back exactly the data written, hostile strings
included.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

__all__ = ["dump_yaml"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9 _.,;()/'+-]*[A-Za-z0-9_.)']|[A-Za-z_]")
_RESERVED = frozenset("y n yes no on off true false null".split())
# Characters YAML does not allow raw, or reads as line breaks, in a double-quoted scalar.
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
_BLOCK_OK = re.compile("[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff\r]*")


def _quoted(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", out) if _UNPRINTABLE.search(out) else out


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("bank files hold finite numbers only")
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"  # PyYAML reads a float only with a dot
        return text
    s = str(value)
    if _PLAIN.fullmatch(s) and s.lower() not in _RESERVED and "  " not in s:
        return s
    return _quoted(s)


def _block_string(s: str, indent: str) -> str | None:
    if "\n" not in s or s[0] in " \t\n" or s[-1] in " \t\n" or not _BLOCK_OK.fullmatch(s):
        return None
    if any(line != line.rstrip(" \t") for line in s.split("\n")):
        return None
    return "|-\n" + "\n".join(f"{indent}{line}" if line else "" for line in s.split("\n"))


def _value(value: Any, indent: str, out: list[str], prefix: str) -> None:
    """Append ``prefix`` (``key:`` or ``-``) followed by ``value`` to ``out``."""
    if isinstance(value, dict):
        if not value:
            out.append(f"{prefix} {{}}")
            return
        if prefix.endswith("-"):
            first = True
            for k, v in value.items():
                _value(v, indent + "  ", out, (f"{prefix} {_scalar(k)}:" if first else f"{indent}  {_scalar(k)}:"))
                first = False
        else:
            out.append(prefix)
            for k, v in value.items():
                _value(v, indent + "  ", out, f"{indent}  {_scalar(k)}:")
        return
    if isinstance(value, (list, tuple)):
        if not value:
            out.append(f"{prefix} []")
            return
        out.append(prefix)
        for v in value:
            _value(v, indent + "  ", out, f"{indent}  -")
        return
    if type(value) is str:
        out.append(f"{prefix} {_string(value, indent)}")
        return
    out.append(f"{prefix} {_scalar(value)}")


@lru_cache(maxsize=65536)
def _string(value: str, indent: str) -> str:
    # Banks repeat their strings (feedback, option texts, tags) across many questions.
    block = _block_string(value, indent + "  ")
    return block if block is not None else _scalar(value)


def dump_yaml(data: dict[str, Any]) -> str:
    """``data`` (a dict of JSON-like values) as block YAML text."""
    out: list[str] = []
    for k, v in data.items():
        _value(v, "", out, f"{_scalar(k)}:")
    return "\n".join(out) + "\n"
