"""Agreement between the rubric grader and the hand grades in data/preamble_answers.yaml.

Run as a script to print the report: ``.venv/bin/python tests/grader/preamble_calibration.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from qbank.grader import score_rubric
from qbank.questions.families._rubrics import PREAMBLE_RUBRIC

DATA = Path(__file__).parent / "data" / "preamble_answers.yaml"
CRITERIA = [c.id for c in PREAMBLE_RUBRIC.criteria]


@dataclass(frozen=True)
class Agreement:
    n: int
    within_015: float
    mean_abs_diff: float
    pearson: float
    criterion_agreement: float
    rows: list[tuple[str, float, float, set[str], set[str]]]


def load(split: str | None = None) -> list[dict]:
    answers = yaml.safe_load(DATA.read_text(encoding="utf-8"))["answers"]
    return [a for a in answers if split is None or a["split"] == split]


def agreement(answers: list[dict], paraphrase: bool | None = None) -> Agreement:
    rows = []
    for a in answers:
        result = score_rubric(PREAMBLE_RUBRIC, a["answer"], paraphrase=paraphrase)
        rows.append((a["id"], float(a["expected"]), result.fraction, set(a["criteria"]), {c.id for c in result.criteria if c.met}))
    human = np.array([r[1] for r in rows])
    auto = np.array([r[2] for r in rows])
    diff = np.abs(human - auto)
    crit = np.mean([(c in r[3]) == (c in r[4]) for r in rows for c in CRITERIA])
    return Agreement(len(rows), float(np.mean(diff <= 0.15 + 1e-9)), float(diff.mean()),
                     float(np.corrcoef(human, auto)[0, 1]), float(crit), rows)


def report(name: str, a: Agreement) -> str:
    lines = [f"{name}: n={a.n}, |auto-human|<=0.15 for {a.within_015:.0%}, mean |diff| {a.mean_abs_diff:.3f}, "
             f"Pearson r {a.pearson:.3f}, criterion agreement {a.criterion_agreement:.1%}"]
    for id_, human, auto, hc, ac in a.rows:
        mark = "" if abs(human - auto) <= 0.15 + 1e-9 else "   <-- disagrees"
        extra = "" if hc == ac else f"  human {sorted(hc)} auto {sorted(ac)}"
        lines.append(f"  {id_:<28} human {human:.2f} auto {auto:.2f}{mark}{extra}")
    return "\n".join(lines)


if __name__ == "__main__":
    for split in ("calibration", "holdout"):
        answers = load(split)
        if answers:
            print(report(split, agreement(answers)))
