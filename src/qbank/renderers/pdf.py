"""PDF: printable paper exams and answer keys, typeset by typst.

Each paper is typst source (the preamble ``templates/paper.typ``, then one ``qb-paper`` call)
compiled in memory by the ``typst`` package, which carries the compiler and its fonts
(Libertinus Serif, New Computer Modern Math, DejaVu Sans Mono): nothing is downloaded or
looked up on the system unless a font is asked for by name. Author Markdown and TeX go
through :mod:`._typst_markup`, which escapes every character typst could read as code.

Every page has a header with the quiz title, the student's name and id, the quiz version
and a QR code of ``qbank:<quiz>:<version>:<student>:<variant>``, and a footer with the
short code ``<student>-<variant>`` and the page number, so a scanned page can always be
matched to its student and variant. The student paper has no key; ``audience="instructor"``
adds the key, per-option feedback, explanations and rubrics.

typst is an optional dependency (the ``pdf`` extra); without it, asking for PDF fails with
:class:`~qbank.errors.InputError` naming what to install.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import InputError, QbankError
from ..questions import Assessment, letter
from . import Audience, Format, PaperLabel, Rendered, RenderedPapers, register
from ._typst_markup import typst_escape, typst_markup
from ._typst_math import typst_string

__all__ = ["EMBEDDED_FONTS", "INSTALL_HINT", "PdfOptions", "check_fonts", "paper_code", "paper_identity", "pdf_format",
           "render_pdf", "render_pdfs"]

INSTALL_HINT = "PDF output needs the typst package: pip install 'qbank[pdf]'"
EMBEDDED_FONTS = ("Libertinus Serif", "New Computer Modern", "New Computer Modern Math", "DejaVu Sans Mono")


@dataclass(frozen=True)
class PdfOptions:
    """Font settings: by default only the fonts inside typst, the same output on every machine."""

    font: str | None = None
    font_paths: tuple[str, ...] = ()
    paper: str = "a4"  # a typst paper name: "a4", "us-letter", ...


def _typst() -> Any:
    try:
        import typst
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return typst


@lru_cache(maxsize=4)
def _compiler(options: PdfOptions) -> Any:
    typst = _typst()
    system = options.font is not None
    inputs = {"paper": options.paper, **({"font": options.font} if options.font else {})}
    return typst.Compiler(font_paths=list(options.font_paths), ignore_system_fonts=not system, sys_inputs=inputs)


def check_fonts(options: PdfOptions) -> None:
    """Fail before any work when the font asked for is not there.

    Raises:
        InputError: typst is missing, a font folder does not exist, or no font has the family.
    """
    from pathlib import Path

    typst = _typst()
    for folder in options.font_paths:
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: no such font folder (--font-path)")
    if options.font is None:
        return
    families = typst.Fonts(include_system_fonts=True, font_paths=list(options.font_paths)).families()
    if options.font.casefold() not in {f.casefold() for f in families}:
        shown = ", ".join(sorted(families)[:12]) + (", ..." if len(families) > 12 else "")
        raise InputError(f"font {options.font!r} not found (fonts available: {shown}); install it, or add its folder "
                         "with --font-path DIR")


@lru_cache(maxsize=1)
def _preamble() -> str:
    return (resources.files("qbank") / "renderers" / "templates" / "paper.typ").read_text(encoding="utf-8")


def _qr_svg(payload: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="svg", xmldecl=False, svgns=True, border=1, scale=4)
    return out.getvalue().decode("ascii")


def paper_code(assessment: Assessment) -> str:
    """A short code for the set of variants on a paper (same items, same code)."""
    ids = "\n".join(item.id for item in assessment.items())
    return hashlib.blake2b(ids.encode("utf-8"), digest_size=3).hexdigest()


def paper_identity(assessment: Assessment, label: PaperLabel | None = None) -> tuple[str, str, str]:
    """(short code, quiz version, QR payload) printed on every page of a paper.

    The short code is ``<student>-<variant>``; the QR code holds
    ``qbank:<quiz>:<version>:<student>:<variant>``. Without a quiz version (a paper rendered
    outside a build) the variant code stands in for it.
    """
    variant = paper_code(assessment)
    student = label.student_id if label is not None and label.student_id else "sample"
    version = (label.quiz_version if label is not None else "") or variant
    return f"{student}-{variant}", version, f"qbank:{assessment.id}:{version}:{student}:{variant}"


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"


class _Doc:
    """Collects the typst of one paper and the warnings of its items."""

    def __init__(self, key: bool):
        self.key = key
        self.out: list[str] = []
        self.warnings: list[str] = []
        self.item_id = ""

    def md(self, text: str, inline: bool = False) -> str:
        markup, failed = typst_markup(text, inline)
        for tex in failed:
            self.warnings.append(f"{self.item_id}: math not typeset, shown as TeX source: {tex}")
        return markup

    def block(self, text: str, inline: bool = False) -> str:
        return f"[{self.md(text, inline)}]"


def _choices(doc: _Doc, spec: Any) -> str:
    lines = []
    if spec.type == "multiple_response":
        lines.append("#emph[Select all that apply.]\n")
    for i, o in enumerate(spec.options):
        correct = "true" if (doc.key and o.correct) else "none"
        lines.append(f"#qb-choice({typst_string(letter(i))}, correct: {correct}){doc.block(o.text, True)}")
    if doc.key:
        lines.append(_key(doc, f"Answer: {', '.join(letter(i) for i in spec.key)}",
                          [(letter(i), "correct" if o.correct else (o.misconception or "incorrect"), o.feedback)
                           for i, o in enumerate(spec.options) if o.feedback or o.misconception]))
    return "\n".join(lines)


def _true_false(doc: _Doc, spec: Any) -> str:
    lines = [f"#qb-choice(\"T\", correct: {'true' if doc.key and spec.answer else 'none'})[True]",
             f"#qb-choice(\"F\", correct: {'true' if doc.key and not spec.answer else 'none'})[False]"]
    if doc.key:
        wrong = spec.feedback_false if spec.answer else spec.feedback_true
        rows = [("False" if spec.answer else "True", spec.misconception or "incorrect", wrong)] if wrong else []
        lines.append(_key(doc, f"Answer: {'True' if spec.answer else 'False'}", rows))
    return "\n".join(lines)


def _number(value: float, decimals: int | None) -> str:
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def _numeric(doc: _Doc, spec: Any) -> str:
    unit = typst_string(spec.unit or "")
    lines = [f"#qb-blank([Your answer], unit: {unit})"]
    if doc.key:
        answer = _number(spec.answer, spec.decimals) + (f" {spec.unit}" if spec.unit else "")
        lines.append(_key(doc, f"Answer: {answer} (accepted within {spec.tolerance.describe()})",
                          [(f"{d.value:g}", d.misconception, d.feedback) for d in spec.distractors]))
    return "\n".join(lines)


def _short_text(doc: _Doc, spec: Any) -> str:
    lines = ["#qb-blank([Your answer])"]
    if doc.key:
        lines.append(_key(doc, "Accepted: " + " / ".join(spec.answers),
                          [(d.text, d.misconception, d.feedback) for d in spec.distractors]))
    return "\n".join(lines)


def _ordering(doc: _Doc, spec: Any) -> str:
    lines = ["Put these in order (write the letters, e.g. C A B):\n"]
    lines += [f"#qb-choice({typst_string(letter(i))}, box: false){doc.block(e, True)}" for i, e in enumerate(spec.entries)]
    lines.append("#qb-blank([Order])")
    if doc.key:
        lines.append(_key(doc, "Answer: " + " ".join(letter(i) for i in spec.answer), []))
    return "\n".join(lines)


def _matching(doc: _Doc, spec: Any) -> str:
    lines = ["Match each numbered item with a lettered choice (e.g. 1-b 2-a):\n"]
    prompts = ", ".join(f"[{i + 1}. {doc.md(p, True)} #box(width: 1.5cm, stroke: (bottom: 0.5pt), height: 1em)]"
                        for i, p in enumerate(spec.prompts))
    choices = ", ".join(f"[*{letter(j).lower()}.* {doc.md(c, True)}]" for j, c in enumerate(spec.choices))
    lines.append(f"#grid(columns: (1fr, 1fr), gutter: 1em, stack(spacing: 0.7em, {prompts}), "
                 f"stack(spacing: 0.7em, {choices}))")
    if doc.key:
        lines.append(_key(doc, "Answer: " + " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(spec.answer)), []))
    return "\n".join(lines)


def _open_response(doc: _Doc, spec: Any) -> str:
    if not doc.key:
        height = 6 if not spec.min_words else min(14, 4 + spec.min_words // 25)
        return f"#emph[Write your answer below.]\n#qb-space({height}cm)"
    total = spec.rubric.total_weight
    rows = [f"- *{typst_escape(c.id)} {typst_escape(c.title)}* ({c.weight / total:.0%}): {doc.md(c.description, True)}"
            for c in spec.rubric.criteria]
    rows += [f"- {typst_escape(f'At most {cap.max_score:.0%} unless ' + ' or '.join(cap.unless))}"
             + (f": {typst_escape(cap.reason)}" if cap.reason else "") for cap in spec.rubric.caps]
    body = "*Rubric*\n\n" + "\n".join(rows) + f"\n\n*Sample answer*\n\n{doc.md(spec.sample_answer)}"
    return f"#qb-key[{body}]"


def _multipart(doc: _Doc, spec: Any) -> str:
    parts = []
    for part in spec.parts:
        parts.append(f"#block(above: 1em)[*({typst_escape(part.label)})* {doc.md(part.prompt)}]\n{BODY[part.type](doc, part)}")
    return "\n".join(parts)


def _key(doc: _Doc, answer: str, rows: Sequence[tuple[str, str, str]]) -> str:
    """The key box: the answer, then one line per option with its misconception and feedback."""
    lines = [f"*{typst_escape(answer)}*"]
    for what, tag, feedback in rows:
        text = f" {doc.md(feedback, True)}" if feedback else ""
        lines.append(f"\n- {typst_escape(what)} ({typst_escape(tag)}):{text}")
    return "#qb-key[" + "\n".join(lines) + "]"


BODY: dict[str, Callable[[_Doc, Any], str]] = {
    "single_choice": _choices,
    "multiple_response": _choices,
    "true_false": _true_false,
    "numeric": _numeric,
    "short_text": _short_text,
    "ordering": _ordering,
    "matching": _matching,
    "open_response": _open_response,
    "multipart": _multipart,
}


def _name(label: PaperLabel | None) -> str:
    if label is None or not label.student_id or label.sample:
        return ""
    return f"{label.student_name} ({label.student_id})" if label.student_name else label.student_id


def _who(label: PaperLabel | None) -> str:
    if label is None or not label.student_id or label.sample:
        return "Name: #box(width: 6cm, stroke: (bottom: 0.5pt)) #h(1em) ID: #box(width: 3cm, stroke: (bottom: 0.5pt))"
    name = f"{typst_escape(label.student_name)} " if label.student_name else ""
    return f"{name}\\({typst_escape(label.student_id)}\\)" if name else typst_escape(label.student_id)


def paper_source(assessment: Assessment, audience: Audience = "student", label: PaperLabel | None = None
                 ) -> tuple[str, tuple[str, ...]]:
    """The typst of one paper (without the preamble), and its warnings."""
    doc = _Doc(audience == "instructor")
    code, version, payload = paper_identity(assessment, label)
    qr = _qr_svg(payload)
    out = doc.out
    if assessment.instructions:
        out.append(doc.md(assessment.instructions) + "\n")
    n = 0
    for section in assessment.sections:
        if section.title:
            out.append(f"#qb-section[{typst_escape(section.title)}]")
        for group in section.groups:
            for item in group.items[: None if doc.key else group.pick]:
                n += 1
                doc.item_id = item.id
                body = [doc.md(item.stem)]
                if item.hint:
                    body.append(f"#emph[Hint:] {doc.md(item.hint, True)}")
                body.append(BODY[item.type](doc, item))
                if doc.key and item.explanation:
                    body.append(f"#qb-key[*Explanation.* {doc.md(item.explanation)}]")
                if doc.key:
                    body.append(f"#text(size: 7pt, fill: luma(110), {typst_string(item.id)})")
                out.append(f"#qb-item({n}, [{typst_escape(item.title)}], {typst_string(_points(group.points_for(item)))})"
                           f"[\n{chr(10).join(body)}\n]")
    title = typst_string(assessment.title)
    bookmark = typst_escape(assessment.title + (f" — {_name(label)}" if _name(label) else "") + (" (key)" if doc.key else ""))
    call = (f"#qb-paper(title: {title}, who: [{_who(label)}], bookmark: [{bookmark}], version: {typst_string(version)}, "
            f"code: {typst_string(code)}, qr: {typst_string(qr)}, key: {'true' if doc.key else 'false'})[\n"
            + "\n\n".join(out) + "\n]\n")
    return call, tuple(dict.fromkeys(doc.warnings))


def _compile(source: str, options: PdfOptions) -> bytes:
    compiler = _compiler(options)
    try:
        pdf = compiler.compile((_preamble() + source).encode("utf-8"), format="pdf", timestamp=0)
    except Exception as exc:  # typst raises TypstError with the diagnostic; any failure here is ours, not the user's
        raise QbankError(f"PDF typesetting failed (a bug in qbank's PDF renderer, please report it): {exc}") from exc
    if not isinstance(pdf, bytes):
        raise QbankError("PDF typesetting returned no document")
    return pdf


def render_pdf(assessment: Assessment, audience: Audience = "student", *, label: PaperLabel | None = None,
               options: PdfOptions = PdfOptions()) -> Rendered:
    """One paper (or its key) as a PDF; ``label`` names the student on every page.

    Raises:
        InputError: typst is not installed (the message says what to install).
    """
    source, warnings = paper_source(assessment, audience, label)
    return Rendered(_compile(source, options), warnings)


def render_pdfs(papers: Sequence[tuple[Assessment, PaperLabel | None]], audience: Audience = "student", *,
                options: PdfOptions = PdfOptions()) -> RenderedPapers:
    """Every paper as its own PDF, and all of them in one PDF (each on new pages, in order).

    The papers are typeset once, as the combined document, and cut into one file per paper
    at its bookmark: typesetting is the slow part, so this halves the work of typesetting
    each paper twice.
    """
    sources, warnings = [], {}
    for assessment, label in papers:
        source, w = paper_source(assessment, audience, label)
        sources.append(source)
        warnings.update(dict.fromkeys(w))
    combined = _compile("\n".join(sources), options)
    return RenderedPapers(_split(combined, len(sources)), combined, tuple(warnings))


def _split(pdf: bytes, n: int) -> tuple[bytes, ...]:
    """Cut a PDF of ``n`` papers into one PDF per paper, at the papers' top-level bookmarks."""
    if n == 1:
        return (pdf,)
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    starts = [reader.get_destination_page_number(entry) for entry in reader.outline if not isinstance(entry, list)]
    if len(starts) != n:
        raise QbankError(f"PDF typesetting gave {len(starts)} paper bookmarks for {n} papers")
    out = []
    for start, end in zip(starts, [*starts[1:], len(reader.pages)]):
        writer = pypdf.PdfWriter()
        for page in reader.pages[start:end]:
            writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return tuple(out)


def pdf_format(options: PdfOptions = PdfOptions()) -> Format:
    """The PDF Format with these font settings (the registered one uses the embedded fonts)."""
    return Format(
        "pdf", ".pdf", "PDF paper exam and answer key, typeset (needs the pdf extra)",
        lambda a, audience="student", label=None: render_pdf(a, audience, label=label, options=options),
        default=False,
        render_papers=lambda papers, audience="student": render_pdfs(papers, audience, options=options),
    )


register(pdf_format())
