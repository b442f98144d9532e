"""Reading user files and writing outputs: the I/O edge shared by every command.

* :func:`read_yaml` parses with PyYAML's safe loader (libyaml's when installed) and can
  tell the line of every node, so that a validation error can name ``file:line``.
* :func:`validate_data` turns pydantic's errors into :class:`~qbank.errors.Problem` lines a
  person can act on: ``bank/mle.yaml:14: templates[2].params.probs.alpha: must be positive``.
* :func:`atomic_write` writes to a temporary file and renames it, so a failed run never
  leaves half a file behind.
* :func:`csv_text` is the one way qbank turns rows into CSV text, so every CSV it writes
  follows the same rules.
"""

from __future__ import annotations

import csv
import io
import json
import json.encoder
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import BankError, InputError, Problem

__all__ = [
    "atomic_write", "csv_text", "decode_text", "json_text", "load_yaml_model", "parse_yaml", "read_bytes", "read_json", "read_text",
    "read_yaml", "validate_data", "yaml_lines",
]

M = TypeVar("M", bound=BaseModel)
Lines = Mapping[tuple[Any, ...], int]


def read_text(path: str | Path, *, what: str = "file", hint: str = "") -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped, as spreadsheets write one).

    Raises:
        InputError: naming the file when it is missing, unreadable or not UTF-8; ``what``
            names the kind of file and ``hint`` is appended to the encoding error.
    """
    return decode_text(read_bytes(path, what=what), path, hint=hint)


def read_bytes(path: str | Path, *, what: str = "file") -> bytes:
    """The bytes of a file; errors as :func:`read_text`'s."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


def decode_text(raw: bytes, path: str | Path, *, hint: str = "") -> str:
    """UTF-8 bytes read from ``path`` as text (see :func:`read_text`)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}){hint}") from None


def read_json(path: str | Path, *, what: str) -> Any:
    """Parse a JSON file; errors name the file, the line and ``what`` was expected."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not {what} (invalid JSON: {exc.msg})") from None


def read_yaml(path: str | Path) -> tuple[Any, Lines]:
    """Parse a YAML file safely; return the data and a map from node path to 1-based line.

    The data comes from libyaml's safe loader when PyYAML has it (about 15 times faster than
    the pure-Python one); the map of lines is built only when something asks for a line,
    that is when there is an error to locate, by parsing the text again with the
    pure-Python loader, which keeps the node graph. A syntax error is reported by that
    loader too, so its message and line are the same with or without libyaml.
    """
    path = Path(path)
    text = read_text(path)
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """:func:`read_yaml` for text already read; ``file`` names it in errors."""
    import yaml

    data = _rust_load(text)
    if data is not _UNSURE:
        return data, _LazyLines(text)
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            data = yaml.load(text, Loader=fast)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass  # let the pure-Python loader say where, exactly as without libyaml
        else:
            return data, _LazyLines(text)
    data, node = _compose(text, file)
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, lines


_UNSURE = object()

# Text where YAML 1.2 (yaml-rs) and PyYAML's YAML 1.1 may read a scalar differently: tags,
# exponents (1e3 is a number in 1.2, a string in PyYAML), leading zeros (0777 is octal in
# 1.1), more than one document. Written as cheap searches: this runs on every parse.
_TAG = re.compile(r"(?:^|[\s\[{,])!", re.MULTILINE)
_EXPONENT = re.compile(r"[0-9.][eE][-+]?[0-9]")
_LEADING_ZERO = re.compile(r"0[0-9oO]")


def _risky(text: str) -> bool:
    if "!" in text and _TAG.search(text):
        return True
    if _EXPONENT.search(text) or text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
        return True
    for m in _LEADING_ZERO.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        if before in "+-":
            before = text[m.start() - 2] if m.start() > 1 else " "
        if not (before.isalnum() or before in "_."):
            return True
    return False


def _rust_load(text: str) -> Any:
    """The data as PyYAML's safe loader reads it, from yaml-rs (about 20 times faster than
    libyaml through PyYAML), or ``_UNSURE`` when yaml-rs is not installed, fails, or the
    text has anything the two could read differently: then PyYAML reads it.

    Beyond :func:`_risky`, every string in the result (keys too) is checked against
    PyYAML's own implicit resolvers: a string PyYAML would have read as a bool, a number,
    a date, null or a merge key (``yes``, ``1:20``, ``2024-01-01``, ``<<``) means "unsure".
    """
    try:
        import yaml_rs
    except ImportError:
        return _UNSURE
    if _risky(text):
        return _UNSURE
    try:
        data = yaml_rs.loads(text)
    except Exception:  # any parse error is reported by PyYAML, with its line
        return _UNSURE
    return data if _plain_as_pyyaml(data) else _UNSURE


