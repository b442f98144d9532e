"""Which items a practice session asks next: Leitner boxes per template, weakest topics first.

The rule (documented for students in ``qbank practice --help``):

* Every template a student has answered sits in a box from 1 to 5. A right answer moves it
  up one box (at most 5), a wrong answer sends it back to box 1, a skip leaves it where it
  is. A template answered for the first time starts from box 1 (right: box 2, wrong: box 1).
* A session of ``n`` items takes templates in this order:

  1. boxes 1 and 2 (answered wrong lately, or right only once), lowest box first;
  2. templates never answered;
  3. boxes 3, 4 and 5, lowest box first.

  Within each step, templates of the weakest topic come first (a template's weakness is the
  mastery of its weakest topic; a topic never practised counts as 0). Ties are broken by
  the session's seeded generator, so ``--seed`` makes the whole session reproducible.
* If ``n`` is more than the matching templates, the order repeats; every item is a fresh
  variant (a new seed), so a repeated template shows new numbers.
* Two templates of one family (``paris-states`` and ``paris-states-original``) are near
  duplicates: the session never asks them back to back while another template can go
  between them (the next template in the order that is of another family goes first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .progress import Attempt, mastery

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FIRST_BOX", "LAST_BOX", "Planned", "arrange", "draw", "leitner_boxes", "plan", "weakness"]

FIRST_BOX = 1
LAST_BOX = 5
# Boxes reviewed before any new template is introduced.
REVIEW_FIRST = (1, 2)
SEED_RANGE = 1_000_000


@dataclass(frozen=True)
class Planned:
    """One item a session will ask: a template and the seed of its variant."""

    template: str
    seed: int


def leitner_boxes(attempts: Iterable[Attempt]) -> dict[str, int]:
    """The box of every answered template, replaying attempts oldest first."""
    boxes: dict[str, int] = {}
    for a in attempts:
        if a.outcome == "skipped":
            continue
        box = boxes.get(a.template, FIRST_BOX)
        boxes[a.template] = min(box + 1, LAST_BOX) if a.outcome == "correct" else FIRST_BOX
    return boxes


def weakness(topics: Sequence[str], topic_mastery: dict[str, float]) -> float:
    """Mastery (0 to 1) of a template's weakest topic; a topic never practised counts as 0."""
    return min((topic_mastery.get(t, 0.0) for t in topics), default=0.0)


def plan(templates: Sequence[Any], attempts: Sequence[Attempt], n: int, rng: np.random.Generator) -> list[Planned]:
    """The ``n`` items of a session, by the rule in this module's docstring.

    ``templates`` are the candidates (already filtered by topic and Bloom level), each with
    ``id`` and ``tags.topics``. Returns an empty list when there are none.
    """
    if not templates or n <= 0:
        return []
    return arrange(templates, attempts, n, *draw(rng, len(templates), n))


def draw(rng: np.random.Generator, count: int, n: int) -> tuple[list[int], list[int]]:
    """All a session's randomness, from its generator: a tie-break rank for each of the ``count``
    candidate templates and the seeds of the ``n`` variants. Pure in ``(seed, count, n)``, so
    ``qbank practice --seed`` keeps it in the cache and plans a warm session without numpy."""
    tiebreak = rng.permutation(count)
    seeds = rng.integers(0, SEED_RANGE, size=n)
    return [int(t) for t in tiebreak], [int(s) for s in seeds]


def arrange(templates: Sequence[Any], attempts: Sequence[Attempt], n: int, tiebreak: Sequence[int],
            seeds: Sequence[int]) -> list[Planned]:
    """:func:`plan` with its draws (:func:`draw`) made: the order of the rule, ties broken by ``tiebreak``."""
    if not templates or n <= 0:
        return []
    boxes = leitner_boxes(attempts)
    topic_mastery = {m.name: m.fraction for m in mastery(attempts, by="topic")}

    def step(i: int) -> int:
        box = boxes.get(templates[i].id)
        if box is None:
            return 1
        return 0 if box in REVIEW_FIRST else 2

    order = sorted(
        range(len(templates)),
        key=lambda i: (
            step(i), boxes.get(templates[i].id, 0), weakness(templates[i].tags.topics, topic_mastery), tiebreak[i],
        ),
    )
    chosen = _spread([templates[order[k % len(order)]] for k in range(n)])
    return [Planned(t.id, int(seed)) for t, seed in zip(chosen, seeds)]


def _kind(template: Any) -> str:
    """What makes two templates near duplicates: the family (a static item is its own kind)."""
    return getattr(template, "family", None) or f"static:{template.id}"


def _spread(queue: list[Any]) -> list[Any]:
    """``queue`` reordered so that no two neighbours share a family where that can be avoided:
    each time the earliest template of another family whose taking leaves the rest arrangeable."""
    from collections import Counter

    pending, out = list(queue), []
    counts = Counter(_kind(t) for t in pending)

    def arrangeable(after: str) -> bool:
        # What is left can follow ``after`` with no equal neighbours: no family fills more than
        # every other place, and ``after``'s own family is not forced into the first place.
        n = sum(counts.values())
        most = max(counts.values(), default=0)
        return most <= (n + 1) // 2 and not (n % 2 == 1 and counts[after] == (n + 1) // 2)

    while pending:
        last = _kind(out[-1]) if out else None
        candidates = [i for i, t in enumerate(pending) if _kind(t) != last]
        pick = candidates[0] if candidates else 0
        for i in candidates:
            kind = _kind(pending[i])
            counts[kind] -= 1
            ok = arrangeable(kind)
            counts[kind] += 1
            if ok:
                pick = i
                break
        counts[_kind(pending[pick])] -= 1
        out.append(pending.pop(pick))
    return out
