"""Banks: folders of YAML template files, the built-in one shipped inside the package.

A bank file holds a list of templates::

    templates:
      - id: paris-states
        title: Comparing two training states by loss
        family: compare-states
        tags: {topics: [cross-entropy], bloom: analyze}
        params: {...}

Loading checks everything a user can get wrong before any item is drawn: the YAML, the
schema, unknown families and parameters, and ids that are not unique across the bank.
Every finding names the file, the line and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from .._files import Lines, decode_text, parse_yaml, read_bytes, validate_data, yaml_lines
from ..errors import BankError, InputError, Problem, QbankError, UnknownTemplate
from ._model import Frozen
from .items import parse_item_id
from .tags import Bloom
from .template import Template

__all__ = ["Bank", "BankFile", "builtin_bank", "builtin_bank_path", "load_bank"]

BANK_SUFFIXES = (".yaml", ".yml")


class BankFile(Frozen):
    """The format of one bank file (its JSON Schema is what ``qbank schema`` writes)."""

    templates: tuple[Template, ...] = Field(min_length=1)


class Bank:
    """Templates by id, with the file each came from.

    A template read from the parsed-bank cache is kept as data until it is first used
    (``bank[id]``, iteration), so that a command needing one template validates one.
    """

    def __init__(self, templates: Iterable[tuple[Template, str]] = ()):
        self._templates: dict[str, Template] = {}
        self._data: dict[str, Any] = {}
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


def _bank_files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file())
        if not found:
            raise InputError(f"{path}: no bank files (*.yaml) in this folder")
        return found
    if path.is_file():
        return [path]
    raise InputError(f"{path}: no such file or folder")


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
    sources: list[Path] = [builtin_bank_path()] if builtin else []
    sources += [Path(p) for p in paths]
    problems: list[Problem] = []
    loaded: list[tuple[str, Template | dict[str, Any], str]] = []
    seen: dict[str, str] = {}
    for source in sources:
        for path in _bank_files(source):
            shown = _display(path)
            try:
                templates, lines, store = _load_file(path, shown)
            except BankError as exc:
                problems += exc.problems
                continue
            clean = True
            for i, (template_id, template) in enumerate(templates):
                if template_id in seen:
                    problems.append(Problem(shown, f"duplicate id {template_id!r}, already defined in {seen[template_id]}", path=f"templates[{i}].id", line=lines.get(("templates", i, "id"))))
                    clean = False
                    continue
                seen[template_id] = shown
                if isinstance(template, Template):
                    found = _check_template(template, i, shown, lines)
                    problems += found
                    clean = clean and not found
                loaded.append((template_id, template, shown))
            if clean and store is not None:
                store()
    if problems:
        raise BankError(problems)
    return Bank._of(loaded)


def _load_file(path: Path, shown: str) -> tuple[list[tuple[str, Any]], Lines, Callable[[], None] | None]:
    """A file's templates (from the cache as data, else parsed and validated), its line map,
    and, after a parse, what stores it in the cache once it has passed every check."""
    from . import _cache
    from .families import remember_modules

    raw = read_bytes(path)
    digest, entry = _cache.lookup(raw)
    text = decode_text(raw, path)
    if entry is not None:
        remember_modules(entry["families"])
        return [(t["id"], t) for t in entry["templates"]], yaml_lines(text), None
    data, lines = parse_yaml(text, str(path))
    bank_file = validate_data(BankFile, data, shown, lines)

    def store() -> None:
        modules = {}
        for t in bank_file.templates:
            fam = t.get_family()
            if fam is not None:
                modules[fam.name] = fam.build.__module__
        _cache.store(digest, data["templates"], modules)

    return [(t.id, t) for t in bank_file.templates], lines, store


def builtin_bank_path() -> Path:
    return Path(str(files("qbank.questions") / "bank"))


@lru_cache(maxsize=1)
def builtin_bank() -> Bank:
    """The bank that ships with qbank (loaded once per process)."""
    return load_bank()
