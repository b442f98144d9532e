"""Agreement with an instructor's marking, fitted rubric settings, and applying them.

An instructor marks some answers (a total score, and optionally each criterion met or
not); :func:`agreement` compares the grader with those marks (Pearson r, mean absolute
error, a confusion table per criterion); :func:`fit` chooses, from the marks, each
criterion's paraphrase threshold (where criterion marks are given and the embedding
model is installed) and the criterion weights (least squares on the totals, kept
positive). A :class:`Fit` is saved as JSON beside the bank (:data:`FIT_FILE`) and applied
when that template's items are graded again (:func:`use_fits`, :func:`fitted_rubric`).
Fitting changes how answers are scored, never the item: content hashes and manifests
stay valid.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FIT_FILE", "FIT_FORMAT", "Agreement", "Fit", "Marked", "agreement", "fit", "fitted_rubric", "load_fits",
           "use_fits"]

FIT_FILE = "qbank-rubric-fit.json"
FIT_FORMAT = "qbank-rubric-fit/1"
MIN_TO_FIT = 10

_ACTIVE: dict[str, Fit] = {}


@dataclass(frozen=True)
class Marked:
    """One answer with the instructor's marks: ``score`` a fraction, ``criteria`` id -> met (when marked)."""

    row: int
    answer: str
    score: float | None
    criteria: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Agreement:
    n: int
    pearson: float
    mae: float
    confusion: dict[str, dict[str, int]]
    rows: list[tuple[int, float, float]]


@dataclass(frozen=True)
class Fit:
    """Settings fitted for one template's rubric: criterion weights and paraphrase thresholds."""

    template: str
    weights: dict[str, float]
    similarity: dict[str, float]
    n: int
    before: tuple[float, float]
    after: tuple[float, float]

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights, "similarity": self.similarity, "n": self.n,
                "before": {"pearson": self.before[0], "mae": self.before[1]},
                "after": {"pearson": self.after[0], "mae": self.after[1]}}


def _pearson(a: Any, b: Any) -> float:
    import numpy as np

    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def agreement(rubric: Any, marked: list[Marked], min_words: int = 0) -> Agreement:
    """How the grader's scores and criteria compare with the instructor's."""
    from .rubric import score_rubrics

    scores = score_rubrics(rubric, [m.answer for m in marked], min_words)
    return _agreement(rubric, marked, scores)


def _agreement(rubric: Any, marked: list[Marked], scores: list[Any]) -> Agreement:
    import numpy as np

    rows = [(m.row, m.score, s.fraction) for m, s in zip(marked, scores) if m.score is not None]
    human = np.array([r[1] for r in rows], dtype=float)
    auto = np.array([r[2] for r in rows], dtype=float)
    confusion: dict[str, dict[str, int]] = {}
    for c in rubric.criteria:
        cell = {"both": 0, "grader_only": 0, "instructor_only": 0, "neither": 0}
        for m, s in zip(marked, scores):
            if c.id not in m.criteria:
                continue
            ours = next(r.met for r in s.criteria if r.id == c.id)
            theirs = m.criteria[c.id]
            key = "both" if ours and theirs else "grader_only" if ours else "instructor_only" if theirs else "neither"
            cell[key] += 1
        if sum(cell.values()):
            confusion[c.id] = cell
    mae = float(np.abs(human - auto).mean()) if len(rows) else float("nan")
    return Agreement(len(rows), _pearson(human, auto), mae, confusion, [(r, h, a) for r, h, a in rows])


def fitted_rubric(rubric: Any, f: Fit | None) -> Any:
    """``rubric`` with the fitted weights and thresholds (the rubric itself when ``f`` is None)."""
    if f is None:
        return rubric
    criteria = tuple(
        c.model_copy(update={"weight": f.weights.get(c.id, c.weight), "similarity": f.similarity.get(c.id, c.similarity)})
        for c in rubric.criteria
    )
    return rubric.model_copy(update={"criteria": criteria})


