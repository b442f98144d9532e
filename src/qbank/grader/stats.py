"""Item statistics over a class: facility, discrimination, distractors, reliability.

All functions are pure NumPy over a score matrix, one row per student and one column per
item. An item is a *template*: its variants are parallel forms, so they are pooled (never a
quiz slot, which a shuffled section fills with different templates for different students),
and :class:`VariantStats` breaks each template down by the variant each student got. A
student who did not get a template (maximum 0 in that column) is left out of its figures:

* **facility**: the mean fraction of the item's points earned (for right/wrong items, the
  proportion correct);
* **point-biserial** (corrected): the Pearson correlation between the item's fraction and
  the *rest score* (the student's total points minus this item), so that an item is not
  correlated with itself; NaN when either has no variance;
* **upper-lower index**: facility in the top 27% of students by total minus facility in the
  bottom 27% (groups of ``max(1, round(0.27 n))`` students; ties broken by row order);
* **distractors**: how often each misconception was chosen, and which offered distractors
  nobody chose;
* **reliability**: KR-20 when every score is 0 or full marks, Cronbach's alpha otherwise
  (population variances; NaN with fewer than 2 items or no variance in totals).

Flags for review: negative discrimination, a distractor nobody chose, facility above 0.95
or below 0.2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EASY", "HARD", "ItemStats", "QuizStats", "VariantStats", "cronbach_alpha", "facility", "item_statistics", "kr20",
    "point_biserial", "upper_lower_index",
]

EASY = 0.95
HARD = 0.2
UPPER_LOWER_SHARE = 0.27


@dataclass(frozen=True)
class VariantStats:
    """One variant of a template: how the students who got it did."""

    item: str
    n: int
    facility: float
    point_biserial: float
    distractors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemStats:
    item: str
    n: int
    facility: float
    point_biserial: float
    upper_lower: float
    distractors: dict[str, int] = field(default_factory=dict)
    unchosen: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    variants: tuple[VariantStats, ...] = ()


@dataclass(frozen=True)
class QuizStats:
    items: tuple[ItemStats, ...]
    n_students: int
    reliability: float
    reliability_kind: str


def facility(fractions: np.ndarray) -> np.ndarray:
    """Mean fraction per column."""
    return np.asarray(fractions, dtype=float).mean(axis=0)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) == 0:
        return float("nan")
    x, y = x - x.mean(), y - y.mean()
    denom = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / denom) if denom > 1e-12 else float("nan")


def point_biserial(fractions: np.ndarray, points: np.ndarray, taken: np.ndarray | None = None) -> np.ndarray:
    """Corrected item-rest correlation per column (NaN where undefined).

    ``taken`` (same shape, boolean) leaves out the students who did not get an item.
    """
    totals = points.sum(axis=1)
    taken = np.ones(points.shape, dtype=bool) if taken is None else taken
    return np.array([_pearson(fractions[taken[:, j], j], (totals - points[:, j])[taken[:, j]])
                     for j in range(points.shape[1])])


def upper_lower_index(fractions: np.ndarray, totals: np.ndarray, share: float = UPPER_LOWER_SHARE) -> np.ndarray:
    """Facility among the top ``share`` of students minus facility among the bottom ``share``."""
    n = len(totals)
    g = max(1, int(round(share * n)))
    order = np.argsort(-np.asarray(totals, dtype=float), kind="stable")
    return fractions[order[:g]].mean(axis=0) - fractions[order[-g:]].mean(axis=0)


def _masked_mean(values: np.ndarray, taken: np.ndarray) -> np.ndarray:
    counts = taken.sum(axis=0)
    sums = np.where(taken, values, 0.0).sum(axis=0)
    return np.divide(sums, counts, out=np.full(values.shape[1], np.nan), where=counts > 0)


def _variant_breakdown(j: int, fractions: np.ndarray, points: np.ndarray, taken: np.ndarray,
                       variants: Sequence[Sequence[str | None]], picks: Sequence[Sequence[Sequence[str]]] | None,
                       ) -> tuple[VariantStats, ...]:
    rest = points.sum(axis=1) - points[:, j]
    labels = [variants[i][j] for i in range(len(variants))]
    out = []
    for variant in dict.fromkeys(v for v, t in zip(labels, taken[:, j]) if v is not None and t):
        rows = np.array([v == variant for v in labels]) & taken[:, j]
        counts: dict[str, int] = {}
        for i in np.flatnonzero(rows):
            for m in (picks[i][j] if picks is not None else ()):
                counts[m] = counts.get(m, 0) + 1
        out.append(VariantStats(variant, int(rows.sum()), float(fractions[rows, j].mean()),
                                _pearson(fractions[rows, j], rest[rows]), counts))
    return tuple(sorted(out, key=lambda v: v.item))


def _alpha(points: np.ndarray, item_variances: np.ndarray) -> float:
    k = points.shape[1]
    total_var = float(points.sum(axis=1).var())
    if k < 2 or total_var <= 1e-12:
        return float("nan")
    return k / (k - 1) * (1.0 - float(item_variances.sum()) / total_var)


def kr20(correct: np.ndarray) -> float:
    """Kuder-Richardson 20 for a 0/1 matrix."""
    correct = np.asarray(correct, dtype=float)
    p = correct.mean(axis=0)
    return _alpha(correct, p * (1 - p))


def cronbach_alpha(points: np.ndarray) -> float:
    """Cronbach's alpha for a matrix of item scores."""
    points = np.asarray(points, dtype=float)
    return _alpha(points, points.var(axis=0))


