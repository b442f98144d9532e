"""Reading user files and writing outputs: the I/O edge shared by every command.

* :func:`read_yaml` parses with PyYAML's safe loader (libyaml's when installed) and can
  tell the line of every node, so that a validation error can name ``file:line``.
* :func:`validate_data` turns pydantic's errors into :class:`~qbank.errors.Problem` lines a
  person can act on: ``bank/mle.yaml:14: templates[2].params.probs.alpha: must be positive``.
* :func:`atomic_write` writes to a temporary file and renames it, so a failed run never
  leaves half a file behind; :func:`atomic_write_all` does it for files that belong together.
  Both give a new file the mode ``open()`` would (the umask's).
* :func:`csv_text` is the one way qbank turns rows into CSV text, so every CSV it writes
  follows the same rules: no cell can become a spreadsheet formula. :func:`csv_rows` reads
  them back exactly.
"""

from __future__ import annotations

import csv
import io
import json
import json.encoder
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import BankError, InputError, Problem

__all__ = [
    "atomic_write", "atomic_write_all", "check_writable_folder", "csv_cell", "csv_cell_value", "csv_rows", "csv_text",
    "decode_text", "dir_mode", "file_mode", "json_text", "load_yaml_model", "parse_yaml", "pid_alive", "read_bytes",
    "read_json", "read_text", "read_yaml", "validate_data", "yaml_lines",
]

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")  # pydantic is imported when a model is validated, not with the file helpers
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
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not {what} (invalid JSON: {exc.msg})") from None
    check_json_text(data, str(path), text)
    return data


def check_json_text(data: Any, file: str, text: str | None = None) -> None:
    """Refuse a JSON document whose strings hold a lone surrogate (``"\\ud800"`` is valid JSON
    but not Unicode text: it could be read, but never written out again).

    ``text``, the JSON it was parsed from, lets a document without a ``\\uDxxx`` escape pass
    at once: UTF-8 text holds no surrogate, so only such an escape can make one (a 1 GB
    manifest took 25 s to walk).
    """
    if text is not None and _SURROGATE_ESCAPE.search(text) is None:
        return
    stack = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in value.items())
            stack.extend((k, where or "(a key)") for k in value if isinstance(k, str))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise InputError(f"{file}: {where or '(the document)'}: holds a lone surrogate "
                             f"(\\u{ord(_SURROGATE.search(value).group()):04x}), which is not Unicode text")


