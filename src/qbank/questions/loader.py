"""Banks: folders of YAML template files, the built-in one shipped inside the package.

A bank file holds a list of templates::

    templates:
      - id: paris-states
        title: Comparing two training states by loss
        family: compare-states
        tags: {topics: [cross-entropy], bloom: analyze}
        params: {...}

Loading checks everything a user can get wrong before any item is drawn: the YAML, the
schema, unknown families and parameters, misconception ids, and ids that are not unique
across the bank. Every finding names the file, the line and the field, and all of them come
at once: a template that fails the schema does not hide the family checks of the others.

A quiz spec (a file with ``sections:``) kept in a bank folder is not a bank file and is
passed over; named on its own, it is an error that says what it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from .._files import Lines, check_yaml_size, decode_text, parse_yaml, read_bytes, validate_data, yaml_lines
from ..errors import BankError, InputError, Problem, QbankError, UnknownTemplate
from ._model import Frozen, MisconceptionId
from .items import parse_item_id
from .misconceptions import MISCONCEPTIONS
from .tags import Bloom
from .template import Template

__all__ = ["Bank", "BankFile", "builtin_bank", "builtin_bank_path", "inspect_bank", "load_bank"]

BANK_SUFFIXES = (".yaml", ".yml")


class BankFile(Frozen):
    """The format of one bank file (its JSON Schema is what ``qbank schema`` writes)."""

    templates: tuple[Template, ...] = Field(min_length=1)
    misconceptions: dict[MisconceptionId, str] = Field(
        default_factory=dict,
        description="Misconceptions of this file's own, id -> what the student believes, for the options and "
                    "distractors of its templates (besides the catalogue: `qbank misconceptions`).",
    )


class Bank:
    """Templates by id, with the file each came from.

    A template read from the parsed-bank cache is kept as data until it is first used
    (``bank[id]``, iteration), so that a command needing one template validates one.
    """

    def __init__(self, templates: Iterable[tuple[Template, str]] = ()):
        self._templates: dict[str, Template] = {}
        self._data: dict[str, Any] = {}
        self._where: dict[str, tuple[Lines, int]] = {}
        self.sources: dict[str, str] = {}
        for template, source in templates:
            self._templates[template.id] = template
            self.sources[template.id] = source

    @classmethod
    def _of(cls, entries: Iterable[tuple[str, Template | dict[str, Any], str]]) -> Bank:
        """A bank of checked templates, some of them still as data (from the cache)."""
        bank = cls()
        for template_id, template, source in entries:
            if isinstance(template, Template):
                bank._templates[template_id] = template
            else:
                bank._data[template_id] = template
            bank.sources[template_id] = source
        return bank

    def __len__(self) -> int:
        return len(self.sources)

    def __iter__(self) -> Iterator[Template]:
        return (self[template_id] for template_id in list(self.sources))

    def __contains__(self, template_id: object) -> bool:
        return template_id in self.sources

    def __getitem__(self, template_id: str) -> Template:
        try:
            return self._templates[template_id]
        except KeyError:
            pass
        if template_id not in self._data:
            raise self._unknown(f"no template {template_id!r} in the bank", template_id) from None
        template = validate_data(Template, self._data.pop(template_id), self.sources[template_id])
        self._templates[template_id] = template
        return template

    def line_of(self, template_id: str) -> int | None:
        """The line of the bank file where the template starts (None if not known)."""
        lines, index = self._where.get(template_id, ({}, -1))
        return lines.get(("templates", index))

    def labels(self, kind: str) -> set[str]:
        """Every value a filter of this kind ('topic', 'family' or 'tag') can match in the bank."""
        topics = {tp for t in self for tp in t.tags.topics}
        families = {t.family or "static" for t in self}
        if kind == "topic":
            return topics
        if kind == "family":
            return families
        return topics | families | {k for t in self for k in t.tags.keywords} | {t.tags.bloom.value for t in self}

    def did_you_mean(self, value: str, kind: str) -> str:
        """'' when ``value`` is a known label of this kind, else a sentence naming the closest ones."""
        from difflib import get_close_matches

        known = self.labels(kind)
        if value in known:
            return ""
        close = get_close_matches(value, sorted(known), n=3, cutoff=0.6)
        return f"no {kind} {value!r} in the bank" + (f" (did you mean {' or '.join(map(repr, close))}?)" if close else "")

    def _unknown(self, message: str, name: str) -> UnknownTemplate:
        """The error for a name the bank does not hold, with the closest ids and where more can come from."""
        from difflib import get_close_matches

        close = get_close_matches(name, list(self.sources), n=3, cutoff=0.6)
        guess = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        return UnknownTemplate(f"{message}{guess} (`qbank list` shows the templates; add your own banks with --bank PATH)")

    def select(
        self,
        *,
        ids: Sequence[str] = (),
        tags: Sequence[str] = (),
        topics: Sequence[str] = (),
        bloom: Sequence[Bloom | str] = (),
        families: Sequence[str] = (),
    ) -> list[Template]:
        """Templates matching every given filter (within one filter, any value matches).

        ``tags`` matches a topic, a keyword, the Bloom level or the family name.
        """
        out = []
        for t in self:
            labels = {*t.tags.topics, *t.tags.keywords, t.tags.bloom.value, t.family or "static"}
            if ids and t.id not in ids:
                continue
            if tags and not labels.intersection(tags):
                continue
            if topics and not set(t.tags.topics).intersection(topics):
                continue
            if bloom and t.tags.bloom not in {Bloom(b) for b in bloom}:
                continue
            if families and (t.family or "static") not in families:
                continue
            out.append(t)
        return out

    def item(self, item_id: str, seed: int | None = None) -> Any:
        """The item for an item id (``template-vN-sSEED``), or for a template id and a seed."""
        if item_id in self and seed is not None:
            return self[item_id].instantiate(seed)
        parsed = parse_item_id(item_id)
        if parsed is None or parsed[0] not in self:
            if item_id in self:
                return self[item_id].instantiate(0)
            raise self._unknown(f"no template or item {item_id!r} in the bank", parsed[0] if parsed else item_id)
        template_id, version, item_seed = parsed
        template = self[template_id]
        if version != template.version:
            raise UnknownTemplate(
                f"{item_id} was made from version {version} of {template_id}; the bank now holds version {template.version}"
            )
        return template.instantiate(item_seed if seed is None else seed)


def _bank_files(path: Path) -> list[tuple[Path, bool]]:
    """The YAML files of a bank file or folder, each with whether it was found in a folder."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file())
        if not found:
            raise InputError(f"{path}: no bank files (*.yaml) in this folder")
        return [(p, True) for p in found]
    if path.is_file():
        return [(path, False)]
    raise InputError(f"{path}: no such file or folder")


