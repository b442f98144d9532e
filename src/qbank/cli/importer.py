"""The import command: LMS question files in, a qbank bank folder of static items out."""

from __future__ import annotations

import click

_FORMATS = ("moodle", "gift", "aiken", "blackboard", "qti12", "qti21", "qti3")
_BLOOM = ("remember", "understand", "apply", "analyze", "evaluate", "create")


@click.command("import")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="The bank folder to create (it must not exist, or be empty).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), help="Read every FILE as this format (default: detected from the content).")
@click.option("--bloom", type=click.Choice(_BLOOM), default="remember", show_default=True,
              help="Bloom level given to every imported question (LMS files do not carry one).")
@click.option("-q", "--quiet", is_flag=True, help="Do not list skipped questions and changes.")
def import_bank(files, outdir, fmt, bloom, quiet):
    """Import Moodle XML, GIFT, Aiken, Blackboard, Canvas QTI 1.2, QTI 2.1
    or QTI 3.0 question files as a new bank folder of static items.

    Writes one YAML file per category or section (categories become topic
    tags), images under OUTDIR/media/, and OUTDIR/import-report.txt. Every
    question qbank cannot represent is listed with the reason and skipped;
    every change on the way in (a partial-credit answer that now earns 0,
    an essay without a rubric) is listed per question. Bad input is
    reported as FILE:LINE (or FILE.zip!MEMBER:LINE) with the question name,
    exit code 2, and nothing is written.

    \b
    Example:
        qbank import examples/import/moodle-export.xml -o imported/
        qbank validate imported/
    """
    from ..importers import import_files, report_lines, write_bank

    result = import_files(files, fmt)
    written = write_bank(result, outdir, bloom=bloom, sources=", ".join(files))
    if not quiet:
        for line in report_lines(result):
            click.echo(line, err=True)
        n = sum(1 for _ in result.questions) - sum(1 for s in result.skipped if "imported once" in s.reason)
        click.echo(f"{n} questions in {len(written)} bank files under {outdir}; {len(result.skipped)} skipped.", err=True)
