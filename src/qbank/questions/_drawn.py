"""The drawn-item cache: what ``qbank show``, ``check`` and ``practice`` computed for an item,
kept so that the next run needs neither numpy, nor the engine, nor the family, nor pydantic.

Three kinds of entry live under ``<user cache dir>/qbank/`` (next to ``banks/``, the
parsed-bank cache):

* ``indexes/``: for one set of bank files (the SHA-256 of each, in load order), the
  templates they define: id, version, title, family, tags, points and which file each came
  from. It is written after a load of exactly those bytes passed every check, so a hit also
  means the bank loads without an error.
* ``items/``: one drawn item, keyed by the SHA-256 of its template's file, the template id
  and the seed: the item as JSON data (:meth:`pydantic.BaseModel.model_dump`) and *views*,
  text that a command made from it with the full code (``show``'s Markdown and JSON, the
  practice view, rich's layout of a Markdown text at a width). A view is added by the
  first command that needs it; a warm command reads it back.
* ``memo/``: small results worth keeping on their own (a practice session's random draws).

Every key also holds the *code stamp* (:func:`stamp`): the size and modification time of
every file of the qbank package and of the packages whose output ends up in an entry
(numpy, pydantic, rich, ...), and the Python version. So an entry is never stale: a changed
bank byte is another file hash, changed code another stamp; either is a miss, and the
command runs the full path and writes a new entry. Entries are JSON (nothing in one is
executed), written atomically (a temporary file and a rename), checked against their key
when read (a corrupt, truncated or foreign entry is a miss), safe to delete in part or
whole, and pruned to the newest few hundred. ``QBANK_NO_CACHE=1`` turns all of it off.

Deliberately light: nothing here imports pydantic, numpy or a question model until the
full path runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._labels import parse_item_id

__all__ = ["DrawnItems", "Entry", "TemplateInfo", "stamp"]

FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]  # src/qbank
_BUILTIN = _PACKAGE / "questions" / "bank"
_SUFFIXES = (".yaml", ".yml")  # loader.BANK_SUFFIXES, checked against it when an index is made
# Packages whose code shapes what an entry holds: drawing (numpy), validation and dumps
# (pydantic), parsing (PyYAML, yaml-rs), Markdown and layout (rich, markdown-it, pygments, ...).
_DEPENDENCIES = ("numpy", "pydantic", "pydantic_core", "yaml", "yaml_rs", "rich", "markdown_it", "pygments",
                 "jinja2", "markupsafe", "markdown", "click")
# How many entries of each kind are kept (the oldest by modification time go first).
MAX_ENTRIES = {"items": 512, "indexes": 16, "memo": 128}


def enabled() -> bool:
    return os.environ.get("QBANK_NO_CACHE", "") in ("", "0")


def cache_root() -> Path:
    """``<user cache dir>/qbank``, found as the launcher finds it (without importing platformdirs)."""
    from .._launch import _cache_folder

    return Path(_cache_folder())


@lru_cache(maxsize=1)
def stamp() -> str:
    """Changes whenever code that shapes an entry may have changed (see the module docstring)."""
    parts = [f"format {FORMAT}", sys.version, sys.implementation.cache_tag or ""]
    for root, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            st = os.stat(os.path.join(root, name))
            parts.append(f"{os.path.relpath(os.path.join(root, name), _PACKAGE)} {st.st_size} {st.st_mtime_ns}")
    for entry in sys.path:  # each dependency's package file, where the import system would look
        for name in _DEPENDENCIES:
            path = os.path.join(entry or ".", name, "__init__.py")
            try:
                st = os.stat(path)
            except OSError:
                continue
            parts.append(f"{path} {st.st_size} {st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([FORMAT, stamp(), *parts], ensure_ascii=False).encode()).hexdigest()


def _read(kind: str, key: str) -> Any:
    """The entry ``key`` of ``kind`` if it is there, readable and holds that key; else None."""
    try:
        data = json.loads((cache_root() / kind / f"{key}.json").read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("key") == key else None


def _write(kind: str, key: str, data: dict[str, Any]) -> None:
    """Write an entry atomically; a failure (read-only or full disk, odd data) is ignored."""
    folder = cache_root() / kind
    path = folder / f"{key}.json"
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        text = json.dumps({**data, "key": key}, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        _prune(folder, MAX_ENTRIES[kind])
    except (OSError, TypeError, ValueError):
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _prune(folder: Path, keep: int) -> None:
    with os.scandir(folder) as it:
        names = [e.path for e in it if e.name.endswith(".json")]
    if len(names) <= keep:
        return
    by_age = sorted(names, key=lambda p: os.stat(p).st_mtime_ns)
    for old in by_age[:-keep]:
        Path(old).unlink(missing_ok=True)


# -- the bank's files and its index ---------------------------------------------------------------


def _files_of(source: Path) -> list[Path] | None:
    """The bank files of a file or folder, in the loader's order; None where the loader reports an error."""
    if source.is_dir():
        found = sorted(p for p in source.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
        return found or None
    return [source] if source.is_file() else None


def bank_files(banks: Sequence[str], builtin: bool) -> list[tuple[Path, str]] | None:
    """Every bank file that loading these banks reads, with the SHA-256 of its bytes; None when
    one cannot be listed or read (the full path then reports it)."""
    out = []
    for source in ([_BUILTIN] if builtin else []) + [Path(p) for p in banks]:
        files = _files_of(source)
        if files is None:
            return None
        for path in files:
            try:
                out.append((path, hashlib.sha256(path.read_bytes()).hexdigest()))
            except OSError:
                return None
    return out


@dataclass(frozen=True)
class TagsInfo:
    topics: tuple[str, ...]
    bloom: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class TemplateInfo:
    """What the index keeps of a template: enough to select, plan and name its items."""

    id: str
    version: int
    title: str
    family: str | None
    points: float
    tags: TagsInfo
    file: int  # position of its file in the bank's file list

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "title": self.title, "family": self.family, "points": self.points,
                "topics": list(self.tags.topics), "bloom": self.tags.bloom, "keywords": list(self.tags.keywords),
                "file": self.file}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TemplateInfo:
        return cls(d["id"], d["version"], d["title"], d["family"], d["points"],
                   TagsInfo(tuple(d["topics"]), d["bloom"], tuple(d["keywords"])), d["file"])