def read_yaml(path: str | Path) -> tuple[Any, Lines]:
    """Parse a YAML file safely; return the data and a map from node path to 1-based line.

    The data comes from libyaml's safe loader when PyYAML has it (about 15 times faster than
    the pure-Python one); the map of lines is built only when something asks for a line,
    that is when there is an error to locate, by parsing the text again with the
    pure-Python loader, which keeps the node graph. A syntax error is reported by that
    loader too, so its message and line are the same with or without libyaml.
    """
    path = Path(path)
    check_yaml_size(path)
    text = read_text(path)
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> tuple[Any, Lines]:
    """:func:`read_yaml` for text already read; ``file`` names it in errors."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    # An alias needs an anchor: a text with none cannot be an alias bomb, so yaml-rs or libyaml
    # may build its data directly; one with anchors goes through the node graph, which is
    # checked for expansion before any data is built.
    anchors = "&" in text and _ANCHOR.search(text) is not None  # the search alone is slow on a long text
    data = _UNSURE if anchors else _rust_load(text)
    if data is not _UNSURE:
        lazy = _LazyLines(text, json_data=True)
        if "\\" in text:  # _rust_load refused a text holding a forbidden character: only an escape can make one
            _check_characters_fast(data, text, lazy, file)
        return data, lazy
    if fast is not None and not anchors:
        try:
            data = yaml.load(text, Loader=fast)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass  # let the pure-Python loader say where, exactly as without libyaml
        else:
            lazy = _LazyLines(text)
            _check_characters_fast(data, text, lazy, file)
            return data, lazy
    data, node = _compose(text, file)
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    check_yaml_characters(data, lines, file)
    return data, lines


# An anchor (``&name``) where a YAML token can start; a false hit only costs the slower path.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]")

_UNSURE = object()

# Text where YAML 1.2 (yaml-rs) and PyYAML's YAML 1.1 may read a scalar differently: tags,
# exponents (1e3 is a number in 1.2, a string in PyYAML), leading zeros (0777 is octal in
# 1.1), more than one document. Written as cheap searches: this runs on every parse.
_TAG = re.compile(r"(?:^|[\s\[{,])!", re.MULTILINE)
_LEADING_ZERO = re.compile(r"0[0-9oO]")
# An exponent, [0-9.][eE][-+]?[0-9], found as "9e9" in the text's bytes mapped through this
# table (digits and "." to 9, e and E to e, signs deleted, the rest to a space): a regex with
# a character class first steps through a 3 MB bank at ~7 ns a character, bytes.translate
# and a substring search take a sixth of that. Deleting the signs can only add hits, each
# of which costs the PyYAML path, never a wrong read.
_EXPONENT_CLASSES = bytes(ord("9") if b in b"0123456789." else ord("e") if b in b"eE" else ord(" ") for b in range(256))


def _has_exponent(text: str) -> bool:
    return b"9e9" in text.encode("utf-8", "surrogatepass").translate(_EXPONENT_CLASSES, b"+-")


def _risky(text: str) -> bool:
    if "!" in text and _TAG.search(text):
        return True
    if _has_exponent(text) or text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
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
    if _risky(text) or has_forbidden(text):
        return _UNSURE  # PyYAML refuses control characters, and says where
    try:
        data = yaml_rs.loads(text)
    except Exception:  # any parse error is reported by PyYAML, with its line
        return _UNSURE
    return data if _plain_as_pyyaml(data) else _UNSURE


def _texts(data: Any) -> tuple[list[str], bool]:
    """Every string in parsed YAML data, keys included, in one walk; and whether the data
    holds only what yaml-rs and PyYAML build alike (text keys; str, int, float, bool, None,
    lists and mappings). One walk feeds both checks below, each then a single regex search."""
    texts: list[str] = []
    add = texts.append
    plain = True
    stack = [data]
    pop, push = stack.pop, stack.extend
    while stack:
        value = pop()
        t = type(value)
        if t is str:
            add(value)
        elif t is dict:
            for k in value:
                if type(k) is str:
                    add(k)
                else:
                    plain = False  # ``: x`` is a None key in yaml-rs, an error in PyYAML
            push(value.values())
        elif t is list:
            push(value)
        elif not (value is None or t is bool or t is int or t is float):
            plain = False  # a date, bytes, a set: leave those to PyYAML
    return texts, plain


def _resolved_by_pyyaml() -> dict[str, re.Pattern[str]]:
    """For each first character, one pattern for the implicit resolvers PyYAML tries on a plain
    scalar starting with it that read it as something other than a string (a bool, a number,
    a date, null, ``<<``): their own regexes as alternatives. PyYAML picks the resolvers by
    the first character too, so a text is tried against those alone (one pattern for all
    the characters made every text try every resolver)."""
    global _RESOLVED
    if _RESOLVED is None:
        import yaml

        resolvers = yaml.SafeLoader.yaml_implicit_resolvers  # the safe loader has none for any character (None)
        by_first = {}
        for first in resolvers:
            if not first:
                continue
            patterns = {regexp.pattern: regexp.flags for tag, regexp in resolvers[first]
                        if tag != "tag:yaml.org,2002:str"}
            if patterns:
                by_first[first] = re.compile("|".join(f"(?{'x' if flags & re.X else ''}:{pattern})"
                                                      for pattern, flags in patterns.items()))
        _RESOLVED = by_first
    return _RESOLVED


_RESOLVED: dict[str, re.Pattern[str]] | None = None


def _plain_as_pyyaml(data: Any) -> bool:
    texts, plain = _texts(data)
    if not plain:
        return False
    by_first = _resolved_by_pyyaml()
    # Each distinct text once (the empty text is not a plain scalar yaml-rs reads as a string)
    return not any(by_first[t[0]].match(t) for t in set(texts) if t and t[0] in by_first)


def _compose(text: str, file: str) -> tuple[Any, Any]:
    """Data and node graph from the pure-Python safe loader; a syntax error names file:line."""
    import yaml

    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                check_yaml_expansion(node, file)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise BankError([_yaml_problem(exc, text, file)]) from None
    return data, node


def yaml_lines(text: str) -> Lines:
    """The node-path-to-line map of a YAML text that parses, built on first use."""
    return _LazyLines(text)


class _LazyLines(Mapping[tuple[Any, ...], int]):
    """The node-path-to-line map of a YAML text, built on first use (an error to locate)."""

    def __init__(self, text: str, *, json_data: bool = False):
        self._text = text
        self._lines: dict[tuple[Any, ...], int] | None = None
        # True when the parser has checked that the data holds only what JSON keeps as is
        # (text keys; str, int, float, bool, None): a cache may store it without a round trip
        self.json_data = json_data

    def _map(self) -> dict[tuple[Any, ...], int]:
        if self._lines is None:
            import yaml

            lines: dict[tuple[Any, ...], int] = {}
            try:
                node = yaml.SafeLoader(self._text).get_single_node()  # parsed fine once already
            except yaml.YAMLError:
                node = None  # a fast parser took what PyYAML refuses: no lines, not a crash
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


# Bounds on what one YAML file may ask of qbank, so that a huge file or an alias bomb fails
# at once with a message instead of running for minutes: a bank file of 10 MB holds thousands
# of templates (the built-in bank is 32 KB), and aliases may repeat a few nodes, not billions.
MAX_YAML_BYTES = 10 * 1024 * 1024
MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases may add beyond 4x the file's own nodes


def check_yaml_size(path: Path) -> None:
    """Refuse a YAML file larger than MAX_YAML_BYTES before reading it."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # read_text reports a missing or unreadable file
    if size > MAX_YAML_BYTES:
        raise BankError([Problem(str(path), f"the file is {size / 1e6:.1f} MB, more than qbank reads from one YAML file "
                                            f"({MAX_YAML_BYTES / 1e6:.0f} MB); split it into several files in a folder")])


