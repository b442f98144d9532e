"""Commands over the bank: list, show, validate, schema, families, misconceptions."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from .options import bank_options, drawn_items, load_from_options

BLOOM = click.Choice(["remember", "understand", "apply", "analyze", "evaluate", "create"])


@click.command("list")
@click.option("--tag", "tags", multiple=True, help="Topic, keyword, Bloom level or family; repeatable (any matches).")
@click.option("--topic", "topics", multiple=True, help="Topic; repeatable.")
@click.option("--bloom", multiple=True, type=BLOOM, help="Bloom level; repeatable.")
@click.option("--family", "families", multiple=True, help="Question family; repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@bank_options
def list_templates(tags, topics, bloom, families, as_json, banks, no_builtin):
    """List the templates in the bank.

    \b
    Example:
        qbank list --topic cross-entropy
        qbank list --bloom analyze --json
    """
    bank = load_from_options(banks, no_builtin)
    chosen = bank.select(tags=tags, topics=topics, bloom=bloom, families=families)
    if as_json:
        rows = [
            {"id": t.id, "version": t.version, "title": t.title, "family": t.family or "static",
             "topics": list(t.tags.topics), "bloom": t.tags.bloom.value, "points": t.points, "source": bank.sources[t.id]}
            for t in chosen
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not chosen:
        click.echo("No template matches." + _suggest_labels(bank, tags, topics, families), err=True)
        sys.exit(1)
    width = max(len(t.id) for t in chosen)
    click.echo(f"{'ID':<{width}}  {'BLOOM':<10}  {'TOPICS':<32}  TITLE")
    for t in chosen:
        click.echo(f"{t.id:<{width}}  {t.tags.bloom.value:<10}  {', '.join(t.tags.topics):<32}  {t.title}")


def _suggest_labels(bank, tags, topics, families) -> str:
    """A line for each filter value that names nothing in the bank, with the closest ones."""
    hints = [bank.did_you_mean(v, kind) for kind, values in (("topic", topics), ("tag", tags), ("family", families)) for v in values]
    return "".join(f"\n{h}" for h in hints if h)


@click.command()
@click.argument("item_id")
@click.option("--seed", type=click.IntRange(min=0), help="Which variant (default 0, or the seed in an item id).")
@click.option("--key", is_flag=True, help="Also show the answer, per-option feedback and the worked explanation.")
@click.option("--json", "as_json", is_flag=True, help="Print the item as JSON (with the key only if --key).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the item's Markdown source (math as LaTeX) instead of rendering it.")
@bank_options
def show(item_id, seed, key, as_json, as_markdown, banks, no_builtin):
    """Show one item: ITEM_ID is a template id (with --seed) or an item id
    such as paris-states-v2-s42.

    \b
    Example:
        qbank show paris-states --seed 3
        qbank show french-next-step-original --key
    """
    # A warm run reads the text from the drawn-item cache: no drawing, no models, no rich.markdown.
    drawn = drawn_items(banks, no_builtin)
    try:
        _show(drawn, item_id, seed, key, as_json, as_markdown)
    finally:
        drawn.save()


def _show(drawn: Any, item_id: str, seed: int | None, key: bool, as_json: bool, as_markdown: bool) -> None:
    if as_json:
        text, _ = drawn.view(item_id, seed, "show:json" + (":key" if key else ""), lambda item: _item_json(item, key))
        click.echo(text)
        return
    text, entry = drawn.view(item_id, seed, "show:markdown" + (":key" if key else ""), lambda item: _item_markdown(item, key))
    if as_markdown:
        click.echo(text, nl=False)
        return
    # Rendered the way `qbank practice` shows items: Markdown laid out, LaTeX as Unicode.
    from rich.console import Console

    from ..student.layout import CachedMarkdown
    from ..student.terminal import text_for_terminal

    console = Console(highlight=False)
    with console.capture() as captured:
        console.print(CachedMarkdown(text_for_terminal(text), entry))
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _item_json(item: Any, key: bool) -> str:
    from ..renderers.json_export import item_json

    return item_json(item, key=key)


def _item_markdown(item: Any, key: bool) -> str:
    from ..renderers.markdown import render_item

    return render_item(item, key=key, heading="#")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--seeds", default=5, show_default=True, type=click.IntRange(min=0),
              help="Instantiate each template with this many seeds to check that its constraints can be met.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was checked.")
def validate(paths, seeds, verbose):
    """Check bank files or folders: YAML, schema, families, parameters,
    unique ids, and that each template draws valid items.

    Prints nothing and exits 0 when everything is valid; otherwise lists
    every problem as FILE:LINE: FIELD: MESSAGE and exits 2.

    \b
    Example:
        qbank validate examples/my-bank/
    """
    from ..errors import BankError, Problem, QbankError
    from ..questions.loader import inspect_bank

    bank, problems = inspect_bank(*paths, builtin=False)
    for template in bank:
        for seed in range(seeds):
            try:
                template.instantiate(seed)
            except QbankError as exc:
                message = str(exc).removeprefix(f"template {template.id} (seed {seed}): ").removeprefix(f"template {template.id}: ")
                problems.append(Problem(bank.sources[template.id], f"seed {seed}: {message}", path=f"template {template.id}",
                                        line=bank.line_of(template.id)))
                break
        for warning in _static_text_warnings(template):
            click.echo(f"warning: {Problem(bank.sources[template.id], warning, path=f'template {template.id}', line=bank.line_of(template.id))}", err=True)
    if problems:
        raise BankError(problems)
    if verbose:
        click.echo(f"{len(bank)} templates valid; each drew {seeds} items.", err=True)


def _static_text_warnings(template) -> list[str]:
    """A static item's text is shown as written, so ``{{ name }}`` there is most likely a
    template variable by mistake (static items have none); it is kept, but said."""
    import re

    if template.family is not None or template.content is None:
        return []
    found = sorted(set(re.findall(r"\{\{.*?\}\}|\{%.*?%\}", template.content.model_dump_json())))
    return [f"{text} is shown to students as written: a static item has no variables to fill in" for text in found]


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.option("--quiz", is_flag=True, help="The quiz spec format (`qbank build QUIZ.yaml`) instead of bank files.")
def schema(output, quiz):
    """Print the JSON Schema of the bank file format (or, with --quiz, of
    quiz specs), for editors that validate YAML (e.g. with a
    `# yaml-language-server: $schema=` line)."""
    from .._files import atomic_write

    if quiz:
        from ..quiz.spec import quiz_schema_json

        text = quiz_schema_json()
    else:
        from ..questions.schema import bank_schema_json

        text = bank_schema_json()
    if output:
        atomic_write(output, text)
    else:
        click.echo(text, nl=False)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def families(as_json):
    """List the question families: topics, Bloom levels, item types and parameters."""
    from ..questions.families import all_families

    rows = []
    for fam in all_families():
        specs = fam.default_specs()
        rows.append({
            "name": fam.name, "summary": fam.summary, "topics": list(fam.topics),
            "bloom": [b.value for b in fam.bloom], "item_types": list(fam.item_types),
            "params": {name: (spec.model_dump(mode="json") if spec is not None else "required") for name, spec in specs.items()},
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row, fam in zip(rows, all_families()):
        click.echo(f"{row['name']}: {row['summary']}")
        click.echo(f"  topics: {', '.join(row['topics'])}; bloom: {', '.join(row['bloom'])}; types: {', '.join(row['item_types'])}")
        click.echo("  params:")
        for name, spec in fam.default_specs().items():
            click.echo(f"    {name}: {_describe_default(spec)}")


def _describe_default(spec) -> str:
    """A parameter's default as one line: 'required', a value, or the distribution it is drawn from."""
    if spec is None:
        return "required"
    d = spec.model_dump(mode="json")
    kind = d.pop("dist")
    if kind == "fixed":
        return json.dumps(d["value"], ensure_ascii=False)
    if kind == "choice":
        return "one of " + ", ".join(json.dumps(o, ensure_ascii=False) for o in d["options"])
    if kind in ("uniform", "loguniform", "integer"):
        return f"{kind} from {d['low']:g} to {d['high']:g}"
    details = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in d.items() if v is not None)
    return f"{kind}({details})"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def misconceptions(as_json):
    """List the misconception catalogue: the ids a wrong option or
    distractor may name, with what the student believes.

    A bank file may add its own under `misconceptions:` (id: description).

    \b
    Example:
        qbank misconceptions
        qbank misconceptions --json
    """
    from ..questions.misconceptions import MISCONCEPTIONS

    if as_json:
        click.echo(json.dumps(MISCONCEPTIONS, indent=2, ensure_ascii=False))
        return
    width = max(map(len, MISCONCEPTIONS))
    for mid, text in MISCONCEPTIONS.items():
        click.echo(f"{mid:<{width}}  {text}")
