"""Grading commands for instructors: ``qbank grade`` and ``qbank stats``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .options import bank_options, load_from_options

REQUIRED_COLUMNS = ("student", "item", "response")


def _read_responses(path: str) -> Iterator[tuple[int, str, str, str]]:
    """Response rows (row, student, item, response) from a CSV (header student,item,response)
    or a JSON list of objects; ``row`` is the CSV line a record ends on, or the 1-based index
    in the JSON list. Read lazily, row by row; a bad file raises when its bad part is reached."""
    import json

    from .._files import check_json_text, csv_rows, read_text
    from ..errors import InputError

    p = Path(path)
    text = read_text(p, what="responses file")
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        check_json_text(data, str(p), text)
        if not isinstance(data, list):
            raise InputError(f"{p}: expected a JSON list of objects with keys {', '.join(REQUIRED_COLUMNS)}")
        for i, obj in enumerate(data, start=1):
            if not isinstance(obj, dict):
                raise InputError(f"{p}: [{i - 1}]: expected an object with keys {', '.join(REQUIRED_COLUMNS)}")
            for key in REQUIRED_COLUMNS:
                if key not in obj:
                    raise InputError(f"{p}: [{i - 1}]: missing key {key!r}")
            yield i, str(obj["student"]), str(obj["item"]), "" if obj["response"] is None else str(obj["response"])
        return
    reader = csv_rows(text, str(p))  # cells qbank quoted against formulas ('=x) read back as they were
    del text
    _, fieldnames = next(reader, (0, []))
    header = [h.strip().casefold() for h in fieldnames]
    for key in REQUIRED_COLUMNS:
        if key not in header:
            raise InputError(f"{p}: missing column {key!r} (the header must name {', '.join(REQUIRED_COLUMNS)})")
    s, i, r = (header.index(key) for key in REQUIRED_COLUMNS)
    for line, record in reader:  # the file line the record ends on; a multi-line response spans lines
        if not record:
            continue  # a blank line
        n = len(record)
        yield line, record[s] if s < n else "", record[i] if i < n else "", record[r] if r < n else ""


def _feedback_path(grades_csv: str | Path) -> str:
    """Where `qbank grade` puts the feedback JSON by default, and where `qbank stats` looks."""
    path = Path(grades_csv)
    return str(path.with_suffix(".feedback.json" if path.suffix.lower() == ".json" else ".json"))


@click.command()
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False))
@click.argument("responses", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Grades CSV: one row per student.")
@click.option("--feedback", type=click.Path(dir_okay=False), help="The JSON with each response's score, feedback and misconception, read by `qbank stats` (default: OUTPUT with .json).")
@click.option("--errors", type=click.Path(dir_okay=False), help="Write rows that were not graded, and missing responses, to this CSV (default: OUTPUT with .errors.csv).")
@click.option("--review", "review_path", type=click.Path(dir_okay=False), help="Write the grades a human should check (low-confidence rubric grades, gaming caps) to this CSV (default: OUTPUT with .review.csv).")
@click.option("--stats", "stats_out", type=click.Path(dir_okay=False), help="Also write item statistics (CSV) and print the table.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was graded.")
@bank_options
def grade(manifest, responses, output, feedback, errors, review_path, stats_out, verbose, banks, no_builtin):
    """Grade a class's responses to a quiz.

    MANIFEST is the quiz manifest (which student got which variant);
    RESPONSES a CSV with columns student, item, response (item is a slot
    such as q1 or 1, or an item id) or a JSON list of such objects.
    Items are regenerated from the bank and checked against the manifest's
    content hashes: a mismatch is an error, never a silent regrade.

    Every row is graded or listed in the errors CSV with its row number
    (unknown student, unknown item, format error, duplicate); missing
    responses score 0 and are listed too. Nothing is written if anything
    fails first.

    \b
    Example:
        qbank grade out/manifest.json examples/responses.csv -o grades.csv --feedback grades.json
    """
    from .._files import atomic_write_all
    from .._gc import gc_paused
    from .._launch import keep_until_exit
    from ..errors import InputError
    from ..grader.calibration import use_fits
    from ..grader.gradebook import quiz_slots
    from ..grader.report import Reports, problems_csv, stats_csv, stats_table
    from ..grader.streaming import grade_class
    from ..quiz.manifest import load_lean, regenerate_many
    from .quiz import _LateProgress

    man = load_lean(manifest)
    bank = load_from_options(banks, no_builtin)
    use_fits(banks)  # an instructor's fitted rubric settings (qbank rubric calibrate --save)

    def rows() -> Iterator[tuple[int, str, str, str]]:
        try:
            yield from _read_responses(responses)
        except InputError:
            man.regenerate(bank)  # a bank that changed under the manifest is reported first, as always
            raise

    reports = Reports(quiz_slots(man.students), man.quiz_id, man.title, stats=bool(stats_out))
    try:
        # Grading a big class allocates millions of objects that live to the end (the
        # manifest, the grades): the collector would walk them again and again (grade_class
        # collects each chunk's cycles itself).
        with gc_paused():
            result = grade_class(man, rows(), lambda entries: regenerate_many(entries, bank), reports,
                                 progress=_LateProgress())
        errors_path = errors or str(Path(output).with_suffix("")) + ".errors.csv"
        feedback_path = feedback or _feedback_path(output)
        review_path = review_path or str(Path(output).with_suffix("")) + ".review.csv"
        review = reports.review_csv()
        outputs: dict[str, Any] = {output: reports.grades_csv(), errors_path: problems_csv(result.problems),
                                   feedback_path: reports.feedback_json(), review_path: review}
        table = None
        if stats_out:
            st = reports.stats()
            outputs[stats_out] = stats_csv(st)
            table = stats_table(st)
        atomic_write_all(outputs)  # all written, then all renamed: a failure changes none of them
    finally:
        reports.close()
    if table is not None:
        click.echo(table, nl=False)
    if result.problems:
        click.echo(f"{len(result.problems)} responses not graded or missing: see {errors_path}", err=True)
    n_review = review.count("\n") - 1
    if n_review > 0:
        click.echo(f"{n_review} grades to review: see {review_path}", err=True)
    if verbose:
        click.echo(f"graded {result.graded} of {result.rows} rows for {len(man.students)} students", err=True)
    keep_until_exit(man, bank, result, reports)


@click.command()
@click.argument("grades", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the statistics as CSV.")
@click.option("--plot", type=click.Path(dir_okay=False), help="Write a PNG of facility against discrimination (needs the `plot` extra).")
def stats(grades, output, plot):
    """Item statistics of a graded quiz: facility, discrimination
    (corrected point-biserial, upper-lower 27% index), distractor counts
    by misconception, and KR-20 / Cronbach's alpha. Statistics are per
    template, its variants pooled, with a row for each variant under it.

    GRADES is the grades CSV or the feedback JSON written by `qbank grade`
    (for a CSV, the JSON beside it with the same name). Items that need
    review are flagged: negative discrimination, a distractor nobody chose,
    facility above 0.95 or below 0.2.

    \b
    Example:
        qbank stats grades.csv -o stats.csv --plot stats.png
    """
    import json

    from .._files import atomic_write
    from ..errors import InputError, QbankError
    from ..grader.report import stats_csv, stats_from_document, stats_plot, stats_table

    path = Path(grades)
    if path.suffix.lower() == ".csv":
        # the CSV holds scores only; the chosen options and maximum points are in the JSON beside it
        companion = Path(_feedback_path(path))
        if not companion.is_file():
            raise InputError(f"{path}: statistics need the feedback JSON that `qbank grade` writes beside it ({companion}), "
                             "which is missing; pass it instead, or use `qbank grade --stats`")
        path = companion
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a qbank grades file ({exc})") from None
    try:
        st = stats_from_document(doc, str(path))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    png = None
    if plot:
        try:
            png = stats_plot(st)
        except ImportError:
            raise QbankError("--plot needs matplotlib: install the plot extra (pip install 'qbank[plot]', or pip install '.[plot]' in a clone)") from None
    if output:
        atomic_write(output, stats_csv(st))
    if png is not None:
        atomic_write(plot, png)
    sys.stdout.write(stats_table(st))