def check_yaml_expansion(root: Any, file: str) -> None:
    """Refuse a YAML node graph whose aliases expand it far beyond its size (billion laughs),
    or that refers to itself; counted without expanding, in time linear in the file."""
    import yaml

    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    # iterative post-order walk: (node, children done?)
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            visiting.discard(key)
            children = _children(node, yaml)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if key in sizes:
            continue
        if key in visiting:
            raise BankError([Problem(file, "a YAML alias refers to the node that contains it", line=node.start_mark.line + 1)])
        visiting.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node, yaml) if id(c) not in sizes)
    expanded, distinct = sizes[id(root)], len(sizes)
    if expanded > 4 * distinct + MAX_ALIAS_EXPANSION:
        raise BankError([Problem(file, f"YAML aliases expand the file's {distinct} nodes to {expanded:,}, more than qbank "
                                       "accepts (an alias bomb?); write the repeated parts out or use fewer aliases")])


# Characters no export can carry: XML 1.0 forbids the C0 controls other than tab, LF and CR
# (a form feed in a stem broke every QTI package with a traceback), ESC would drive the
# instructor's terminal, and a lone surrogate cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The C0 controls of _FORBIDDEN_TEXT as 0, every other byte as 1 (in UTF-8 a byte below 0x80
# is always a character of its own)
_CONTROL_BYTES = bytes(0 if b < 0x20 and b not in b"\t\n\r" else 1 for b in range(256))


def has_forbidden(text: str) -> bool:
    """Whether ``_FORBIDDEN_TEXT`` finds anything in ``text``: the same answer as its search,
    about ten times as fast on a long text (the search ran twice on every bank file parsed)."""
    if not text.isascii():
        if "\ufffe" in text or "\uffff" in text:
            return True
        try:
            raw = text.encode()
        except UnicodeEncodeError:  # only a lone surrogate cannot be encoded
            return True
    else:
        raw = text.encode("ascii")
    return b"\0" in raw.translate(_CONTROL_BYTES)


def _check_characters_fast(data: Any, text: str, lines: Lines, file: str) -> None:
    """:func:`check_yaml_characters`, with a regex search first: the walk that names each
    place runs only when there is something to name. A text without a backslash has no
    escapes, so its strings hold only its own characters (and line breaks): then the text
    itself is searched, else every string in the data."""
    if has_forbidden("\n".join(_texts(data)[0]) if "\\" in text else text):
        check_yaml_characters(data, lines, file)


