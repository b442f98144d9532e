"""Test helpers: variants of the built-in bank's templates, instantiated once per session."""

from __future__ import annotations

from qbank.questions import builtin_bank

_CACHE: dict[str, tuple] = {}


def variants(template_id: str, n: int) -> tuple:
    """Items for seeds 0..n-1; several tests read the same variants, so they are cached and extended."""
    have = _CACHE.get(template_id, ())
    if len(have) < n:
        template = builtin_bank()[template_id]
        many = getattr(template, "instantiate_many", None)
        seeds = range(len(have), n)
        have = have + tuple(many(seeds) if many else (template.instantiate(s) for s in seeds))
        _CACHE[template_id] = have
    return have[:n]
