"""Zip packages (Canvas QTI 1.2, QTI 2.1 content packages): the manifest and its members.

Members are read into memory, never extracted, so a member name cannot reach outside any
folder; the total size read is bounded (a zip bomb stops with an error). Every file the
manifest names must be in the zip, as Canvas and QTI players require.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any
from urllib.parse import unquote

from ..errors import BankError, Problem
from ._xml import local, parse_xml

__all__ = ["Package", "package_format"]

MAX_BYTES = 512 * 1024 * 1024  # uncompressed, over all members read


class Package:
    """An open zip with its manifest parsed."""

    def __init__(self, raw: bytes, file: str):
        self.file = file
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise BankError([Problem(file, f"not a readable zip file ({exc})")]) from None
        self.names = {i.filename: i for i in self.zip.infolist() if not i.is_dir()}
        self._read = 0
        if "imsmanifest.xml" not in self.names:
            raise BankError([Problem(file, "the zip has no imsmanifest.xml at its root (a QTI or Canvas package "
                                     "needs one)")])
        self.manifest = self.xml("imsmanifest.xml")

    def where(self, member: str) -> str:
        return f"{self.file}!{member}"

    def read(self, member: str) -> bytes:
        info = self.names.get(member)
        if info is None:
            raise BankError([Problem(self.file, f"the manifest names {member!r}, which is not in the zip")])
        self._read += info.file_size
        if self._read > MAX_BYTES:
            raise BankError([Problem(self.file, f"the package unpacks to more than {MAX_BYTES >> 20} MB; refused")])
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BankError([Problem(self.where(member), f"cannot read this member ({exc})")]) from None

    def xml(self, member: str) -> Any:
        return parse_xml(self.read(member), self.where(member))

    def lookup(self, base: str) -> Any:
        """``lookup(src) -> bytes | None`` for references relative to the member ``base``."""

        def find(src: str) -> bytes | None:
            src = unquote(src)
            for prefix in ("$IMS-CC-FILEBASE$/", "$IMS_CC_FILEBASE$/"):
                if src.startswith(prefix):
                    return self._maybe(src[len(prefix):]) or self._maybe("web_resources/" + src[len(prefix):])
            return self._maybe(posixpath.normpath(posixpath.join(posixpath.dirname(base), src)))

        return find

    def _maybe(self, member: str) -> bytes | None:
        return self.read(member) if member in self.names else None

    def resources(self) -> list[tuple[str, str, list[str], Any]]:
        """(type, href, file hrefs, element) of every manifest resource."""
        out = []
        for res in self.manifest.iter():
            if local(res.tag) != "resource":
                continue
            files = [f.get("href", "") for f in res if local(f.tag) == "file"]
            out.append((res.get("type", ""), res.get("href", "") or (files[0] if files else ""), files, res))
        return out

    def check_files(self) -> None:
        """Every ``<file href>`` of the manifest is in the zip."""
        problems = []
        for el in self.manifest.iter():
            if local(el.tag) == "file" and el.get("href") and unquote(el.get("href")) not in self.names:
                problems.append(Problem(self.where("imsmanifest.xml"), f"the manifest lists {el.get('href')!r}, "
                                        "which is not in the zip", line=el.sourceline))
        if problems:
            raise BankError(problems)


def package_format(raw: bytes, file: str) -> str:
    """qti12, qti21 or qti3, from the manifest's resource types."""
    pkg = Package(raw, file)
    types = {t for t, *_ in pkg.resources()}
    if any(t.startswith(("imsqti_item_xmlv2p", "imsqti_test_xmlv2p")) for t in types):
        return "qti21"
    if any(t.startswith(("imsqti_item_xmlv3p", "imsqti_test_xmlv3p")) for t in types):
        return "qti3"
    if any(t.startswith("imsqti_xmlv1p") for t in types):
        return "qti12"
    raise BankError([Problem(f"{file}!imsmanifest.xml", "the manifest lists no QTI resources "
                             "(types imsqti_xmlv1p2, imsqti_item_xmlv2p1 or imsqti_item_xmlv3p0)")])
