"""Reading user files and writing outputs: the I/O edge shared by every command.

* :func:`read_yaml` parses with PyYAML's safe loader and remembers the line of every node,
  so that a validation error can name ``file:line``.
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
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import BankError, InputError, Problem

__all__ = ["atomic_write", "check_writable_folder", "csv_text", "load_yaml_model", "read_json", "read_text", "read_yaml", "validate_data"]

M = TypeVar("M", bound=BaseModel)
Lines = dict[tuple[Any, ...], int]


def read_text(path: str | Path, *, what: str = "file", hint: str = "") -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped, as spreadsheets write one).

    Raises:
        InputError: naming the file when it is missing, unreadable or not UTF-8; ``what``
            names the kind of file and ``hint`` is appended to the encoding error.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
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
    """Parse a YAML file safely; return the data and a map from node path to 1-based line."""
    import yaml

    path = Path(path)
    text = read_text(path)
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
        raise BankError([Problem(str(path), f"invalid YAML: {problem}", line=mark.line + 1 if mark else None)]) from None
    lines: Lines = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, lines


def _collect_lines(node: Any, path: tuple[Any, ...], lines: Lines) -> None:
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


def csv_text(rows: list[list[Any]]) -> str:
    """The CSV text of ``rows`` (newline line ends): every CSV qbank writes goes through here."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def check_writable_folder(path: str | Path, *, option: str = "-o") -> None:
    """Fail early (exit 2) when ``path`` cannot become a folder we write into; creates nothing.

    Raises:
        InputError: ``path`` or an ancestor is a file, or the nearest existing folder is not writable.
    """
    path = Path(path)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        where = "exists and is not a folder" if probe == path else f"cannot be created: {probe} is a file"
        raise InputError(f"{path}: {where}; choose another {option}")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(f"{path}: cannot write into {probe} (permission denied); choose another {option}")
