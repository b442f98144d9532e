"""Selection: which templates each section of a quiz draws, the same on every run.

A template appears at most once in a quiz: a later section draws only from templates that
earlier sections did not take. The draw uses a generator seeded from (quiz seed, section
index) through SHA-256, so it depends on nothing but the spec and the bank.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import InputError
from .spec import QuizSpec, SpecSource

__all__ = ["derive_seed", "rng_from", "select_templates"]


def derive_seed(*parts: object, bits: int = 64) -> int:
    """A non-negative integer from the parts, stable across machines and processes (never ``hash()``)."""
    text = "\x1f".join(["qbank-quiz", *(str(p) for p in parts)])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[: bits // 8], "big")


def rng_from(*parts: object) -> Any:
    import numpy as np

    return np.random.default_rng(derive_seed(*parts, bits=128))


def select_templates(spec: QuizSpec, bank: Any, source: SpecSource | None = None) -> list[list[Any]]:
    """The templates of each section, in bank order (or the order of the ids listed).

    Raises:
        InputError: an unknown id, or a section asking for more templates than the bank has,
        with the numbers and the candidates.
    """
    source = source or SpecSource()
    taken: dict[str, str] = {}  # template id -> the section that took it
    # Ids listed by any section are kept for it: a section drawing by tag never takes them first.
    listed = {tid: spec.section_name(i) for i, s in enumerate(spec.sections) for tid in s.select.ids}
    chosen: list[list[Any]] = []
    for index, section in enumerate(spec.sections):
        name = spec.section_name(index)
        sel = section.select
        unknown = [i for i in sel.ids if i not in bank]
        if unknown:
            raise InputError(
                f"{source.at('sections', index, 'select', 'ids')}: {name}: no template "
                f"{', '.join(repr(u) for u in unknown)} in the bank (see `qbank list`)"
            )
        matches = bank.select(ids=sel.ids, tags=sel.tags, topics=sel.topics, bloom=sel.bloom, families=sel.families)
        if sel.ids:
            order = {tid: n for n, tid in enumerate(sel.ids)}
            matches.sort(key=lambda t: order[t.id])
            twice = [f"{t.id} (also in {taken[t.id]})" for t in matches if t.id in taken]
            if twice:
                raise InputError(f"{source.at('sections', index, 'select', 'ids')}: {name}: a template can appear "
                                 f"only once in a quiz: {', '.join(twice)}")
        elsewhere = {**{t: f"listed by {n}" for t, n in listed.items()}, **{t: f"in {n}" for t, n in taken.items()}}
        available = [t for t in matches if t.id not in (taken if sel.ids else elsewhere)]
        wanted = section.count if section.count is not None else len(available)
        what = sel.describe() or "from the whole bank"
        if wanted > len(available) or not available:
            names = ", ".join(t.id for t in matches) or "none"
            used = [f"{t.id} {elsewhere[t.id]}" for t in matches if t not in available]
            note = f"; not available here: {', '.join(used)}" if used else ""
            raise InputError(
                f"{source.at('sections', index)}: {name} asks for {wanted or 'at least 1'} "
                f"template{'s' if wanted > 1 else ''} {what}; the bank has {len(matches)}: {names}{note}"
            )
        if wanted == len(available):
            picked = available
        else:
            rng = rng_from("select", spec.seed, index)
            positions = sorted(int(p) for p in rng.choice(len(available), size=wanted, replace=False))
            picked = [available[p] for p in positions]
        for t in picked:
            taken[t.id] = name
        chosen.append(picked)
    return chosen
