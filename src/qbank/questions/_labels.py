"""Option letters and item ids: pure functions with no model behind them.

They live apart from :mod:`.items` so that the grader and the fast paths of ``qbank show``,
``check`` and ``practice`` can name options and read item ids without importing pydantic
and the ~90 question models (``items`` re-exports them, as before).
"""

from __future__ import annotations

import re

__all__ = ["item_id", "letter", "parse_item_id"]


def letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the label of the option at ``index``."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


_ITEM_ID = re.compile(r"^(?P<template>[A-Za-z][A-Za-z0-9_.-]*)-v(?P<version>[0-9]+)-s(?P<seed>[0-9]+)$")


def item_id(template: str, version: int, seed: int) -> str:
    """The id of a variant; valid as a file name, an XML NCName and a URL segment."""
    return f"{template}-v{version}-s{seed}"


def parse_item_id(value: str) -> tuple[str, int, int] | None:
    """(template, version, seed) from an item id, or None when it is not one."""
    m = _ITEM_ID.match(value)
    return (m["template"], int(m["version"]), int(m["seed"])) if m else None
