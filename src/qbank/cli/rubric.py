"""``qbank rubric``: score open answers in bulk, and calibrate a rubric on an instructor's marking."""

from __future__ import annotations

from typing import Any

import click

from .options import bank_options, load_from_options

_ANSWER_COLUMNS = ("answer", "response")


@click.group()
def rubric() -> None:
    """Open-response rubrics: score a CSV of answers, or calibrate
    the grader on your own marking.

    \b
    Examples:
        qbank rubric score primary-colors-preamble --seed 0 examples/rubric/answers.csv -o scores.csv
        qbank rubric calibrate primary-colors-preamble --seed 0 examples/rubric/marked.csv
        qbank rubric calibrate primary-colors-preamble --seed 0 examples/rubric/marked.csv --save
    """


def _item(bank: Any, target: str, seed: int | None) -> Any:
    from ..errors import InputError

    item = bank.item(target, seed)
    if item.type != "open_response":
        raise InputError(f"{item.id} is a {item.type} item: rubric commands need an open-response item")
    return item


def _read_answers(path: str, criteria: list[str], points: float) -> list[Any]:
    """Rows of a CSV with an answer column and, optionally, the instructor's marks: ``score``
    (a fraction 0-1, or a percentage such as 80%) or ``points`` (out of the item's points), and
    one column per criterion (C1, ...) with 1/0."""
    from .._files import csv_rows, read_text
    from ..errors import InputError
    from ..grader.calibration import Marked

    text = read_text(path, what="answers CSV")
    records = csv_rows(text, path)
    try:
        _, header = next(records)
    except StopIteration:
        raise InputError(f"{path}: the file is empty; expected a header with an answer column") from None
    names = {h.strip().casefold(): i for i, h in enumerate(header) if h.strip()}
    column = next((names[c] for c in _ANSWER_COLUMNS if c in names), None)
    if column is None:
        raise InputError(f"{path}: missing column 'answer' (the header must name an answer or response column)")
    if "score" in names and "points" in names:
        raise InputError(f"{path}: give the marks as 'score' (a fraction or percentage) or 'points', not both")
    mark_col, in_points = (names["points"], True) if "points" in names else (names.get("score"), False)
    crit_cols = {c: names[c.casefold()] for c in criteria if c.casefold() in names}

    def cell(row: list[str], i: int | None) -> str:
        return row[i] if i is not None and i < len(row) else ""

    rows = []
    for line, record in records:
        answer = cell(record, column)
        score = None
        raw = cell(record, mark_col).strip()
        if raw:
            try:
                value = float(raw.rstrip("%"))
            except ValueError:
                raise InputError(f"{path}:{line}: {'points' if in_points else 'score'} {raw!r} is not a number") from None
            if in_points:
                score, limit = value / points, f"0..{points:g} points"
            elif raw.endswith("%"):
                score, limit = value / 100, "0%..100%"
            else:
                score, limit = value, "0..1 (write marks in points in a 'points' column)"
            if not 0 <= score <= 1:
                raise InputError(f"{path}:{line}: {raw!r} is outside {limit}")
        marks = {}
        for cid, col in crit_cols.items():
            mark = cell(record, col).strip().casefold()
            if not mark:
                continue
            if mark not in ("1", "0", "yes", "no", "y", "n", "true", "false", "met", "missed"):
                raise InputError(f"{path}:{line}: column {header[col]}: {mark!r} is not 1/0 (met or not)")
            marks[cid] = mark in ("1", "yes", "y", "true", "met")
        rows.append(Marked(line, answer, score, marks))
    if not rows:
        raise InputError(f"{path}: no answers (only a header)")
    return rows


@rubric.command()
@click.argument("target")
@click.argument("answers", type=click.Path(exists=True, dir_okay=False))
@click.option("--seed", type=int, help="Seed, when TARGET is a template id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the scores CSV here (default: print it).")
@bank_options
def score(target, answers, seed, output, banks, no_builtin):
    """Score a CSV of answers (column answer or response) against
    TARGET's rubric: one row per answer with the score, each criterion
    met or not with the sentence that earned it, and review flags.
    Empty answers are listed as format errors, scored 0.
    """
    from .._files import atomic_write, csv_text
    from ..grader.calibration import active_fit, fitted_rubric, use_fits
    from ..grader.rubric import score_rubrics

    bank = load_from_options(banks, no_builtin)
    use_fits(banks)
    item = _item(bank, target, seed)
    rub = fitted_rubric(item.rubric, active_fit(item.template))
    rows = _read_answers(answers, [c.id for c in rub.criteria], item.points)
    results = score_rubrics(rub, [r.answer for r in rows], item.min_words)
    ids = [c.id for c in rub.criteria]
    table: list[list[Any]] = [["row", "score", "points", *ids, *(f"{i}_evidence" for i in ids), "review"]]
    for r, s in zip(rows, results):
        if not r.answer.strip():
            table.append([r.row, 0, 0, *([""] * (2 * len(ids))), "format error: the answer is empty"])
            continue
        met = {c.id: c for c in s.criteria}
        table.append([r.row, round(s.fraction, 4), round(s.fraction * item.points, 4), *(int(met[i].met) for i in ids),
                      *(met[i].evidence or "" for i in ids), "; ".join(s.review)])
    text = csv_text(table)
    if output:
        atomic_write(output, text)
    else:
        click.echo(text, nl=False)