def check_yaml_characters(data: Any, lines: Lines, file: str) -> None:
    """Refuse text holding a character no export can carry, naming each place (YAML lets a
    double-quoted string spell any character as an escape such as ``"\\x0c"``)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, where + (k,)) for k, v in value.items())
            texts = [k for k in value if isinstance(k, str)]
        elif isinstance(value, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(value))
            continue
        else:
            texts = [value] if isinstance(value, str) else []
        for text in texts:
            bad = _FORBIDDEN_TEXT.search(text)
            if bad:
                shown = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(where))
                line = next((lines[where[:n]] for n in range(len(where), -1, -1) if where[:n] in lines), None)
                problems.append(Problem(file, f"the text holds the control character U+{ord(bad.group()):04X}, which no "
                                              "export can carry; remove it", path=shown, line=line))
    if problems:
        raise BankError(sorted(problems, key=lambda p: (p.line or 0, p.path)))


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _yaml_problem(exc: Any, text: str, file: str) -> Problem:
    """A YAML error as one line with the file and line number (a character YAML refuses, such
    as NUL, comes as a reader error with a character position instead of a mark)."""
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        return Problem(file, f"invalid YAML: character #x{exc.character:04x} is not allowed in YAML ({exc.reason})"
                       if isinstance(exc.character, int) else f"invalid YAML: {exc.reason}", line=line)
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return Problem(file, f"invalid YAML: {problem}", line=mark.line + 1 if mark else None)


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


# What a mapping field looks like in YAML, for the error when something else stands there.
_EXAMPLES = {
    "Tolerance": "{absolute: 0.005}, {relative: 0.01} or {sigfig: 3}",
    "Tags": "{topics: [cross-entropy], bloom: apply}",
}


def _shown(value: Any) -> str:
    """A value as the YAML author wrote it, short: a list is 'a list', a mapping 'a mapping'."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        example = _EXAMPLES.get(ctx.get("class_name", ""), "")
        return f"expected a mapping of fields{f' such as {example}' if example else ''}, not {_shown(err.get('input'))}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"expected a number, not {_shown(err.get('input'))}"
    if kind == "int_from_float":
        return f"expected a whole number, not {_shown(err.get('input'))}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, not {_shown(err.get('input'))}"
    if kind in ("string_type",):
        return f"expected text, not {_shown(err.get('input'))}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, not {_shown(err.get('input'))}"
    msg: str = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return msg[:1].lower() + msg[1:]


def _name(part: Any) -> str:
    """A field name as it can be shown on one line: a name holding a line break, a control or
    an invisible character (a mistyped key) is shown escaped, in quotes."""
    text = str(part)
    return text if text.isprintable() else repr(text)