def _is_quiz_spec(data: Any) -> bool:
    return isinstance(data, dict) and "sections" in data and "templates" not in data


def _misconception_problems(raw: Any, index: int, declared: set[str], file: str, lines: Lines) -> list[Problem]:
    """Every misconception id in a static template's content that neither the catalogue
    nor the file's own ``misconceptions:`` knows (a family's ids are checked by its tests)."""
    from difflib import get_close_matches

    problems: list[Problem] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "misconception" and isinstance(value, str):
                    if value not in MISCONCEPTIONS and value not in declared:
                        close = get_close_matches(value, [*MISCONCEPTIONS, *declared], n=2, cutoff=0.7)
                        guess = f"did you mean {' or '.join(close)}? " if close else ""
                        shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
                        problems.append(Problem(
                            file, f"unknown misconception {value!r}: {guess}`qbank misconceptions` lists the "
                                  "catalogue; declare your own under `misconceptions:` in this file",
                            path=f"templates{shown}.misconception",
                            line=lines.get((*path, key), lines.get(path)),
                        ))
                else:
                    walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*path, i))

    if isinstance(raw, dict) and isinstance(raw.get("content"), dict):
        walk(raw["content"], ("templates", index, "content"))
    return problems


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _check_template(template: Template, index: int, file: str, lines: Lines) -> list[Problem]:
    """What only the family can tell: does it exist, does it take these params and values?"""
    where = f"templates[{index}]"
    try:
        template.specs()
    except QbankError as exc:
        field = "family" if "unknown question family" in str(exc) else "params"
        message = str(exc).removeprefix(f"template {template.id}: ")
        return [Problem(file, message, path=f"{where}.{field}", line=lines.get(("templates", index, field), lines.get(("templates", index))))]
    fam = template.get_family()
    problems = []
    if fam is None:
        return problems
    for name, spec in template.params.items():
        if spec.dist != "fixed":
            continue
        info = fam.params.model_fields[name]
        from pydantic import TypeAdapter

        try:
            TypeAdapter(info.annotation).validate_python(spec.value)  # type: ignore[union-attr]
        except ValidationError as exc:
            err = exc.errors()[0]
            sub = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(file, msg, path=f"{where}.params.{name}{sub}", line=lines.get(("templates", index, "params", name), lines.get(("templates", index)))))
    return problems


def load_bank(*paths: str | Path, builtin: bool = True) -> Bank:
    """Load the built-in bank (unless ``builtin=False``) and every bank file or folder given.

    A file that loaded cleanly before, byte for byte, is taken from the parsed-bank cache
    (:mod:`qbank.questions._cache`) without being parsed or checked again.

    Raises:
        BankError: listing every problem found in every file, with file, line and field.
    """
    bank, problems = inspect_bank(*paths, builtin=builtin)
    if problems:
        raise BankError(problems)
    return bank