@rubric.command()
@click.argument("target")
@click.argument("marked", type=click.Path(exists=True, dir_okay=False))
@click.option("--seed", type=int, help="Seed, when TARGET is a template id.")
@click.option("--save", is_flag=True, help="Fit weights and thresholds to the marking and save them beside the bank "
              "(qbank-rubric-fit.json in the first --bank's folder, else the current folder); later grading uses them.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@bank_options
def calibrate(target, marked, seed, save, as_json, banks, no_builtin):
    """Compare the grader with your marking of TARGET's answers.

    MARKED is a CSV with an answer column, your mark as a score column
    (a fraction 0-1 or a percentage) or a points column (out of the
    item's points), and optionally one column per criterion (C1, C2, ...
    with 1/0). Prints Pearson r, mean absolute error and,
    per criterion, how often the grader and you agree. With --save, fits
    the criterion weights (from the scores) and paraphrase thresholds
    (from the criterion marks) and saves them; the report then shows the
    agreement before and after.
    """
    import json
    import math

    from .._files import atomic_write
    from ..errors import InputError
    from ..grader.calibration import agreement, fit, fit_path, fits_document, fitted_rubric, load_fits, use_fits

    bank = load_from_options(banks, no_builtin)
    use_fits(banks)
    item = _item(bank, target, seed)
    rows = _read_answers(marked, [c.id for c in item.rubric.criteria], item.points)
    if not any(r.score is not None for r in rows):
        raise InputError(f"{marked}: no score column or no scores: calibration needs your marks")
    fitted = None
    if save:
        try:
            fitted = fit(item.rubric, item.template, rows, item.min_words)
        except ValueError as exc:
            raise InputError(f"{marked}: {exc}") from None
        path = fit_path(banks)
        try:
            existing = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            load_fits(path)
        except (ValueError, OSError) as exc:
            raise InputError(f"{path}: cannot update it ({exc})") from None
        atomic_write(path, fits_document({item.template: fitted}, existing))
    rub = fitted_rubric(item.rubric, fitted)
    a = agreement(rub, rows, item.min_words)
    report = {"item": item.id, "n": a.n, "pearson": a.pearson, "mae": a.mae, "criteria": a.confusion}
    if fitted is not None:
        report["fit"] = {"saved_to": str(fit_path(banks)), **fitted.to_json()}
    if as_json:
        click.echo(json.dumps(report, indent=2, allow_nan=False, default=str) if not math.isnan(a.pearson)
                   else json.dumps({**report, "pearson": None}, indent=2))
        return
    r = "n/a" if math.isnan(a.pearson) else f"{a.pearson:.3f}"
    click.echo(f"{item.id}: {a.n} marked answers; Pearson r {r}, mean absolute error {a.mae:.3f}")
    for cid, cell in a.confusion.items():
        n = sum(cell.values())
        agree = (cell["both"] + cell["neither"]) / n
        click.echo(f"  {cid}: agree {agree:.0%} of {n} (both met {cell['both']}, grader only {cell['grader_only']}, "
                   f"you only {cell['instructor_only']}, neither {cell['neither']})")
    worst = sorted(a.rows, key=lambda t: -abs(t[1] - t[2]))[:5]
    if worst and abs(worst[0][1] - worst[0][2]) > 0.15:
        click.echo("  largest disagreements (CSV line: yours vs grader): " +
                   ", ".join(f"{row}: {h:.2f} vs {g:.2f}" for row, h, g in worst if abs(h - g) > 0.15))
    if fitted is not None:
        b, f = fitted.before, fitted.after
        click.echo(f"fitted on {fitted.n} answers: r {b[0]:.3f} -> {f[0]:.3f}, MAE {b[1]:.3f} -> {f[1]:.3f}; "
                   f"saved to {fit_path(banks)}")
        click.echo("  weights: " + ", ".join(f"{k} {v:g}" for k, v in fitted.weights.items()) +
                   ("; thresholds: " + ", ".join(f"{k} {v:g}" for k, v in fitted.similarity.items()) if fitted.similarity else ""))