def _locate(data: Any, loc: tuple[Any, ...], lines: Lines) -> tuple[str, int | None]:
    """Follow pydantic's ``loc`` through the data, skipping union tags and validator names."""
    path: list[Any] = []
    shown = ""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
            shown += f".{_name(part)}" if shown else _name(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
            shown += f"[{part}]"
        elif isinstance(part, str) and ("[" in part or (isinstance(node, dict) and part in node.values())):
            continue  # a validator name or a union tag (the discriminator's value), not a place
        else:
            if isinstance(node, dict):
                shown += f".{_name(part)}" if shown else _name(part)  # a missing or unknown field: name it
            break
    line = None
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in lines:
            line = lines[tuple(path[:n])]
            break
    return shown, line


def validate_data(model: type[M], data: Any, file: str, lines: Lines | None = None) -> M:
    """Validate ``data`` against ``model``; raise BankError with one Problem per error."""
    from pydantic import ValidationError

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


def _umask() -> int:
    """The process umask (read by setting it, so set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode ``open()`` gives a new file: 0666 less the user's umask."""
    return 0o666 & ~_umask()


def dir_mode() -> int:
    """The mode ``mkdir()`` gives a new folder: 0777 less the user's umask."""
    return 0o777 & ~_umask()


def _temporary_prefix(path: Path) -> str:
    # The pid in the name lets a later run tell a dead writer's leftover from a live one's.
    return f".{path.name}.{os.getpid()}."


def _sweep(path: Path) -> None:
    """Remove the temporaries that writers of ``path`` killed midway left beside it."""
    for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        pid = leftover.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdecimal() and not pid_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (it may be another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mode_for(path: Path) -> int:
    """The mode ``open(path, "w")`` leaves: an existing file's own, else the umask's."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return file_mode()


def atomic_write(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and a rename.

    The file gets the mode ``open()`` would give it (an existing file's own, else 0666 less
    the umask), not mkstemp's 0600:
    an instructor building into a shared course folder must not get files only they can read.
    A process killed or failing midway leaves the old file or the new one, never a torn one
    (the rename is the only step others can see; there is no fsync, so a power cut is the
    file system's to survive).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temporary_prefix(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), _mode_for(path))
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_all(files: Mapping[str | Path, str | bytes | Iterable[str | bytes]]) -> None:
    """Write several files as one result: every content goes to a temporary file first, and only
    when all are written are they renamed into place, one after the other. A content may come
    in pieces (an iterable of str or bytes), for a file too big to hold in memory whole.

    A full disk or a killed process while writing (the slow part) leaves every old file as it
    was; only the renames, microseconds apart, can be interrupted in between.

    Raises:
        InputError: a file cannot be written; none of the files has changed.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, content in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            _sweep(path)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temporary_prefix(path), suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), _mode_for(path))
                for piece in (content,) if isinstance(content, (str, bytes)) else content:
                    f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        for tmp, path in staged:
            os.replace(tmp, path)
    except OSError as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{exc.filename or path}: {exc.strerror or exc}; nothing was written") from None
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise


# OWASP's CSV-injection list (=, +, -, @, tab, CR) and the full-width forms some spreadsheets
# also take as a formula start.
_FORMULA_START = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _needs_quote(cell: str) -> bool:
    """Whether a spreadsheet could read ``cell`` as a formula, or reading it back would strip a quote.

    A cell that already starts with quotes is quoted once more when what follows them would
    be: then :func:`csv_cell_value` undoes exactly one quote and every string round-trips.
    """
    rest = cell.lstrip("'")
    return rest.startswith(_FORMULA_START) and _PLAIN_NUMBER.fullmatch(rest) is None


def csv_cell(value: Any) -> str:
    """One CSV cell as qbank writes it: text that a spreadsheet would run as a formula gets a
    leading ``'`` (OWASP's advice); plain numbers such as ``-0.5`` stay numbers."""
    text = "" if value is None else str(value)
    return "'" + text if _needs_quote(text) else text


def csv_cell_value(cell: str) -> str:
    """The value of a cell qbank wrote: the inverse of :func:`csv_cell` (``'=x`` reads as ``=x``,
    as a spreadsheet shows it; any other cell is read as it is)."""
    return cell[1:] if cell.startswith("'") and _needs_quote(cell[1:]) else cell


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The CSV text of ``rows`` (newline line ends): every CSV qbank writes goes through here,
    so no cell can become a spreadsheet formula (see :func:`csv_cell`)."""
    # The csv module quotes a cell holding a character of the line terminator, and only then:
    # with "\n" alone a cell holding "\r" went out bare and split its row on reading. So each
    # row is written with "\r\n" (every CR and LF cell quoted) and its own terminator made "\n".
    out, parts = io.StringIO(), []
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
        parts.append(out.getvalue()[:-2] + "\n")
        out.seek(0)
        out.truncate()
    return "".join(parts)


# csv's default cell limit (128 KiB) would stop a file at its first long cell; a response or a
# name that long is the grader's to reject with its row number, not the reader's.
_CSV_FIELD_LIMIT = 64 * 1024 * 1024


def csv_rows(text: str, file: str, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """The rows of CSV text with the line each ends on, cells read with :func:`csv_cell_value`:
    every reader of a CSV that qbank may have written goes through here.

    Raises:
        InputError: ``file:line`` of text the csv module cannot read.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{file}:{reader.line_num}: not readable as CSV ({exc})") from None
        yield reader.line_num, [csv_cell_value(c) for c in row]


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