def _index_of(bank: Any, files: list[tuple[Path, str]]) -> list[TemplateInfo] | None:
    """The index of a loaded bank, or None when its templates cannot be tied to ``files``.

    A template the parsed-bank cache holds as data is summarised from that data by a model of
    the Template's own fields for the index (same types, defaults and checks), rather than
    validated whole: indexing a 5,000-question bank then costs a fraction of loading it.
    """
    from . import _cache, loader

    if loader.BANK_SUFFIXES != _SUFFIXES:
        return None
    position = {loader._display(path): i for i, (path, _) in enumerate(files)}
    if len(position) != len(files):
        return None
    data: dict[str, tuple[Any, int]] = {}
    for i, (_, digest) in enumerate(files):
        entry = _cache.entry_of(digest)
        for raw in entry["templates"] if entry is not None else ():
            data.setdefault(raw["id"], (raw, i))
    ids = [template_id for template_id in bank.sources if template_id in data]
    summaries = dict(zip(ids, _summaries().validate_python([data[template_id][0] for template_id in ids])))
    out = []
    for template_id, source in bank.sources.items():
        if template_id in summaries:
            t, where = summaries[template_id], data[template_id][1]
        else:
            t, where = bank[template_id], position.get(source)
            if where is None:
                return None
        if t.id != template_id:
            return None
        out.append(TemplateInfo(t.id, t.version, t.title, t.family, t.points,
                                TagsInfo(tuple(t.tags.topics), t.tags.bloom.value, tuple(t.tags.keywords)), where))
    return out


@lru_cache(maxsize=1)
def _summaries() -> Any:
    """A validator of lists of the Template fields the index keeps, made of the Template's own fields."""
    from pydantic import ConfigDict, TypeAdapter, create_model

    from .template import Template

    fields = {name: (info.annotation, info) for name, info in Template.model_fields.items()
              if name in ("id", "version", "title", "family", "tags", "points")}
    summary = create_model("TemplateSummary", __config__=ConfigDict(extra="ignore", frozen=True), **fields)  # type: ignore[call-overload]
    return TypeAdapter(list[summary])  # type: ignore[valid-type]


# -- entries ----------------------------------------------------------------------------------


class Entry:
    """One drawn item in the cache: its data (``item``, or None until a command stored it) and views."""

    def __init__(self, key: str, data: dict[str, Any] | None):
        self.key = key
        self.item: dict[str, Any] | None = None
        self.views: dict[str, Any] = {}
        if data is not None and isinstance(data.get("views"), dict):
            self.item = data["item"] if isinstance(data.get("item"), dict) else None
            self.views = data["views"]
        self.dirty = False

    def get(self, name: str) -> Any:
        return self.views.get(name)

    def put(self, name: str, value: Any) -> None:
        if self.views.get(name) != value:
            self.views[name] = value
            self.dirty = True

    def set_item(self, item: Any) -> None:
        """Keep the item's data (a pydantic item, as the JSON its model writes)."""
        if self.item is None:
            self.item = item.model_dump(mode="json")
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            _write("items", self.key, {"item": self.item, "views": self.views})
            self.dirty = False


