"""``qbank import-results``: grade a quiz that ran in an LMS from the LMS's result report."""

from __future__ import annotations

from pathlib import Path

import click

from .options import bank_options, load_from_options


@click.command("import-results")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False))
@click.argument("report", type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Grades CSV: one row per student.")
@click.option("--lms", type=click.Choice(["auto", "canvas", "moodle", "qti"]), default="auto", show_default=True,
              help="Which LMS wrote REPORT (auto: by its header, or QTI for XML, a folder or a zip).")
@click.option("--moodle-grades", type=click.Path(exists=True, dir_okay=False),
              help="Moodle's Grades report of the same attempts (CSV, marks for each question): the LMS's marks to check.")
@click.option("--attempts", "policy", type=click.Choice(["highest", "last", "first"]), default="highest", show_default=True,
              help="Which attempt counts when a student has several.")
@click.option("--gradebook", type=click.Path(dir_okay=False),
              help="Also write the LMS's grade-import CSV (Canvas gradebook, or Moodle grade import).")
@click.option("--assignment", help="The gradebook column to fill (Canvas: 'Quiz name (assignment id)'; default: the quiz title).")
@click.option("--feedback", type=click.Path(dir_okay=False), help="The feedback JSON for `qbank stats` (default: OUTPUT with .json).")
@click.option("--errors", type=click.Path(dir_okay=False), help="Responses not graded, missing or not counted (default: OUTPUT with .errors.csv).")
@click.option("--disagreements", type=click.Path(dir_okay=False),
              help="Responses the LMS scored differently from qbank (default: OUTPUT with .disagreements.csv).")
@click.option("--stats", "stats_out", type=click.Path(dir_okay=False), help="Also write item statistics (CSV) and print the table.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was read and graded.")
@bank_options
def import_results(manifest, report, output, lms, moodle_grades, policy, gradebook, assignment, feedback, errors, disagreements,
                   stats_out, verbose, banks, no_builtin):
    """Grade a quiz that ran in an LMS, from the LMS's result report.

    MANIFEST is the manifest `qbank build` wrote with the LMS export;
    REPORT the LMS's result export: a Canvas Classic Quizzes Student
    Analysis CSV, a Moodle quiz Responses report CSV (with the question
    text; its Grades report, for the marks, with --moodle-grades), or QTI
    2.1/3.0 results (an XML file, a folder or a zip of them).
    Every response is tied to the exact variant the LMS drew (by identifier,
    or by the question text of items whose content hash the manifest checks);
    what cannot be tied is listed in the errors CSV with its line and reason.

    Choice and numeric answers count as the LMS scored them, and qbank's own
    grading checks each one: differences go to the disagreements CSV. Open
    answers are graded with the rubric. A damaged or foreign report (another
    quiz, a changed bank, truncated, re-saved by a spreadsheet) is exit code
    2 with the file, line and column, and nothing is written.

    \b
    Example:
        qbank import-results out/manifest.json examples/lms/canvas-student-analysis.csv -o grades.csv --gradebook canvas-import.csv
        qbank stats grades.csv --plot stats.png
    """
    from .._files import atomic_write
    from ..errors import InputError
    from ..grader.report import errors_csv, feedback_json, grades_csv, stats_csv, stats_from_gradebook, stats_table
    from ..quiz.manifest import Manifest
    from ..results import VariantIndex, grade_report, read_report
    from ..results.exports import canvas_gradebook_csv, disagreements_csv, moodle_import_csv
    from .grade import _feedback_path

    man = Manifest.load(manifest)
    if not man.groups:
        raise InputError(f"{manifest}: the manifest records no LMS question groups; build the quiz with an LMS format")
    items = man.regenerate(load_from_options(banks, no_builtin))
    index = VariantIndex(man, items)
    lms_report, index, skipped = read_report(report, index, lms, moodle_grades=moodle_grades)
    for group, why in skipped.items():
        click.echo(f"not graded: {group} ({why}); not counted in the maximum", err=True)
    result = grade_report(lms_report, index, policy)
    book = result.book
    base = str(Path(output).with_suffix(""))
    paths = {
        "errors": errors or base + ".errors.csv",
        "feedback": feedback or _feedback_path(output),
        "disagreements": disagreements or base + ".disagreements.csv",
    }
    outputs = {output: grades_csv(book), paths["errors"]: errors_csv(book), paths["feedback"]: feedback_json(book, man),
               paths["disagreements"]: disagreements_csv(result)}
    if gradebook:
        column = assignment or man.title
        if lms_report.platform == "canvas":
            outputs[gradebook] = canvas_gradebook_csv(result, column)
        elif lms_report.platform == "moodle":
            outputs[gradebook] = moodle_import_csv(result, column)
        else:
            raise InputError("--gradebook: QTI results have no standard grade-import file; upload the grades CSV "
                             "in the way your QTI platform accepts")
    table = None
    if stats_out:
        st = stats_from_gradebook(book)
        outputs[stats_out] = stats_csv(st)
        table = stats_table(st)
    for path, text in outputs.items():
        atomic_write(path, text)
    if table is not None:
        click.echo(table, nl=False)
    if book.problems:
        click.echo(f"{len(book.problems)} responses not graded, missing or not counted: see {paths['errors']}", err=True)
    if result.disagreements:
        click.echo(f"{len(result.disagreements)} scores differ between the LMS and qbank: see {paths['disagreements']}",
                   err=True)
    if verbose:
        click.echo(f"{lms_report.platform}: {len(lms_report.attempts)} attempts of {len(book.students)} students; "
                   f"graded {book.graded} responses", err=True)
