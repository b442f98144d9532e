"""``qbank responses``: a blank responses file to fill in, made from a quiz manifest."""

from __future__ import annotations

import click


@click.command()
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The responses CSV to write (student, item, response).")
def responses(manifest, output):
    """Write a blank responses CSV for a quiz, ready for `qbank grade`.

    One row per student and slot (q1, q2, ... as that student saw them),
    with the response column empty: type or paste each answer in, then
    grade the file. A choice answer is its letter (B; B,D for several), a
    number is written as the student wrote it (0.25, 25%, 1/4), an open
    answer is the text itself (quoted if it holds commas or line breaks).
    A row left empty scores 0 and is listed in the errors file.

    \b
    Example:
        qbank responses out/manifest.json -o responses.csv
        qbank grade out/manifest.json responses.csv -o grades.csv
    """
    from .._files import atomic_write, csv_text
    from ..quiz.manifest import Manifest

    man = Manifest.load(manifest)
    rows: list[list[str]] = [["student", "item", "response"]]
    rows += [[record.student, entry.slot, ""] for record in man.students for entry in record.items]
    atomic_write(output, csv_text(rows))