class DrawnItems:
    """The items of the banks a command names, from the cache where it has them, else drawn.

    ``load`` loads the bank the usual way (``qbank.cli.options.load_from_options``); it runs
    only when something is not cached, and its errors are the command's. With the cache
    off, every call takes the full path and nothing is written.
    """

    def __init__(self, banks: Sequence[str], builtin: bool, load: Callable[[], Any]):
        self._load = load
        self._bank: Any = None
        self._entries: dict[str, Entry] = {}
        self.on = enabled() and (builtin or bool(banks))
        self._files = bank_files(banks, builtin) if self.on else None
        self._index_key = _key("index", [digest for _, digest in self._files]) if self._files is not None else None
        self.templates: dict[str, TemplateInfo] | None = None
        if self._index_key is not None:
            found = _read("indexes", self._index_key)
            try:
                self.templates = {t.id: t for t in map(TemplateInfo.from_json, found["templates"])} if found else None
            except (KeyError, TypeError, ValueError):
                self.templates = None

    # -- the bank -------------------------------------------------------------------------

    def bank(self) -> Any:
        """The bank, loaded (once); indexes it for the next run when the index was missing."""
        if self._bank is None:
            self._bank = self._load()
            if self.templates is None and self._index_key is not None and self._files is not None:
                index = _index_of(self._bank, self._files)
                if index is not None:
                    _write("indexes", self._index_key, {"templates": [t.to_json() for t in index]})
                    self.templates = {t.id: t for t in index}
        return self._bank

    def require(self) -> None:
        """Make sure the bank loads, as the command's first step always did: from the index
        (which exists only for files that loaded cleanly) or by loading it."""
        if self.templates is None:
            self.bank()

    def select(self, *, topics: Sequence[str] = (), bloom: Sequence[str] = ()) -> list[Any]:
        """:meth:`Bank.select` by topics and Bloom levels: templates (or their index entries) in bank order."""
        if self.templates is None:
            return list(self.bank().select(topics=topics, bloom=bloom))
        wanted_topics, wanted_bloom = set(topics), {str(b) for b in bloom}
        return [t for t in self.templates.values()
                if (not topics or wanted_topics.intersection(t.tags.topics)) and (not bloom or t.tags.bloom in wanted_bloom)]

    def did_you_mean(self, value: str, kind: str) -> str:
        return str(self.bank().did_you_mean(value, kind))

    def __getitem__(self, template_id: str) -> Any:
        return self.bank()[template_id]

    # -- items ----------------------------------------------------------------------------

    def resolve(self, item_id: str, seed: int | None) -> tuple[str, int] | None:
        """(template id, seed) of :meth:`Bank.item`, from the index; None for anything that
        is not simply an item of the bank (an error: the full path reports it)."""
        known = self.templates
        if known is None:
            return None
        if item_id in known and seed is not None:
            return item_id, seed
        parsed = parse_item_id(item_id)
        if parsed is None or parsed[0] not in known:
            return (item_id, 0) if item_id in known else None
        template_id, version, item_seed = parsed
        if version != known[template_id].version:
            return None
        return template_id, item_seed if seed is None else seed

    def entry(self, template_id: str, seed: int) -> Entry | None:
        """The cache entry of an item (new and empty on a miss); None when the cache cannot hold it."""
        if self.templates is None or self._files is None or template_id not in self.templates:
            return None
        key = _key("item", self._files[self.templates[template_id].file][1], template_id, seed)
        if key not in self._entries:
            self._entries[key] = Entry(key, _read("items", key))
        return self._entries[key]

    def find(self, item_id: str, seed: int | None) -> Entry | None:
        where = self.resolve(item_id, seed)
        return self.entry(*where) if where is not None else None

    def draw(self, item_id: str, seed: int | None) -> tuple[Any, Entry | None]:
        """The full item (drawn by its template) and its entry, with the item's data kept in it."""
        item = self.bank().item(item_id, seed)
        entry = self.entry(item.template, item.seed)
        if entry is not None:
            entry.set_item(item)
        return item, entry

    def view(self, item_id: str, seed: int | None, name: str, make: Callable[[Any], str]) -> tuple[str, Entry | None]:
        """The text view ``name`` of an item (``make(item)`` on the full item when not cached) and its entry."""
        entry = self.find(item_id, seed)
        if entry is not None and entry.item is not None:
            value = entry.get(name)
            if isinstance(value, str):
                return value, entry
        item, entry = self.draw(item_id, seed)
        value = make(item)
        if entry is not None:
            entry.put(name, value)
        return value, entry

    def item(self, item_id: str, seed: int | None = None) -> Any:
        """:meth:`Bank.item` for grading: a light item (:mod:`._light`) when the cache has the
        item and it needs no rubric, else the full item."""
        from ._light import light_item, needs_rubric

        entry = self.find(item_id, seed)
        if entry is not None and entry.item is not None and not needs_rubric(entry.item):
            return light_item(entry.item)
        return self.draw(item_id, seed)[0]

    def memo(self, kind: str, parts: Sequence[Any], make: Callable[[], Any]) -> Any:
        """``make()``, kept under ``kind`` and ``parts`` (JSON values) in ``memo/``."""
        if not self.on:
            return make()
        key = _key("memo", kind, list(parts))
        found = _read("memo", key)
        if found is not None and "value" in found:
            return found["value"]
        value = make()
        _write("memo", key, {"value": value})
        return value

    def save(self) -> None:
        """Write every entry that gained data or a view in this run."""
        for entry in self._entries.values():
            entry.save()
