"""Test helpers: variants of the built-in bank's templates, instantiated once per session."""

from __future__ import annotations

from qbank.questions import builtin_bank

_CACHE: dict[str, tuple] = {}


def variants(template_id: str, n: int) -> tuple:
    """Items for seeds 0..n-1 through the batch path; several tests read the same variants, so they are
    cached for the session and extended (test_batch checks the batch path against ``instantiate``)."""
    have = _CACHE.get(template_id, ())
    if len(have) < n:
        template = builtin_bank()[template_id]
        have = have + tuple(template.instantiate_many(range(len(have), n)))
        _CACHE[template_id] = have
    return have[:n]


def first_per_family() -> list[str]:
    """Each family's first template in the bank: its default parameters."""
    seen: dict[str, str] = {}
    for t in builtin_bank():
        if t.family is not None:
            seen.setdefault(t.family, t.id)
    return list(seen.values())

