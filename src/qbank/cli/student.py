"""Student commands: practice in the terminal, check answers, see progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .options import bank_options, drawn_items

BLOOM = click.Choice(["remember", "understand", "apply", "analyze", "evaluate", "create"])


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--db PATH, also read from $QBANK_DB."""
    return click.option(
        "--db", type=click.Path(dir_okay=False), envvar="QBANK_DB", show_envvar=True,
        help="Progress database (default: <user data dir>/qbank/progress.sqlite3).",
    )(f)


def _plain(text: str) -> str:
    """Markdown with math as plain text for a terminal or a script: math as Unicode."""
    from ..renderers._markup import to_plain
    from ..student.terminal import tex_to_text

    return to_plain(text, math=lambda tex, display: tex_to_text(tex))


@click.command()
@click.option("--topic", "topics", multiple=True, help="Practise this topic; repeatable (any matches).")
@click.option("--bloom", multiple=True, type=BLOOM, help="Practise this Bloom level; repeatable.")
@click.option("--n", "n", default=10, show_default=True, type=click.IntRange(1, 1000), help="How many items.")
@click.option("--seed", type=click.IntRange(min=0), help="Make the session reproducible (default: a fresh one each time).")
@db_option
@bank_options
def practice(topics, bloom, n, seed, db, banks, no_builtin):
    """Practise in the terminal: one item at a time, checked at once, with
    feedback on the misconception behind a wrong answer and the worked
    explanation.

    Type the answer and Enter; an answer that cannot be read is asked
    again. `?` shows a hint, `s` skips, `q` (or Ctrl-C, or end of input)
    ends with a summary. Every answer is saved at once in the progress
    database, so nothing is lost.

    Items come from your weakest spots first (Leitner boxes per template:
    a right answer moves it up a box, a wrong one back to box 1). A session
    takes boxes 1 and 2 first, then templates never answered, then boxes 3
    to 5, weakest topic first within each; every item is a fresh variant.
    Two templates of one family are not asked back to back.

    \b
    Example:
        qbank practice --topic cross-entropy --n 5
        printf 'B\\nq\\n' | qbank practice --seed 7
    """
    from rich.console import Console

    from ..student.practice_item import cached_practice_item
    from ..student.progress import ProgressStore
    from ..student.session import practice as run_practice
    from ..student.session import session_draws

    drawn = drawn_items(banks, no_builtin)
    drawn.require()
    console = Console(highlight=False)

    def read(prompt: str) -> str:
        return input(prompt)

    def items(template_id: str, item_seed: int) -> Any:
        return cached_practice_item(drawn, template_id, item_seed)

    def draws(session_seed: int, count: int, size: int) -> Any:
        return drawn.memo("practice-draws", [session_seed, count, size], lambda: session_draws(session_seed, count, size))

    try:
        with ProgressStore.open(db) as store:
            run_practice(drawn, read=read, console=console, store=store, topics=topics, bloom=bloom, n=n, seed=seed,
                         items=items, draws=draws)
    finally:
        drawn.save()


@click.command()
@click.argument("target")
@click.option("--seed", type=click.IntRange(min=0), help="Which variant, when TARGET is a template id.")
@click.option("--answer", help="Your answer to one item, e.g. B, 0.25, 'C A B', '1-b 2-a'.")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False),
              help="With a quiz file: your answers, one line per slot ('q1: B').")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@bank_options
@click.pass_context
def check(ctx, target, seed, answer, answers_file, as_json, banks, no_builtin):
    """Check an answer: to one item (TARGET is an item id such as
    paris-states-v2-s42, or a template id with --seed), or to a whole quiz
    you received (TARGET is its quiz.json, with --answers).

    Exit code 0 when everything is correct, 1 when something is not, 2 for
    an answer that cannot be read or bad arguments.

    \b
    Example:
        qbank check paris-states --seed 42 --answer E
        qbank check paris-states-v2-s42 --answer E --json
        qbank check out/students/s001/quiz.json --answers examples/answers.txt
    """
    if (answer is None) == (answers_file is None):
        raise click.UsageError("give --answer (for one item) or --answers FILE (for a quiz file), not both or neither")
    # Items come from the drawn-item cache where it has them (graded as light items), else drawn.
    drawn = drawn_items(banks, no_builtin)
    drawn.require()
    from ..grader.calibration import use_fits

    use_fits(banks)  # an instructor's fitted rubric settings (qbank rubric calibrate --save)
    try:
        if answers_file is not None:
            ctx.exit(_check_quiz(target, answers_file, seed, as_json, drawn))
        if Path(target).is_file():
            raise click.UsageError(f"{target} is a file: check a quiz file with --answers FILE")
        ctx.exit(_check_item(target, seed, answer, as_json, drawn))
    finally:
        drawn.save()