def _plain_as_pyyaml(data: Any) -> bool:
    import yaml

    resolvers = yaml.SafeLoader.yaml_implicit_resolvers
    stack = [data]
    while stack:
        value = stack.pop()
        t = type(value)
        if t is dict:
            stack.extend(value.keys())
            stack.extend(value.values())
        elif t is list:
            stack.extend(value)
        elif t is str:
            if value and any(tag != "tag:yaml.org,2002:str" and regexp.match(value) for tag, regexp in resolvers.get(value[0], ())):
                return False
        elif not (value is None or t is bool or t is int or t is float):
            return False  # a date, bytes, a set: leave those to PyYAML
    return True


def _compose(text: str, file: str) -> tuple[Any, Any]:
    """Data and node graph from the pure-Python safe loader; a syntax error names file:line."""
    import yaml

    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise BankError([Problem(file, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None)]) from None
    return data, node


def yaml_lines(text: str) -> Lines:
    """The node-path-to-line map of a YAML text that parses, built on first use."""
    return _LazyLines(text)


class _LazyLines(Mapping[tuple[Any, ...], int]):
    """The node-path-to-line map of a YAML text, built on first use (an error to locate)."""

    def __init__(self, text: str):
        self._text = text
        self._lines: dict[tuple[Any, ...], int] | None = None

    def _map(self) -> dict[tuple[Any, ...], int]:
        if self._lines is None:
            import yaml

            lines: dict[tuple[Any, ...], int] = {}
            node = yaml.SafeLoader(self._text).get_single_node()  # parsed fine once already
            if node is not None:
                _collect_lines(node, (), lines)
            self._lines = lines
        return self._lines

    def __getitem__(self, key: tuple[Any, ...]) -> int:
        return self._map()[key]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())


def _collect_lines(node: Any, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            lines[child] = key.start_mark.line + 1
            _collect_lines(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _collect_lines(value, path + (i,), lines)


def _message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling; it is not part of this format)"
    if kind == "union_tag_invalid":
        return f"unknown {ctx.get('discriminator', 'type').strip(chr(39))} {ctx.get('tag')!r}, expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"missing the field {ctx.get('discriminator', 'type')} that says which kind this is"
    msg: str = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg[:1].lower() + msg[1:]


def _locate(data: Any, loc: tuple[Any, ...], lines: Lines) -> tuple[str, int | None]:
    """Follow pydantic's ``loc`` through the data, skipping union tags and validator names."""
    path: list[Any] = []
    shown = ""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
            shown += f".{part}" if shown else str(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
            shown += f"[{part}]"
        elif isinstance(part, str) and ("[" in part or (isinstance(node, dict) and part in node.values())):
            continue  # a validator name or a union tag (the discriminator's value), not a place
        else:
            if isinstance(node, dict):
                shown += f".{part}" if shown else str(part)  # a missing or unknown field: name it
            break
    line = None
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in lines:
            line = lines[tuple(path[:n])]
            break
    return shown, line


def validate_data(model: type[M], data: Any, file: str, lines: Lines | None = None) -> M:
    """Validate ``data`` against ``model``; raise BankError with one Problem per error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # pydantic adds "too short after validation" for a list whose only item failed: noise
        errors = [e for e in errors if not (e["type"] == "too_short" and any(
            o is not e and tuple(o["loc"][: len(e["loc"])]) == tuple(e["loc"]) for o in errors))]
        problems = []
        for err in errors:
            shown, line = _locate(data, tuple(err["loc"]), lines or {})
            problems.append(Problem(file, _message(err), path=shown, line=line))
        raise BankError(problems) from None


def load_yaml_model(model: type[M], path: str | Path) -> M:
    """Read a YAML file and validate it as ``model``, with file:line errors."""
    data, lines = read_yaml(path)
    return validate_data(model, data, str(path), lines)


def atomic_write(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_text(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False) + "\\n"``, byte for byte, several times faster.

    With ``indent`` the standard library falls back to its pure-Python encoder, which was
    most of the time of writing a big manifest; this walks the data once, encoding every
    string with the C encoder. Anything unusual (a non-string key, NaN, another type)
    goes to ``json.dumps`` itself, so the output and the errors stay the standard ones.
    """
    try:
        return _indented(data, "\n") + "\n"
    except _Unusual:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class _Unusual(Exception):
    pass


_encode_str = json.encoder.encode_basestring  # the C function when the accelerator is built
_INFINITY = float("inf")


def _indented(value: Any, newline: str) -> str:
    t = type(value)
    if t is str:
        return _encode_str(value)
    if t is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        parts = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            parts.append(_encode_str(key) + ": " + _indented(item, inner))
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if t is list or t is tuple:
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join([_indented(item, inner) for item in value]) + newline + "]"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if t is int:
        return int.__repr__(value)
    if t is float and value == value and value not in (_INFINITY, -_INFINITY):
        return float.__repr__(value)
    raise _Unusual


def csv_text(rows: list[list[Any]]) -> str:
    """The CSV text of ``rows`` (newline line ends): every CSV qbank writes goes through here."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
