"""The instructor's build command: a quiz spec in, every file for the LMS and for paper out."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

import click

from .options import bank_options, load_from_options


def _split(values: tuple[str, ...]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


class _LateProgress:
    """A progress bar on stderr that appears only once the work has taken more than a second."""

    def __init__(self, delay: float = 1.0):
        self.delay = delay
        self.start = time.monotonic()
        self.shown = sys.stderr.isatty()

    def __call__(self, items: Iterable[Any], total: int, label: str) -> Iterator[Any]:
        bar = None
        try:
            for done, item in enumerate(items):
                if bar is None and self.shown and time.monotonic() - self.start > self.delay:
                    bar = click.progressbar(length=total, label=label, file=sys.stderr)
                    bar.__enter__()
                    bar.update(done)
                yield item
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)


@click.command()
@click.argument("spec_file", metavar="QUIZ.yaml", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), help="Folder to write into (created if needed).")
@click.option("--roster", type=click.Path(dir_okay=False), help="Roster CSV (overrides `roster.file` in the spec).")
@click.option("--id-column", help="Roster column of student ids (default: id).")
@click.option("--name-column", help="Roster column of names (default: name).")
@click.option("--email-column", help="Roster column of emails (default: email).")
@click.option("-f", "--format", "format_names", multiple=True, metavar="LIST",
              help="Formats, comma-separated or repeated (default: every format; see the list below).")
@click.option("--self-check", is_flag=True, help="Students' HTML checks answers in the browser (the selfcheck format).")
@click.option("--font", metavar="FAMILY", help="PDF: the text font (default: Libertinus Serif, inside typst).")
@click.option("--font-path", "font_paths", multiple=True, type=click.Path(file_okay=False),
              help="PDF: a folder of extra fonts (repeatable).")
@click.option("--paper", type=click.Choice(["a4", "us-letter"]), help="PDF: the paper size (default: a4).")
@click.option("--force", is_flag=True, help="Replace an earlier build in OUTDIR even when it wrote files this build does not (they are removed; files qbank did not write are kept).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@bank_options
def build(spec_file, outdir, roster, id_column, name_column, email_column, format_names, self_check, font, font_paths,
          paper, force, quiet, banks, no_builtin):
    """Build a quiz from QUIZ.yaml: LMS imports, papers, answer keys and
    the manifest that `qbank grade` uses.

    \b
    OUTDIR/manifest.json               who got which variant (template, seed, hash)
    OUTDIR/lms/<quiz>-<format>.<ext>   LMS imports: a group of K variants per
                                       question, the LMS draws 1 per student
    OUTDIR/paper/quiz.md|html          all students' papers, one printable file
    OUTDIR/paper/key.md|html           all students' answer keys
    OUTDIR/students/<id>/quiz.json     item ids for `qbank check` (no keys)
    OUTDIR/students/<id>/quiz.md|html  the student's paper
    OUTDIR/students/<id>/key.md|html   the student's answer key

    PDF (`-f pdf`, needs `pip install 'qbank[pdf]'`): paper exams typeset by
    typst, one per student and all in paper/quiz.pdf, with name, id, quiz
    version and a QR code on every page; not built unless asked for.

    Without a roster: the LMS files, one sample paper with its key, and the
    manifest. The same spec, seed and roster give byte-identical files; adding
    a student changes no other student's quiz. Bad specs or rosters fail with
    exit code 2 before anything is written.

    OUTDIR gets the new build whole or keeps the old one: a build killed or
    failing midway changes nothing. When OUTDIR holds an earlier build with
    files this one would not write (another --format, a shorter roster), the
    build stops and names them; --force replaces them. Files qbank did not
    write are never removed.

    \b
    Example:
        qbank build examples/demo-quiz.yaml --roster examples/roster.csv -o out
        qbank build examples/demo-quiz.yaml -f canvas,moodle -o out-lms
        qbank build examples/demo-quiz.yaml -f html --self-check --roster examples/roster.csv -o out-practice
    """
    from .._launch import ends_after_command
    from .._gc import gc_paused

    # A build's objects live to its end and make few reference cycles (those a student's
    # paper makes are freed as it goes: CycleCollector), so the collector's passes
    # over the growing heap find next to nothing: an eighth of a cold 5,000-question build.
    # In the qbank script the process ends with the build, so the collector stays off.
    with gc_paused(resume=not ends_after_command()):
        _build(spec_file, outdir, roster, id_column, name_column, email_column, format_names, self_check, font,
               font_paths, paper, force, quiet, banks, no_builtin)


def _build(spec_file, outdir, roster, id_column, name_column, email_column, format_names, self_check, font, font_paths,
           paper, force, quiet, banks, no_builtin):
    from pathlib import Path

    from .._files import check_writable_folder
    from .._launch import keep_until_exit
    from ..quiz import build_cache
    from ..quiz.publish import check_outdir

    names = _split(format_names)
    check_outdir(outdir)
    check_writable_folder(outdir)
    # The same command on the same files writes what it wrote last time (quiz.build_cache);
    # PDFs depend on the fonts installed, so they are always typeset.
    cached = None
    if "pdf" not in names and not (font or font_paths or paper):
        cached = build_cache.Inputs({
            "spec": str(Path(spec_file).resolve()), "roster": str(Path(roster).resolve()) if roster else None,
            "columns": [id_column, name_column, email_column], "formats": names, "self_check": self_check,
            "banks": [str(Path(b).resolve()) for b in banks], "no_builtin": no_builtin,
        })
        hit = build_cache.lookup(cached)
        if hit is not None:
            _write(outdir, hit.files, force, _LateProgress())
            for warning in hit.warnings:
                click.echo(f"warning: {warning}", err=True)
            if not quiet:
                _summary(hit.summary, hit.formats, hit.files, outdir)
            return

    from ..quiz.build import build_quiz
    from ..quiz.output import choose_formats, render_outputs
    from ..quiz.roster import read_roster
    from ..quiz.spec import RosterColumns, load_spec

    formats, selfcheck = choose_formats(names, self_check=self_check)
    formats = _pdf_settings(formats, font, font_paths, paper)
    spec, source = load_spec(spec_file)
    columns = spec.roster or RosterColumns()
    overrides = {k: v for k, v in (("id", id_column), ("name", name_column), ("email", email_column)) if v}
    if overrides:
        columns = RosterColumns(**{**{k: getattr(columns, k) for k in columns.model_fields_set}, **overrides})
    roster_path = roster or (str(Path(spec_file).parent / columns.file) if columns.file else None)
    read = None
    if cached is not None:
        read = build_cache.files_read([Path(spec_file), *([Path(roster_path)] if roster_path else [])],
                                      [Path(b) for b in banks])
    students = read_roster(roster_path, columns) if roster_path else None
    bank = load_from_options(banks, no_builtin)

    progress = _LateProgress()
    result = build_quiz(spec, bank, students, source=source, progress=progress)
    outputs = render_outputs(result, formats, selfcheck=selfcheck, progress=progress)
    _write(outdir, outputs.files, force, progress)
    warnings = (*result.warnings, *outputs.warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    summary = _summary_of(result)
    if cached is not None:
        build_cache.store(cached, read, outputs.files, outputs.formats, warnings, summary)
    if not quiet:
        _summary(summary, outputs.formats, outputs.files, outdir)
    keep_until_exit(bank, result, outputs)


def _write(outdir: str, files: dict[str, bytes], force: bool, progress: Any) -> None:
    from ..errors import InputError
    from ..quiz.publish import publish

    try:
        publish(outdir, files, force=force, progress=progress)
    except OSError as exc:  # a full disk, or permissions changed after the check
        raise InputError(f"{exc.filename or outdir}: cannot write ({exc.strerror})") from None


def _pdf_settings(formats: list[Any], font: str | None, font_paths: tuple[str, ...], paper: str | None) -> list[Any]:
    """The PDF format with the fonts and paper asked for, checked before any work (exit 2 if missing)."""
    if not any(f.name == "pdf" for f in formats):
        if font or font_paths or paper:
            raise click.UsageError("--font, --font-path and --paper are for PDF output; add pdf to --format")
        return formats
    from ..renderers.pdf import PdfOptions, check_fonts, pdf_format

    options = PdfOptions(font, tuple(font_paths), paper or "a4")
    check_fonts(options)
    return [pdf_format(options) if f.name == "pdf" else f for f in formats]


def _summary_of(result: Any) -> dict[str, Any]:
    """What the summary says of a build, as JSON data (a cached rebuild prints it again)."""
    return {"title": result.spec.title, "quiz_id": result.manifest.quiz_id, "items": result.n_items,
            "sections": len(result.spec.sections), "ks": sorted({len(g.items) for g in result.lms.groups()}),
            "variants": result.n_variants, "from_roster": result.from_roster, "papers": len(result.papers)}


def _summary(summary: dict[str, Any], formats: tuple[str, ...], files: dict[str, bytes], outdir: str) -> None:
    from collections import Counter

    ks = summary["ks"]
    k_text = f"{ks[0]} variant{'s' if ks[0] != 1 else ''}" if len(ks) == 1 else f"{ks[0]}-{ks[-1]} variants"
    who = f"{summary['papers']} students" if summary["from_roster"] else "no roster (one sample paper)"
    click.echo(f"{summary['title']} ({summary['quiz_id']}): {summary['items']} questions in "
               f"{summary['sections']} sections, {k_text} each ({summary['variants']} in the LMS groups), {who}")
    click.echo(f"Formats: {', '.join(formats)}")
    tops = Counter(rel.split("/", 1)[0] for rel in files)
    click.echo(f"Wrote {len(files)} files to {outdir}/:")
    click.echo(f"  {outdir}/manifest.json")
    for top in ("lms", "paper"):
        for rel in files:
            if rel.startswith(top + "/"):
                click.echo(f"  {outdir}/{rel}")
    if tops["students"]:
        click.echo(f"  {outdir}/students/<id>/  ({tops['students']} files for {summary['papers']} students)")