def _check_item(target: str, seed: int | None, answer: str, as_json: bool, bank: Any) -> int:
    from ..grader import check as grade_answer
    from ..student.checking import grade_json

    item = bank.item(target, seed)
    grade = grade_answer(item, answer)
    if not hasattr(grade, "correct"):
        if as_json:
            click.echo(json.dumps({"item": item.id, "format_error": grade.message, "hint": grade.hint}, ensure_ascii=False))
        else:
            click.echo(f"Error: cannot read the answer {answer!r}: {grade}", err=True)
        return 2
    if as_json:
        click.echo(json.dumps(grade_json(grade, item), indent=2, ensure_ascii=False))
        return 0 if grade.correct else 1
    if grade.correct:
        click.echo("Correct")
    else:
        feedback = " ".join(_plain(f) for f in grade.feedback)
        label = "Partly correct" if grade.fraction > 0 else "Not correct"
        score = f" ({grade.score:g} of {grade.max_score:g} points)" if grade.fraction > 0 else ""
        click.echo(f"{label}{score}: {feedback}".rstrip(": ").rstrip())
    if item.explanation:
        click.echo(f"\nExplanation: {_plain(item.explanation)}")
    return 0 if grade.correct else 1


def _check_quiz(target: str, answers_file: str, seed: int | None, as_json: bool, bank: Any) -> int:
    from ..student.checking import check_quiz, read_answers, read_student_quiz

    if seed is not None:
        raise click.UsageError("--seed applies to one item; a quiz file already names each variant")
    quiz = read_student_quiz(target)
    answers = read_answers(answers_file, [i.slot for i in quiz.items])
    result = check_quiz(quiz, answers, bank)
    unreadable = [s for s in result.slots if s.status == "unreadable"]
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        width = max(len(s.slot) for s in result.slots)
        for s in result.slots:
            click.echo(f"{s.slot:<{width}}  {s.status:<10}  {s.score:g}/{s.points:g}  {s.item}")
            if s.status in ("wrong", "partial", "unreadable"):
                for line in s.feedback:
                    click.echo(f"{'':<{width}}  {_plain(line)}")
        n_correct = sum(s.status == "correct" for s in result.slots)
        n_missing = sum(s.status == "unanswered" for s in result.slots)
        click.echo(
            f"Total: {result.score:g} / {result.max_score:g} points; {n_correct} of {len(result.slots)} correct"
            + (f", {n_missing} unanswered" if n_missing else "") + "."
        )
    for s in unreadable:
        click.echo(f"Error: {answers_file}:{s.line}: {s.slot}: cannot read the answer {s.response!r}: {s.feedback[0]}", err=True)
    if unreadable:
        return 2
    return 0 if result.all_correct else 1


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@db_option
@bank_options
def progress(as_json, db, banks, no_builtin):
    """Show your practice progress: mastery per topic and Bloom level, and
    the templates to review (those in Leitner box 1: answered wrong last time).

    \b
    Example:
        qbank progress
        qbank progress --db class.sqlite3 --json
    """
    from ..student.progress import ProgressStore, default_db_path, mastery
    from ..student.schedule import LAST_BOX, leitner_boxes

    path = Path(db).expanduser() if db else default_db_path()
    attempts = []
    if path.exists():
        with ProgressStore.open(path) as store:
            attempts = store.attempts()
    topics = mastery(attempts, by="topic")
    blooms = mastery(attempts, by="bloom")
    boxes = leitner_boxes(attempts)
    review = sorted(t for t, b in boxes.items() if b == 1)
    if as_json:
        click.echo(json.dumps({
            "database": str(path),
            "answered": sum(a.outcome != "skipped" for a in attempts),
            "topics": [_mastery_json(m) for m in topics],
            "bloom": [_mastery_json(m) for m in blooms],
            "boxes": dict(sorted(boxes.items())),
            "review": review,
        }, indent=2, ensure_ascii=False))
        return
    if not any(a.outcome != "skipped" for a in attempts):
        click.echo("No practice recorded yet. Start with: qbank practice")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    for title, rows in (("Topic", topics), ("Bloom level", blooms)):
        table = Table(title=f"Mastery by {title.lower()} (weakest first)", title_justify="left")
        table.add_column(title)
        table.add_column("Answered", justify="right")
        table.add_column("Correct", justify="right")
        table.add_column("Mastery", justify="right")
        for m in rows:
            table.add_row(m.name, str(m.answered), str(m.correct), f"{m.fraction:.0%}")
        console.print(table)
    mastered = sum(b == LAST_BOX for b in boxes.values())
    console.print(f"Templates practised: {len(boxes)}; in the top box ({LAST_BOX}): {mastered}.")
    if review:
        console.print("To review (wrong last time): " + ", ".join(review))


def _mastery_json(m: Any) -> dict[str, Any]:
    return {"name": m.name, "answered": m.answered, "correct": m.correct, "score": m.score,
            "max_score": m.max_score, "mastery": round(m.fraction, 4)}
