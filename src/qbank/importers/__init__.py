"""Importers: LMS question files into qbank banks of static items.

    LMS file --detect_format--> reader (moodle, gift, aiken, blackboard, qti12, qti21 for 2.1 and 3.0)
             --> ImportResult (questions as static-item content, skipped questions, images)
             --> write_bank (one YAML file per category, validated, written atomically)

Each reader is one module; they share the HTML-to-Markdown conversion (``_html``), the
answer-list builders (``_build``) and the hardened XML parser (``_xml``). Nothing in an input
is ever executed: XML is parsed without entities or network access, HTML is only tokenized,
and GIFT is read by a recursive-descent parser.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import BankError, InputError, Problem
from ._result import Imported, ImportResult, Media, Place, Skipped
from ._writer import bank_files, report_lines, write_bank

__all__ = [
    "FORMATS", "Imported", "ImportResult", "Media", "Place", "Skipped", "bank_files", "detect_format",
    "import_files", "read_file", "report_lines", "write_bank",
]

# name -> what it reads (for --format and the docs)
FORMATS: dict[str, str] = {
    "moodle": "Moodle XML (<quiz>)",
    "gift": "GIFT text",
    "aiken": "Aiken text (single choice)",
    "blackboard": "Blackboard Learn tab-delimited upload",
    "qti12": "Canvas Classic Quizzes QTI 1.2 (zip, or the assessment XML)",
    "qti21": "IMS QTI 2.1 content package (zip, or one assessmentItem XML)",
    "qti3": "IMS QTI 3.0 content package (zip, or one qti-assessment-item XML)",
}


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BankError([Problem(file, f"wrong encoding: not UTF-8 ({exc.reason} at byte {exc.start}); "
                                 "save the file as UTF-8", line=line)]) from None


def detect_format(raw: bytes, file: str) -> str:
    """The format of a file's bytes, from its content.

    Raises:
        BankError: the content matches no format (``--format`` forces one).
    """
    if raw[:4] == b"PK\x03\x04":
        from ._package import package_format

        return package_format(raw, file)
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        import re

        # the root's name, without parsing the whole document twice (the reader parses it)
        m = re.search(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]", re.sub(rb"<[?!][^>]*>", b"", head))
        if m is None:
            from ._xml import parse_xml

            parse_xml(raw, file)  # raises with the line of the error
            raise BankError([Problem(file, "no root element found")])
        name = m.group(2).decode()
        if name == "quiz":
            return "moodle"
        if name == "questestinterop":
            return "qti12"
        if name == "assessmentItem":
            return "qti21"
        if name == "qti-assessment-item":
            return "qti3"
        from ._xml import parse_xml

        root = parse_xml(raw, file)
        raise BankError([Problem(file, f"an XML file with root <{name}> is none of the formats qbank imports "
                                 "(Moodle <quiz>, QTI 1.2 <questestinterop>, QTI 2.1 <assessmentItem>, QTI 3.0 <qti-assessment-item>)",
                                 line=root.sourceline)])
    from .aiken import looks_like_aiken
    from .blackboard import looks_like_blackboard

    text = _decode(raw, file)
    if looks_like_blackboard(text):
        return "blackboard"
    if looks_like_aiken(text):
        return "aiken"
    if "{" in text:
        return "gift"
    raise BankError([Problem(file, "cannot tell the format from the content; name it with --format "
                             f"({', '.join(FORMATS)})")])


def _reader(fmt: str) -> Callable[[bytes, str, ImportResult], None]:
    if fmt == "moodle":
        from .moodle import read_moodle

        return read_moodle
    if fmt in ("gift", "aiken", "blackboard"):
        import importlib

        module = importlib.import_module(f".{fmt}", __name__)
        read_text: Callable[[str, str, ImportResult], None] = getattr(module, f"read_{fmt}")
        return lambda raw, file, result: read_text(_decode(raw, file), file, result)
    if fmt == "qti12":
        from .qti12 import read_qti12

        return read_qti12
    if fmt in ("qti21", "qti3"):
        from .qti21 import read_qti21

        return read_qti21
    raise InputError(f"unknown import format {fmt!r} (known: {', '.join(FORMATS)})")


def read_file(path: str | Path, result: ImportResult, fmt: str | None = None) -> str:
    """Read one file into ``result``; returns the format it was read as.

    Raises:
        BankError: anything wrong with the file, with its name and the line or zip member.
    """
    path = Path(path)
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; name the files to import") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    fmt = fmt or detect_format(raw, shown)
    try:
        _reader(fmt)(raw, shown, result)
    except zipfile.BadZipFile as exc:
        raise BankError([Problem(shown, f"not a readable zip file ({exc})")]) from None
    return fmt


def import_files(paths: Sequence[str | Path], fmt: str | None = None) -> ImportResult:
    """Read every file (the format of each detected unless ``fmt`` is given).

    Raises:
        BankError: every problem of every file, each with file, line (or zip member) and question.
    """
    from .._gc import gc_paused

    result = ImportResult()
    problems: list[Problem] = []
    formats = []
    # An import allocates millions of small objects and next to no cycles; see gc_paused.
    with gc_paused():
        for path in paths:
            try:
                formats.append(read_file(path, result, fmt))
            except BankError as exc:
                problems += exc.problems
    if problems:
        raise BankError(problems)
    result.format = ", ".join(dict.fromkeys(formats))
    return result
