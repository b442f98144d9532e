"""The build cache: building the same quiz from the same files again writes the files it wrote.

A build is a pure function of its inputs (the spec, the roster, the bank files, the options
and qbank's code): the same inputs give byte-identical files. So after a build has written
its files, they are kept in the user cache folder (``<cache>/qbank/builds/<key>/``) with
the list of every file the build read and the SHA-256 of each. The next build with the
same command line looks the entry up and re-reads those files; only when every one still
has the same bytes, every bank folder still holds the same files, and the code is the same
are the kept files written again, through the same staged publish as a fresh build (so
``--force``, the conflict checks and the manifest-last order are unchanged).

* never stale: the key covers the command (spec path, banks, roster, columns, formats,
  options, working folder), the code stamp (every module of qbank, the libraries that draw
  and render, the Python version) and ``QBANK_*`` settings; the entry holds the digest of
  every file read; any difference is a miss and a full build;
* safe to delete, in part or whole; a corrupt or foreign entry is a miss (every kept file
  is checked against its digest before it is used);
* written atomically (a temporary folder renamed into place); the oldest entries go past
  ``MAX_ENTRIES``, and builds larger than ``MAX_BYTES`` are not kept;
* PDF builds are never kept (they depend on the fonts installed).

Nothing in an entry is executed: it is JSON and the files' bytes.
``QBANK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Hit", "Inputs", "MAX_BYTES", "MAX_ENTRIES", "cache_folder", "files_read", "lookup", "store"]

FORMAT = 1
MAX_ENTRIES = 8
MAX_BYTES = 256 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parents[1]  # src/qbank
# What else decides a build's bytes: drawing (numpy), validation (pydantic), reading (PyYAML,
# yaml-rs), rendering (markdown, jinja2, markupsafe).
_LIBRARIES = ("numpy", "pydantic", "pydantic_core", "yaml", "yaml_rs", "markdown", "jinja2", "markupsafe")
_BANK_SUFFIXES = (".yaml", ".yml")


def cache_folder() -> Path:
    """Where entries live: the user cache folder (``$XDG_CACHE_HOME/qbank/builds`` on Linux)."""
    import platformdirs

    return platformdirs.user_cache_path("qbank", appauthor=False) / "builds"


def _enabled() -> bool:
    return os.environ.get("QBANK_NO_CACHE", "") in ("", "0")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """The size and modification time of every file of the qbank package and of the
    libraries in ``_LIBRARIES`` (found without importing them), and the Python version."""
    from importlib.util import find_spec

    parts = [f"format {FORMAT}", sys.version]
    for folder, _, names in sorted(os.walk(_PACKAGE)):
        if "__pycache__" in folder:
            continue
        for name in sorted(names):
            if name.endswith((".py", ".yaml", ".json", ".j2", ".html", ".css", ".js", ".typ")):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{os.path.relpath(os.path.join(folder, name), _PACKAGE)} {st.st_size} {st.st_mtime_ns}")
    for name in _LIBRARIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        st = os.stat(origin) if origin and os.path.exists(origin) else None
        parts.append(f"{name} {origin} {st.st_size if st else 0} {st.st_mtime_ns if st else 0}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """A build's command: the options that shape its files (the key of its entry)."""

    command: Mapping[str, Any]  # JSON data

    def key(self) -> str:
        env = {k: v for k, v in os.environ.items() if k.startswith("QBANK_")}
        blob = json.dumps({"stamp": code_stamp(), "cwd": os.getcwd(), "command": self.command, "env": env},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def files_read(files: Sequence[Path], bank_sources: Sequence[Path]) -> dict[str, str] | None:
    """What a build read, to be found unchanged before its files are used again: each file
    (the spec, the roster, every bank file) by absolute path with the SHA-256 of its bytes,
    and each bank folder with the list of its bank files; None when one cannot be read."""
    read: dict[str, str] = {}
    try:
        for path in files:
            read[str(path.resolve())] = _digest(path)
        for source in bank_sources:
            found = [source]
            if source.is_dir():
                found = _bank_files(source)
                read[f"{_FOLDER}{source.resolve()}"] = _listing(found)
            for path in found:
                read[str(path.resolve())] = _digest(path)
    except OSError:
        return None
    return read


_FOLDER = "folder "


def _bank_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in _BANK_SUFFIXES and p.is_file())


def _listing(paths: Sequence[Path]) -> str:
    return hashlib.sha256("\n".join(str(p.resolve()) for p in paths).encode()).hexdigest()


def _unchanged(read: Any) -> bool:
    """Does every file and folder an entry's build read still hold what it held then?"""
    if not isinstance(read, dict) or not read:
        return False
    try:
        for name, digest in read.items():
            if name.startswith(_FOLDER):
                now = _listing(_bank_files(Path(name[len(_FOLDER):])))
            else:
                now = _digest(Path(name))
            if now != digest:
                return False
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Hit:
    files: dict[str, bytes]  # as Outputs.files: posix path under OUTDIR -> content, in writing order
    formats: tuple[str, ...]
    warnings: tuple[str, ...]
    summary: dict[str, Any]


def _digest(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def lookup(inputs: Inputs) -> Hit | None:
    """The files an earlier build with these inputs wrote, or None (a miss)."""
    if not _enabled():
        return None
    folder = cache_folder() / inputs.key()
    try:
        entry = json.loads((folder / "entry.json").read_bytes())
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or not _unchanged(entry.get("read")):
            return None
        blob = (folder / "files.bin").read_bytes()
        files: dict[str, bytes] = {}
        offset = 0
        for rel, size, digest in entry["files"]:
            content = blob[offset : offset + size]
            offset += size
            if len(content) != size or hashlib.sha256(content).hexdigest() != digest:
                return None
            files[rel] = content
        if offset != len(blob):
            return None
        os.utime(folder)  # most recently used: pruned last
        return Hit(files, tuple(entry["formats"]), tuple(entry["warnings"]), dict(entry["summary"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def store(inputs: Inputs, read: dict[str, str] | None, files: Mapping[str, bytes], formats: Sequence[str],
          warnings: Sequence[str], summary: Mapping[str, Any]) -> None:
    """Keep a build's files. ``read`` is :func:`files_read` taken before the build: if any
    file changed while it ran, nothing is kept. Failures are ignored."""
    if not _enabled() or read is None or sum(len(c) for c in files.values()) > MAX_BYTES:
        return
    if not _unchanged(read):
        return
    root = cache_folder()
    target = root / inputs.key()
    entry = {"format": FORMAT, "read": read, "formats": list(formats), "warnings": list(warnings),
             "summary": dict(summary),
             "files": [[rel, len(content), hashlib.sha256(content).hexdigest()] for rel, content in files.items()]}
    try:
        root.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
        try:
            with open(temp / "files.bin", "wb") as f:
                for content in files.values():
                    f.write(content)
            (temp / "entry.json").write_text(json.dumps(entry), encoding="utf-8")
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)
            os.replace(temp, target)
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        _prune(root)
    except OSError:
        pass


def _prune(root: Path) -> None:
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-MAX_ENTRIES]:
        shutil.rmtree(old, ignore_errors=True)
