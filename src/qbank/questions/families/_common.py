"""Helpers shared by the families: option shuffling, number and token formatting."""

from __future__ import annotations

from collections.abc import Sequence
import numpy as np

from ..items import Option
from ..params import TokenDistribution

__all__ = ["fmt", "shuffle", "tok", "token_table"]


def fmt(x: float, decimals: int = 3) -> str:
    """A number as the stem shows it; never prints -0.000."""
    s = f"{x:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def tok(token: str) -> str:
    """A token as inline code, so Markdown never reinterprets it (``*``, ``_``, apostrophes)."""
    fence = "``" if "`" in token else "`"
    pad = " " if token.startswith("`") or token.endswith("`") else ""
    return f"{fence}{pad}{token}{pad}{fence}"


def token_table(dists: Sequence[tuple[str, TokenDistribution]]) -> str:
    """A Markdown table with one probability column per named distribution."""
    names = list(dict.fromkeys(t for _, d in dists for t in d.tokens))
    header = "| token | " + " | ".join(label for label, _ in dists) + " |"
    rule = "|---|" + "---:|" * len(dists)
    rows = [f"| {tok(t)} | " + " | ".join(fmt(d.tokens.get(t, 0.0), 2) for _, d in dists) + " |" for t in names]
    if any(d.remainder for _, d in dists):
        label = dists[0][1].remainder_label
        rows.append(f"| {label} | " + " | ".join(fmt(d.remainder, 2) for _, d in dists) + " |")
    return "\n".join([header, rule, *rows])


def shuffle(options: Sequence[Option], rng: np.random.Generator) -> tuple[Option, ...]:
    """Options in a uniformly random order, so the key's position carries no signal."""
    return tuple(options[i] for i in rng.permutation(len(options)))
