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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .progress import Attempt, mastery

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FIRST_BOX", "LAST_BOX", "Planned", "leitner_boxes", "plan", "weakness"]

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
    boxes = leitner_boxes(attempts)
    topic_mastery = {m.name: m.fraction for m in mastery(attempts, by="topic")}
    tiebreak = rng.permutation(len(templates))

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
    seeds = rng.integers(0, SEED_RANGE, size=n)
    return [Planned(templates[order[k % len(order)]].id, int(seeds[k])) for k in range(n)]