def fit(rubric: Any, template: str, marked: list[Marked], min_words: int = 0) -> Fit:
    """Fit weights (from totals) and paraphrase thresholds (from criterion marks) to the instructor's marking.

    Raises ValueError when fewer than :data:`MIN_TO_FIT` answers carry a total score.
    """
    import numpy as np

    from .embedding import available
    from .rubric import score_rubrics

    scored = [m for m in marked if m.score is not None]
    if len(scored) < MIN_TO_FIT:
        raise ValueError(f"fitting needs at least {MIN_TO_FIT} answers with a score, got {len(scored)}")
    answers = [m.answer for m in marked]
    before = _agreement(rubric, marked, score_rubrics(rubric, answers, min_words))
    similarity: dict[str, float] = {}
    if available():
        for c in rubric.criteria:
            labelled = [m for m in marked if c.id in m.criteria]
            if not c.statements or len(labelled) < MIN_TO_FIT:
                continue
            best = (-1.0, c.similarity)
            for t in np.round(np.arange(0.40, 0.81, 0.02), 2):
                trial = fitted_rubric(rubric, Fit(template, {}, {c.id: float(t)}, 0, (0, 0), (0, 0)))
                got = score_rubrics(trial, [m.answer for m in labelled], min_words)
                agree = np.mean([next(r.met for r in g.criteria if r.id == c.id) == m.criteria[c.id] for g, m in zip(got, labelled)])
                # prefer the current threshold on ties: move only for a real gain
                if agree > best[0] + 1e-9 or (abs(agree - best[0]) < 1e-9 and abs(t - c.similarity) < abs(best[1] - c.similarity)):
                    best = (float(agree), float(t))
            similarity[c.id] = best[1]
    tuned = fitted_rubric(rubric, Fit(template, {}, similarity, 0, (0, 0), (0, 0)))
    results = score_rubrics(tuned, [m.answer for m in scored], min_words)
    ids = [c.id for c in rubric.criteria]
    x = np.array([[float(next(r.met for r in g.criteria if r.id == i)) for i in ids] for g in results])
    y = np.array([m.score for m in scored], dtype=float)
    total = rubric.total_weight
    w, *_ = np.linalg.lstsq(x, y, rcond=None)
    # an unidentifiable or negative weight keeps a small positive share; weights stay on the rubric's scale
    w = np.where(np.isfinite(w) & (w > 0.01), w, 0.01)
    w = w / w.sum() * total
    weights = {i: round(float(v), 3) for i, v in zip(ids, w)}
    candidate = Fit(template, weights, similarity, len(scored), (before.pearson, before.mae), (0, 0))
    after = _agreement(rubric, marked, score_rubrics(fitted_rubric(rubric, candidate), answers, min_words))
    if not (after.mae <= before.mae + 1e-9):
        # the weights did not help on the marks they were fitted to: keep the rubric's own
        candidate = Fit(template, {c.id: c.weight for c in rubric.criteria}, similarity, len(scored), candidate.before, (0, 0))
        after = _agreement(rubric, marked, score_rubrics(fitted_rubric(rubric, candidate), answers, min_words))
    return Fit(template, candidate.weights, similarity, len(scored), (before.pearson, before.mae), (after.pearson, after.mae))


def fit_path(banks: tuple[str, ...]) -> Path:
    """Where a fit is saved: beside the first --bank (its folder), else the current folder."""
    if banks:
        p = Path(banks[0])
        return (p if p.is_dir() else p.parent) / FIT_FILE
    return Path.cwd() / FIT_FILE


def fits_document(fits: dict[str, Fit], existing: dict[str, Any] | None = None) -> str:
    doc = {"format": FIT_FORMAT, "templates": dict((existing or {}).get("templates", {}))}
    doc["templates"].update({t: f.to_json() for t, f in fits.items()})
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def load_fits(path: Path) -> dict[str, Fit]:
    """The fits saved in ``path`` (none when the file does not exist). Raises ValueError naming a bad field."""
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a rubric fit file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FIT_FORMAT:
        raise ValueError(f"{path}: not a rubric fit file (format should be {FIT_FORMAT!r})")
    out = {}
    for template, entry in (doc.get("templates") or {}).items():
        try:
            weights = {str(k): float(v) for k, v in entry.get("weights", {}).items()}
            similarity = {str(k): float(v) for k, v in entry.get("similarity", {}).items()}
        except (AttributeError, TypeError, ValueError):
            raise ValueError(f"{path}: templates.{template}: weights and similarity must map criterion ids to numbers") from None
        if any(not math.isfinite(v) or v <= 0 for v in weights.values()) or any(not 0 < v <= 1 for v in similarity.values()):
            raise ValueError(f"{path}: templates.{template}: weights must be positive and similarity in (0, 1]")
        out[template] = Fit(template, weights, similarity, int(entry.get("n", 0)), (0, 0), (0, 0))
    return out


def use_fits(banks: tuple[str, ...]) -> dict[str, Fit]:
    """Load the fit file beside the banks (or in the current folder) and apply it to later grading."""
    from ..errors import InputError

    try:
        fits = load_fits(fit_path(banks))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    _ACTIVE.clear()
    _ACTIVE.update(fits)
    return fits


def active_fit(template: str | None) -> Fit | None:
    return _ACTIVE.get(template) if template else None
