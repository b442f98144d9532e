"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["bank_options", "drawn_items", "load_from_options"]


def bank_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--bank PATH (repeatable) and --no-builtin."""
    f = click.option(
        "--no-builtin", is_flag=True, help="Leave out the built-in bank (use only --bank)."
    )(f)
    f = click.option(
        "--bank", "banks", multiple=True, type=click.Path(exists=True),
        help="A bank file or folder to load besides the built-in bank; repeatable.",
    )(f)
    return f


def load_from_options(banks: tuple[str, ...], no_builtin: bool) -> Any:
    from ..questions import builtin_bank, load_bank

    if not banks and not no_builtin:
        return builtin_bank()
    if no_builtin and not banks:
        raise click.UsageError("--no-builtin needs at least one --bank")
    return load_bank(*banks, builtin=not no_builtin)


def drawn_items(banks: tuple[str, ...], no_builtin: bool) -> Any:
    """The banks' items through the drawn-item cache (:class:`qbank.questions._drawn.DrawnItems`):
    what a warm ``show``, ``check`` or ``practice`` reads instead of loading and drawing."""
    from ..questions._drawn import DrawnItems

    return DrawnItems(banks, not no_builtin, lambda: load_from_options(banks, no_builtin))