def inspect_bank(*paths: str | Path, builtin: bool = True) -> tuple[Bank, list[Problem]]:
    """:func:`load_bank` that does not stop at problems: the bank of every template that has
    none, and every problem found (so that `qbank validate` can go on to draw items).

    Raises:
        InputError: a path that is neither a file nor a folder of bank files.
    """
    sources: list[Path] = [builtin_bank_path()] if builtin else []
    sources += [Path(p) for p in paths]
    problems: list[Problem] = []
    loaded: list[tuple[str, Template | dict[str, Any], str]] = []
    where: dict[str, tuple[Lines, int]] = {}
    seen: dict[str, str] = {}
    for source in sources:
        for path, in_folder in _bank_files(source):
            shown = _display(path)
            try:
                templates, lines, store, found = _load_file(path, shown, in_folder)
            except BankError as exc:  # unreadable, or not YAML
                problems += exc.problems
                continue
            problems += found
            clean = not found
            for i, template_id, template in templates:
                if template_id in seen:
                    problems.append(Problem(shown, f"duplicate id {template_id!r}, already defined in {seen[template_id]}", path=f"templates[{i}].id", line=lines.get(("templates", i, "id"))))
                    clean = False
                    continue
                seen[template_id] = shown
                if isinstance(template, Template):
                    found = _check_template(template, i, shown, lines)
                    if found:
                        problems += found
                        clean = False
                        continue
                loaded.append((template_id, template, shown))
                where[template_id] = (lines, i)
            if clean and store is not None:
                store()
    bank = Bank._of(loaded)
    bank._where = where
    return bank, problems


Indexed = list[tuple[int, str, Any]]  # (position in the file, template id, template or its data)


def _load_file(path: Path, shown: str, in_folder: bool = False) -> tuple[Indexed, Lines, Callable[[], None] | None, list[Problem]]:
    """A file's templates (from the cache as data, else parsed and validated), its line map,
    what stores it in the cache once it has passed every check (None when it came from the
    cache or has problems), and its problems: the schema's and the misconception checks.
    A template that fails the schema is left out; the others are returned, so that their
    own checks run too and fixing the schema errors brings no second wave of errors.

    Raises:
        BankError: the file cannot be read or is not YAML.
    """
    from . import _cache
    from .families import remember_modules

    check_yaml_size(path)
    raw = read_bytes(path)
    digest, entry = _cache.lookup(raw)
    text = decode_text(raw, path)
    if entry is not None:
        remember_modules(entry["families"])
        return [(i, t["id"], t) for i, t in enumerate(entry["templates"])], yaml_lines(text), None, []
    data, lines = parse_yaml(text, str(path))
    if _is_quiz_spec(data):
        if in_folder:
            return [], lines, None, []
        return [], lines, None, [Problem(shown, "this is a quiz spec (it has `sections:`), not a bank file: "
                                                f"build it with `qbank build {shown}`", line=lines.get(("sections",)))]
    try:
        bank_file = validate_data(BankFile, data, shown, lines)
    except BankError as exc:
        return *_templates_that_pass(data, shown, lines), None, exc.problems + _all_misconception_problems(data, shown, lines)
    # Only a file that spells the key (or could, through a double-quoted escape) can hold an
    # unknown misconception id: the walk over every template is skipped for the others.
    problems = _all_misconception_problems(data, shown, lines) if "misconception" in text or "\\" in text else []

    def store() -> None:
        modules = {}
        for t in bank_file.templates:
            fam = t.get_family()
            if fam is not None:
                modules[fam.name] = fam.build.__module__
        _cache.store(digest, data["templates"], modules, json_data=getattr(lines, "json_data", False))

    templates = [(i, t.id, t) for i, t in enumerate(bank_file.templates)]
    return templates, lines, (None if problems else store), problems


def _all_misconception_problems(data: Any, file: str, lines: Lines) -> list[Problem]:
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        return []
    declared = data.get("misconceptions")
    known = set(declared) if isinstance(declared, dict) else set()
    return [p for i, raw in enumerate(data["templates"]) for p in _misconception_problems(raw, i, known, file, lines)]


def _templates_that_pass(data: Any, file: str, lines: Lines) -> tuple[Indexed, Lines]:
    """The templates of a file that fails the schema which pass it on their own."""
    out: Indexed = []
    if isinstance(data, dict) and isinstance(data.get("templates"), list):
        for i, raw in enumerate(data["templates"]):
            try:
                template = Template.model_validate(raw)
            except ValidationError:
                continue  # its schema errors are reported already
            out.append((i, template.id, template))
    return out, lines


def builtin_bank_path() -> Path:
    return Path(str(files("qbank.questions") / "bank"))


@lru_cache(maxsize=1)
def builtin_bank() -> Bank:
    """The bank that ships with qbank (loaded once per process)."""
    return load_bank()