def item_statistics(
    labels: Sequence[str],
    points: np.ndarray,
    max_points: np.ndarray,
    chosen: Sequence[Mapping[str, int]] | None = None,
    offered: Sequence[Sequence[str]] | None = None,
    variants: Sequence[Sequence[str | None]] | None = None,
    picks: Sequence[Sequence[Sequence[str]]] | None = None,
) -> QuizStats:
    """Statistics for each column of ``points`` (students x items) and for the whole quiz.

    ``max_points`` has the same shape (a template's variants may carry different points; 0
    where the student did not get the item); ``chosen[j]`` counts the misconceptions chosen
    on item j and ``offered[j]`` lists the misconceptions its distractors stand for.
    ``variants[i][j]`` names the variant student i got of item j (None: not taken) and
    ``picks[i][j]`` the misconceptions behind that student's answer; with them each item
    carries its per-variant breakdown.
    """
    points = np.asarray(points, dtype=float)
    max_points = np.broadcast_to(np.asarray(max_points, dtype=float), points.shape)
    n, k = points.shape
    fractions = np.divide(points, max_points, out=np.zeros_like(points), where=max_points > 0)
    taken = max_points > 0
    if n and not taken.all():
        fac = _masked_mean(fractions, taken)
    else:
        fac = facility(fractions) if n else np.full(k, np.nan)
    rpb = point_biserial(fractions, points, taken) if n else np.full(k, np.nan)
    ul = upper_lower_index(fractions, points.sum(axis=1)) if n else np.full(k, np.nan)
    dichotomous = bool(np.all((fractions == 0) | (fractions == 1)))
    reliability = kr20(fractions) if dichotomous else cronbach_alpha(points)
    items = []
    for j, label in enumerate(labels):
        counts = dict(chosen[j]) if chosen is not None else {}
        unchosen = tuple(m for m in (offered[j] if offered is not None else ()) if not counts.get(m))
        flags = []
        if rpb[j] < 0:
            flags.append("negative discrimination")
        if unchosen:
            flags.append("distractor nobody chose: " + ", ".join(unchosen))
        if fac[j] > EASY:
            flags.append(f"facility above {EASY}")
        if fac[j] < HARD:
            flags.append(f"facility below {HARD}")
        breakdown = _variant_breakdown(j, fractions, points, taken, variants, picks) if variants is not None and n else ()
        items.append(ItemStats(label, int(taken[:, j].sum()), float(fac[j]), float(rpb[j]), float(ul[j]), counts,
                               unchosen, tuple(flags), breakdown))
    return QuizStats(tuple(items), n, reliability, "KR-20" if dichotomous else "Cronbach's alpha")
