"""Rendering a built quiz in every requested format, and writing the files.

Everything is rendered in memory first (:func:`render_outputs`); only then does
:func:`write_outputs` write, each file atomically and the manifest last. A failure while
rendering therefore writes nothing. Output layout under OUTDIR::

    manifest.json                  who got which variant (``qbank grade`` reads it)
    lms/<quiz>-<format><suffix>    LMS imports: one group of K variants per question, pick 1
                                   (and the JSON export of the same groups, keys included)
    paper/quiz<suffix>             every student's paper in one printable file (no keys;
                                   plain HTML even with --self-check)
    paper/key<suffix>              every student's answer key in one file
    students/<id>/quiz.json        the student's item ids, for ``qbank check`` (no keys)
    students/<id>/quiz<suffix>     the student's own paper
    students/<id>/key<suffix>      the student's own answer key

Without a roster there is one sample paper (paper/quiz, paper/key) and no students/.
Files a previous build wrote that this one does not (a student who left the roster, a
format no longer asked for) stop the build unless ``force`` is set, and are then removed;
files qbank did not write are kept. The build is staged and swapped in whole: see
:mod:`qbank.quiz.publish`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import json_text
from .._gc import CycleCollector
from ..errors import InputError
from .build import BuildResult, Paper

__all__ = ["Outputs", "STUDENT_QUIZ_FORMAT", "choose_formats", "render_outputs", "student_quiz_json", "write_outputs"]

STUDENT_QUIZ_FORMAT = "qbank-student-quiz/1"
SELFCHECK = "selfcheck"
PAGE_BREAK_MD = '\n\n<div style="break-after: page; page-break-after: always"></div>\n\n'


@dataclass(frozen=True)
class Outputs:
    files: dict[str, bytes]  # posix path relative to OUTDIR -> content, in writing order
    formats: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def _bundle(fmt: Any) -> bool:
    """LMS imports and the JSON export hold every variant with keys: they go to lms/."""
    return bool(fmt.lms) or fmt.suffix == ".json"


def choose_formats(names: Sequence[str] | None, *, self_check: bool = False) -> tuple[list[Any], Any | None]:
    """The Format objects for ``names`` (default: every registered format), and the self-check format.

    Raises:
        InputError: an unknown name (listing the available ones), or --self-check without html.
    """
    from ..renderers import format_names, get_format

    available = [name for name in format_names() if name != SELFCHECK]
    if not names:
        chosen = [f for f in map(get_format, available) if f.default]
    else:
        unknown = [n for n in names if n not in available]
        if unknown:
            hint = " (self-check HTML is `--format html --self-check`)" if SELFCHECK in unknown else ""
            raise InputError(f"unknown format {', '.join(repr(u) for u in unknown)}{hint}; "
                             f"available: {', '.join(available)}")
        chosen = [get_format(n) for n in dict.fromkeys(names)]
    selfcheck = None
    if self_check:
        if "html" not in {f.name for f in chosen}:
            raise InputError("--self-check makes the students' HTML self-checking; add html to --format")
        try:
            selfcheck = get_format(SELFCHECK)
        except InputError:
            raise InputError("--self-check needs the 'selfcheck' format, which this qbank does not have") from None
    return chosen, selfcheck


def student_quiz_json(result: BuildResult, paper: Paper) -> str:
    """The agreed student quiz file: item ids and points per slot, never keys."""
    data = {
        "format": STUDENT_QUIZ_FORMAT,
        "quiz_id": result.manifest.quiz_id,
        "title": result.manifest.title,
        "student": paper.student.id,
        "items": [{"slot": e.slot, "item": e.item, "points": e.points} for e in paper.record.items],
    }
    return json_text(data)


def _combine(docs: list[str | bytes], suffix: str) -> str | None:
    """Several papers as one printable file, a page break between them (None: cannot combine)."""
    if not docs or not all(isinstance(d, str) for d in docs):
        return None
    texts: list[str] = [d for d in docs if isinstance(d, str)]
    if len(texts) == 1:
        return texts[0]
    if suffix == ".md":
        return PAGE_BREAK_MD.join(t.rstrip("\n") for t in texts) + "\n"
    if suffix in (".html", ".htm"):
        bodies = []
        for t in texts:
            start, end = re.search(r"<body\b[^>]*>", t, re.I), t.lower().rfind("</body>")
            if start is None or end < start.end():
                return None
            bodies.append(t[start.end():end])
        first = texts[0]
        head = first[: re.search(r"<body\b[^>]*>", first, re.I).end()]  # type: ignore[union-attr]
        tail = first[first.lower().rfind("</body>"):]
        pages = "".join(f'\n<section class="qbank-paper" style="break-after: page; page-break-after: always">{b}</section>\n'
                        for b in bodies)
        return head + pages + tail
    return "\f\n".join(texts)


def _label(result: BuildResult, paper: Paper) -> Any:
    """Who a paper is for, for formats that print it on every page (PDF)."""
    from ..renderers import PaperLabel

    return PaperLabel(paper.student.id, paper.student.name, result.manifest.spec_hash[:8], sample=not result.from_roster)


def _encode(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _names(formats: list[Any], stem: str) -> dict[str, str]:
    """format name -> file name: ``quiz.md``; ``quiz-<format>.ext`` when two formats share a suffix."""
    out, seen = {}, set()
    for f in formats:
        out[f.name] = f"{stem}{f.suffix}" if f.suffix not in seen else f"{stem}-{f.name}{f.suffix}"
        seen.add(f.suffix)
    return out


def render_outputs(result: BuildResult, formats: list[Any], *, selfcheck: Any | None = None,
                   progress: Callable[[Iterable[Any], int, str], Iterable[Any]] | None = None) -> Outputs:
    """Every output file of a build, rendered in memory."""
    progress = progress or (lambda items, total, label: items)
    files: dict[str, bytes] = {}
    warnings: dict[str, None] = {}

    def render(fmt: Any, assessment: Any, audience: str) -> str | bytes:
        rendered = fmt.render(assessment, audience=audience)
        for w in rendered.warnings:
            warnings[f"{fmt.name}: {w}"] = None
        return rendered.content

    quiz_id = result.manifest.quiz_id
    bundles = [f for f in formats if _bundle(f)]
    papers = [f for f in formats if not _bundle(f) and f.render_papers is None]
    batched = [f for f in formats if not _bundle(f) and f.render_papers is not None]
    for fmt in bundles:
        audience = "instructor" if "instructor" in fmt.audiences else fmt.audiences[0]
        files[f"lms/{quiz_id}-{fmt.name}{fmt.suffix}"] = _encode(render(fmt, result.lms, audience))

    quiz_names, key_names = _names(papers, "quiz"), _names(papers, "key")
    student_docs: dict[str, list[str | bytes]] = {f.name: [] for f in papers}
    key_docs: dict[str, list[str | bytes]] = {f.name: [] for f in papers}
    collect_cycles = CycleCollector()  # a template's macros leave its render context in a cycle
    for paper in progress(result.papers, len(result.papers), "Rendering papers"):
        collect_cycles()
        folder = f"students/{paper.student.id}"
        if result.from_roster:
            files[f"{folder}/quiz.json"] = student_quiz_json(result, paper).encode("utf-8")
        for fmt in papers:
            if "student" in fmt.audiences:
                self_checking = selfcheck is not None and fmt.name == "html"
                doc = render(selfcheck if self_checking else fmt, paper.assessment, "student")
                if result.from_roster:
                    files[f"{folder}/{quiz_names[fmt.name]}"] = _encode(doc)
                    # The combined file is for printing: plain HTML, not one script per student.
                    if self_checking:
                        doc = render(fmt, paper.assessment, "student")
                student_docs[fmt.name].append(doc)
            if "instructor" in fmt.audiences:
                key = render(fmt, paper.assessment, "instructor")
                key_docs[fmt.name].append(key)
                if result.from_roster:
                    files[f"{folder}/{key_names[fmt.name]}"] = _encode(key)
    for fmt in papers:
        for names, docs in ((quiz_names, student_docs), (key_names, key_docs)):
            combined = _combine(docs[fmt.name], fmt.suffix)
            if combined is not None:
                files[f"paper/{names[fmt.name]}"] = _encode(combined)
            elif docs[fmt.name] and not result.from_roster:
                files[f"paper/{names[fmt.name]}"] = _encode(docs[fmt.name][0])
    for fmt in batched:  # formats that render every paper at once (PDF: one typesetting run, then cut)
        for stem, audience in (("quiz", "student"), ("key", "instructor")):
            if audience not in fmt.audiences:
                continue
            batch = fmt.render_papers([(p.assessment, _label(result, p)) for p in result.papers], audience=audience)
            warnings.update(dict.fromkeys(f"{fmt.name}: {w}" for w in batch.warnings))
            if result.from_roster:
                for paper, doc in zip(result.papers, batch.papers):
                    files[f"students/{paper.student.id}/{stem}{fmt.suffix}"] = doc
            files[f"paper/{stem}{fmt.suffix}"] = batch.combined
    files["manifest.json"] = result.manifest.to_json().encode("utf-8")
    return Outputs(files, tuple(f.name for f in formats), tuple(warnings))


def write_outputs(outdir: str | Path, outputs: Outputs,
                  progress: Callable[[Iterable[Any], int, str], Iterable[Any]] | None = None,
                  *, force: bool = False) -> list[Path]:
    """Write every file as one build, the manifest last (see :mod:`qbank.quiz.publish`).

    Raises:
        OutputConflict: OUTDIR holds files of an earlier build that this one does not write
            (or foreign files it would overwrite), and ``force`` is not set; nothing is written.
    """
    from .publish import check_outdir, publish

    check_outdir(outdir)
    return publish(outdir, outputs.files, force=force, progress=progress)
