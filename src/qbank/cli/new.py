"""The author's scaffolding command: a bank folder or a template to start from."""

from __future__ import annotations

import click

ITEM_TYPES = ("single_choice", "multiple_response", "true_false", "numeric", "short_text", "ordering", "matching",
              "open_response", "multipart")


@click.command()
@click.argument("path", type=click.Path())
@click.option("--family", metavar="NAME", help="A template of this question family (see `qbank families`).")
@click.option("--type", "item_type", type=click.Choice(ITEM_TYPES), help="A static item of this type.")
@click.option("--id", "template_id", metavar="ID", help="The template's id (default: my-<family or type>).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def new(path, family, item_type, template_id, quiet):
    """Start a bank folder, or a bank file with one template, to edit.

    PATH ending in .yaml is a bank file with one template; any other PATH is
    a new bank folder with one starter file. Every field is explained in a
    comment, the first line points editors at the JSON Schema (written as
    bank.schema.json beside the file) for completion, and the result passes
    `qbank validate` as written. Existing files are never overwritten.

    \b
    Example:
        qbank new my-bank
        qbank new my-bank/states.yaml --family compare-states --id rome-states
        qbank new my-bank/definition.yaml --type numeric
        qbank preview my-bank
    """
    from pathlib import Path

    from ..authoring import new_bank, new_template

    if family and item_type:
        raise click.UsageError("choose one of --family and --type")
    if Path(path).suffix in (".yaml", ".yml"):
        if not family and not item_type:
            item_type = "single_choice"
        written = new_template(path, family=family, item_type=item_type, template_id=template_id)
    else:
        written = new_bank(path, family=family, item_type=item_type, template_id=template_id)
    if not quiet:
        for file in written:
            click.echo(f"wrote {file}")
        click.echo(f"Next: edit {written[0]}, then `qbank validate {path}` or `qbank preview {path}`.")
