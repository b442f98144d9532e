"""What an importer hands the writer: questions as static-item content, and what it skipped.

Every importer produces :class:`Imported` questions (a static item's ``content`` as plain
data, with where it came from) and :class:`Skipped` entries for what qbank cannot represent;
both name the file, the line (or zip member) and the question, so a report can point at them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import BankError, Problem

__all__ = ["ESSAY_RUBRIC_NOTE", "Imported", "ImportResult", "Media", "Place", "Skipped", "fail", "slug"]


@dataclass(frozen=True)
class Place:
    """Where a question is in the input: file (``file.zip!member`` inside a zip), line, name."""

    file: str
    line: int | None = None
    name: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.name}" if self.name else where


@dataclass
class Imported:
    place: Place
    title: str
    content: dict[str, Any]
    category: tuple[str, ...] = ()
    id: str | None = None  # an id the source carries (Moodle idnumber, QTI identifier, "[id]" in a name)
    points: float | None = None
    notes: list[str] = field(default_factory=list)  # what changed on the way in, said per question
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    place: Place
    reason: str

    def __str__(self) -> str:
        return f"{self.place}: skipped: {self.reason}"


class Media:
    """Images found in the input, to be copied beside the bank (content-addressed names)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._by_digest: dict[str, str] = {}

    def add(self, name: str, data: bytes) -> str:
        """Store an image (once per content); returns its path relative to the bank folder."""
        digest = hashlib.blake2b(data, digest_size=6).hexdigest()
        if digest in self._by_digest:
            return self._by_digest[digest]
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.rsplit("/", 1)[-1]).strip("-.") or "image"
        path = self._by_digest[digest] = f"media/{digest}-{base}"
        self.files[path] = data
        return path


@dataclass
class ImportResult:
    questions: list[Imported] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    media: Media = field(default_factory=Media)
    format: str = ""


ESSAY_RUBRIC_NOTE = ("imported as an open response with a placeholder rubric (criterion 'graded-by-hand', "
                     "met by no answer): the source has no rubric; write one before qbank grades it")


def fail(place: Place, message: str) -> BankError:
    """A BankError for one problem at ``place`` (the question's name goes in the field slot)."""
    return BankError([Problem(place.file, message, path=f"question {place.name!r}" if place.name else "", line=place.line)])


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, limit: int = 60) -> str:
    """A lower-case id fragment: letters and digits joined by hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = _SLUG.sub("-", ascii_text.lower()).strip("-")
    return out[:limit].rstrip("-")


_MIME_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg", "image/webp": "webp"}


def image_resolver(media: Media, lookup: Any, notes: list[str]) -> Any:
    """An :data:`~qbank.importers._html.ImageResolver`: ``data:`` URIs are decoded, other local
    references are looked up with ``lookup(name) -> bytes | None`` (Moodle's embedded files,
    zip members), and web addresses are kept as they are."""
    import base64
    import binascii
    from urllib.parse import unquote

    def resolve(src: str) -> str | None:
        if src.startswith("data:"):
            head, _, payload = src.partition(",")
            if ";base64" not in head:
                notes.append("an inline image that is not base64 was left as it is")
                return None
            try:
                data = base64.b64decode(payload, validate=False)
            except (binascii.Error, ValueError):
                notes.append("an inline image with broken base64 was left as it is")
                return None
            mime = head[5:].split(";")[0]
            return media.add(f"image.{_MIME_EXT.get(mime, 'bin')}", data)
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", src):
            return None
        name = unquote(src.removeprefix("@@PLUGINFILE@@/").split("?")[0])
        data = lookup(name) if lookup else None
        if data is None:
            notes.append(f"the image {src!r} is not in the source; its reference was kept")
            return None
        return media.add(name, data)

    return resolve


def name_and_id(name: str, idnumber: str = "") -> tuple[str, str | None]:
    """(title, id) from a question name: qbank writes names as ``Title [item-id]``; any other
    name is a title (its id is then derived from it)."""
    m = re.fullmatch(r"(?s)(.*?)\s*\[([A-Za-z][A-Za-z0-9_.-]*)\]", name)
    if m and m.group(1):
        return m.group(1), idnumber or m.group(2)
    return name, idnumber or None
