"""The parsed-bank cache: a bank file that passed every check is not parsed or checked again.

An entry is the file's templates as parsed data (JSON) plus the module of each family they
use, stored under ``<user cache dir>/qbank/banks/<sha256 of the file's bytes>.json``:

* never stale: the key is the content hash, so a changed byte is a miss (a re-parse and a
  full check); an entry also records the *code stamp* (qbank's question code and the
  versions it runs on), so a changed model or family re-checks every file;
* safe to delete, in part or whole: a missing entry is a miss;
* a corrupt, truncated or foreign entry is a miss too (and is rewritten);
* written atomically (a temporary file and a rename), so a reader never sees half an entry;
* only files that loaded without a problem are stored, so an error is always reported
  from the file itself, with its lines.

Nothing in an entry is executed: it is JSON, validated by the same models as the file, and
a family module is imported from it only if it is one of qbank's own.
``QBANK_NO_CACHE=1`` turns the cache off (reads and writes).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["cache_folder", "code_stamp", "entry_of", "lookup", "store"]

FORMAT = 1
MAX_ENTRIES = 64  # older entries (by modification time) are removed past this many
_PACKAGE = Path(__file__).resolve().parents[1]  # src/qbank


def cache_folder() -> Path:
    """Where entries live: the user cache folder (``$XDG_CACHE_HOME/qbank/banks`` on Linux)."""
    import platformdirs

    return platformdirs.user_cache_path("qbank", appauthor=False) / "banks"


def _enabled() -> bool:
    return os.environ.get("QBANK_NO_CACHE", "") in ("", "0")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """Changes whenever the code that parses and checks a bank may have changed.

    The size and modification time of every module of ``qbank.questions`` (models,
    families) and of the file reader, of the pydantic, pydantic-core and PyYAML packages
    (found without importing them: a new version is a new file), and the Python version.
    """
    from importlib.util import find_spec

    files = [_PACKAGE / "_files.py", _PACKAGE / "errors.py"]
    for folder in (_PACKAGE / "questions", _PACKAGE / "questions" / "families"):
        with os.scandir(folder) as it:
            files += [Path(e.path) for e in it if e.name.endswith(".py")]
    parts = [f"format {FORMAT}", sys.version]
    for f in sorted(files):
        st = f.stat()
        parts.append(f"{f.relative_to(_PACKAGE)} {st.st_size} {st.st_mtime_ns}")
    for name in ("pydantic", "pydantic_core", "yaml"):
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        st = os.stat(origin) if origin else None
        parts.append(f"{name} {origin} {st.st_size if st else 0} {st.st_mtime_ns if st else 0}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _entry(digest: str) -> Path:
    return cache_folder() / f"{digest}.json"


def lookup(raw: bytes) -> tuple[str, dict[str, Any] | None]:
    """The content hash of ``raw`` and its entry (``templates``, ``families``), or None."""
    digest = hashlib.sha256(raw).hexdigest()
    return digest, entry_of(digest)


def entry_of(digest: str) -> dict[str, Any] | None:
    """The entry of the file whose bytes have this SHA-256, or None (see :func:`lookup`)."""
    if not _enabled():
        return None
    try:
        entry = json.loads(_entry(digest).read_bytes())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(entry, dict)
        or entry.get("format") != FORMAT
        or entry.get("sha256") != digest
        or entry.get("stamp") != code_stamp()
        or not isinstance(entry.get("templates"), list)
        or not all(isinstance(t, dict) and isinstance(t.get("id"), str) for t in entry["templates"])
        or not isinstance(entry.get("families"), dict)
    ):
        return None
    return entry


def store(digest: str, templates: list[Any], families: dict[str, str], *, json_data: bool = False) -> None:
    """Remember a file that loaded cleanly; any failure (read-only disk, odd data) is ignored.

    ``json_data``: the parser has already checked that the templates hold only JSON types,
    so the check that JSON gives them back unchanged is skipped.
    """
    if not _enabled():
        return
    entry = {"format": FORMAT, "sha256": digest, "stamp": code_stamp(), "templates": templates, "families": families}
    try:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if not json_data and json.loads(text)["templates"] != templates:
            return  # YAML gave something JSON does not keep as is (a date, an int key): parse it each time
    except (TypeError, ValueError):
        return
    from .._files import atomic_write

    try:
        atomic_write(_entry(digest), text)
        _prune(cache_folder())
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-MAX_ENTRIES]:
        old.unlink(missing_ok=True)
