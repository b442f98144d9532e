"""``qbank lint``: test-wiseness cues in a bank's choice items."""

from __future__ import annotations

import json
import sys

import click

from .options import bank_options, load_from_options


@click.command()
@click.option("--seeds", default=200, show_default=True, type=click.IntRange(min=1),
              help="Variants per parameterized template.")
@click.option("--all", "show_all", is_flag=True, help="Show every cue of every template, not only the leaks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every cue of every template).")
@click.option("--elimination", is_flag=True,
              help="Also the same habits used to rule options out (never the longest, not an extreme length, ...).")
@bank_options
def lint(seeds, show_all, as_json, elimination, banks, no_builtin):
    """Find cues a test-wise student could use instead of knowledge.

    Over SEEDS variants of every template, each choice question (single
    choice, multiple response, each prompt of a matching item) is answered
    by the usual strategies: the longest (or shortest) option, the most specific one
    (numbers, hedged wording), the one sharing most words with the stem, the
    middle of numeric options, "all/none of the above", the option that
    agrees with the stem's grammar, the odd one out in form. A strategy
    leaks when its hit rate (ties split) beats the chance rate by more
    than 3.29 standard errors of a blind pick over those questions (variants
    differing only in option order count once). Static items and templates
    with fixed parameters are pooled: a student meets them all.

    Prints nothing and exits 0 when no cue leaks; otherwise prints the
    leaking cues per template and exits 1. With --elimination the same
    habits are also used to rule options out (a key that is never the
    longest lets a student pick among the rest).

    \b
    Example:
        qbank lint
        qbank lint --no-builtin --bank examples/my-bank/ --all
    """
    from ..questions.quality import CUES, ELIMINATION_CUES, lint_bank

    bank = load_from_options(banks, no_builtin)
    progress = (lambda tid: click.echo(f"lint: {tid}", err=True)) if sys.stderr.isatty() else None
    cues = {**CUES, **ELIMINATION_CUES} if elimination else CUES
    report = lint_bank(bank, seeds=seeds, progress=progress, cues=cues)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        click.echo(report.table(only_leaks=not show_all), nl=False)
    if report.leaks:
        sys.exit(1)
