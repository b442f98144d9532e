"""Imported questions to a bank folder: one YAML file per category, written all at once.

Every question becomes a static template (``id``, ``title``, ``tags``, ``points``,
``content``) validated by qbank's own :class:`~qbank.questions.template.Template` model
before anything is written, so ``qbank validate`` accepts the folder. The folder is built
under a temporary name beside the target and renamed into place: a failed import leaves
nothing behind, and an existing bank is never overwritten.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import BankError, InputError, Problem
from ._build import IMPORTED_MISCONCEPTION
from ._result import Imported, ImportResult, Skipped, slug

# What the placeholder misconception of imported wrong answers says (replace it with the real one).
IMPORTED_MEANING = "a wrong answer imported from an LMS file, which does not say which misconception it stands for"

__all__ = ["bank_files", "template_ids", "write_bank"]

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def _derived_id(q: Imported) -> str:
    if q.id and _IDENTIFIER.match(q.id) and len(q.id) <= 120:
        return q.id
    base = slug(q.title or q.content.get("stem", ""), limit=50) or "question"
    if not base[0].isalpha():
        base = "q-" + base
    if q.place.name:
        return base
    # no name in the source: the id is a hash of the question, so it is stable across imports
    digest = hashlib.blake2b(repr(sorted(q.content.items())).encode(), digest_size=4).hexdigest()
    return f"{base}-{digest}"


def _source(q: Imported) -> str:
    return Path(q.place.file.split("!")[0]).stem


def template_ids(result: ImportResult) -> list[tuple[Imported, str]]:
    """Each question with the id it gets, in order.

    A question without a name (Aiken, Blackboard) that repeats an earlier one word for word
    is imported once; the repeat is listed in ``result.skipped``.

    Raises:
        BankError: two questions with the same name.
    """
    out: list[tuple[Imported, str]] = []
    seen: dict[str, Imported] = {}
    problems = []
    for q in result.questions:
        ident = _derived_id(q)
        other = seen.get(ident)
        if other is not None:
            if q.place.name and other.place.name and q.place.name != other.place.name and not q.id:
                ident = f"{ident}-{hashlib.blake2b(q.place.name.encode(), digest_size=3).hexdigest()}"
            elif q.place.file.split("!")[0] != other.place.file.split("!")[0]:
                # the same name in another file is not a clash: the file's name tells them apart
                path = q.place.file.split("!")[0]
                ident = next(c for c in (f"{ident}-{slug(_source(q), limit=30)}",
                                         f"{ident}-{slug(_source(q), limit=30)}-{hashlib.blake2b(path.encode(), digest_size=3).hexdigest()}")
                             if c not in seen)
            elif not q.place.name and not other.place.name:
                result.skipped.append(Skipped(q.place, f"the same question as at {other.place}; imported once"))
                continue
            else:
                problems.append(Problem(q.place.file, f"duplicate name: {q.place.name!r} (id {ident!r}) is already "
                                        f"used at {other.place}", path=f"question {q.place.name!r}", line=q.place.line))
                continue
        seen[ident] = q
        out.append((q, ident))
    if problems:
        raise BankError(problems)
    return out


def _file_name(category: tuple[str, ...], fallback: str) -> str:
    name = "-".join(s for s in (slug(c, limit=40) for c in category) if s) or slug(fallback) or "imported"
    return f"{name}.yaml"


def bank_files(result: ImportResult, *, bloom: str = "remember") -> dict[str, list[dict[str, Any]]]:
    """File name -> template dicts, every one validated as a qbank template; questions without
    a category go into a file named after the file they came from.

    Raises:
        BankError: a question qbank's model rejects, or a duplicate, with file, line and name.
    """
    from pydantic import ValidationError

    from ..questions.template import Template

    files: dict[str, list[dict[str, Any]]] = {}
    problems = []
    for q, ident in template_ids(result):
        topics = list(dict.fromkeys(s for s in (slug(c) for c in q.category) if s))
        tags: dict[str, Any] = {"topics": topics, "bloom": bloom}
        if q.keywords:
            tags["keywords"] = list(q.keywords)
        template: dict[str, Any] = {"id": ident, "title": (q.title or ident).strip() or ident, "tags": tags}
        if q.points is not None and q.points <= 0:
            q.notes.append(f"worth {q.points:g} points in the source; qbank items are worth more than 0, so it is worth 1")
        elif q.points is not None and q.points != 1:
            template["points"] = q.points
        template["content"] = q.content
        try:
            Template.model_validate(template)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p.endswith("Content")))
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(q.place.file, f"qbank cannot take this question: {where}: {msg}",
                                    path=f"question {q.place.name!r}" if q.place.name else "", line=q.place.line))
            continue
        files.setdefault(_file_name(q.category, _source(q)), []).append(template)
    if problems:
        raise BankError(problems)
    return files


def _uses(value: Any, misconception: str) -> bool:
    if isinstance(value, dict):
        return value.get("misconception") == misconception or any(_uses(v, misconception) for v in value.values())
    if isinstance(value, list):
        return any(_uses(v, misconception) for v in value)
    return False


def _dump(templates: list[dict[str, Any]], header: str) -> str:
    from ..questions.loader import BankFile
    from ._yaml import dump_yaml

    data: dict[str, Any] = {}
    # Banks that check misconception ids against the catalogue take a file's own declarations.
    if "misconceptions" in BankFile.model_fields and _uses(templates, IMPORTED_MISCONCEPTION):
        data["misconceptions"] = {IMPORTED_MISCONCEPTION: IMPORTED_MEANING}
    data["templates"] = templates
    return header + dump_yaml(data)


def report_lines(result: ImportResult) -> list[str]:
    """One line per skipped question and per note, each naming the place."""
    lines = [str(s) for s in result.skipped]
    for q in result.questions:
        lines += [f"{q.place}: {note}" for note in q.notes]
    return lines


def write_bank(result: ImportResult, out: str | Path, *, bloom: str = "remember", sources: str = "") -> list[Path]:
    """Write the bank folder ``out``; returns the bank files written.

    Raises:
        InputError: ``out`` exists and is not an empty folder.
        BankError: see :func:`bank_files`.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists and is not empty; qbank import writes a new bank folder "
                         "(choose another -o or remove it)")
    from .._gc import gc_paused

    with gc_paused():  # thousands of template dicts and validated models, no cycles
        files = bank_files(result, bloom=bloom)
        texts = {name: _dump(templates, "") for name, templates in files.items()}
    if not files:
        raise InputError("nothing to import: every question was skipped (see the list above)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        header = f"# Imported by `qbank import` from {sources or 'LMS files'} ({result.format}).\n"
        written = []
        for name in sorted(texts):
            (tmp / name).write_text(header + texts[name], encoding="utf-8")
            written.append(out / name)
        for rel, data in sorted(result.media.files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        lines = report_lines(result)
        if lines:
            (tmp / "import-report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty, checked above
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
