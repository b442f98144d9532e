"""Benchmark: batch-grade 1,000,000 single-choice and 1,000,000 numeric responses.

Responses are strings, as a CSV delivers them; each timing includes parsing. Run with
``.venv/bin/python bench/bench_grader.py``. Target: under a second each on 2 cores.

Figures (best of 3, 2 cores), before / after the vectorised reader of the common notations
(``qbank.grader.numbers.parse_common_numbers``):

    single choice, 1M letters                      0.086 s / 0.062 s
    numeric, 1M plain decimals                     0.244 s / 0.159 s
    numeric, 1M distinct decimals                  0.258 s / 0.215 s
    numeric, 1M with 10% other notations           0.129 s / 0.227 s   (few distinct strings: the old memo was cheap)
    numeric, 1M distinct percentages               1.335 s / 0.204 s
"""

from __future__ import annotations

import time

import numpy as np

from qbank.grader import grade_choice_batch, grade_numeric_batch
from qbank.questions import NumericItem, builtin_bank

N = 1_000_000


def timed(label: str, fn, *args) -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    ok = np.nansum(result.fractions)
    print(f"{label:<58} {best:6.3f} s   ({N / best / 1e6:.2f} M/s; {ok:.0f} right, {len(result.errors)} format errors)")


def main() -> None:
    rng = np.random.default_rng(0)
    item = builtin_bank()["paris-states"].instantiate(0)
    spellings = np.array(["A", "B", "C", "D", "E", "a", "b", "c", "d", " D", "(D)", "d.", "B,D", "x", ""])
    weights = np.array([8, 10, 12, 40, 10, 2, 2, 2, 5, 2, 2, 1, 1, 1, 2], dtype=float)
    letters = rng.choice(spellings, size=N, p=weights / weights.sum()).tolist()
    timed("single choice, 1M letters (15 spellings, 4% invalid)", grade_choice_batch, item, letters)

    numeric = NumericItem(
        id="bench-v1-s0", template="bench", version=1, seed=0, title="bench", stem="Loss?",
        tags={"topics": ["cross-entropy"], "bloom": "apply"}, answer=0.693, tolerance={"absolute": 0.005, "relative": 0.005},
        decimals=3, distractors=[{"value": 0.301, "misconception": "M-LOG-BASE10"}, {"value": -0.693, "misconception": "M-NO-NEG"}],
    )
    values = rng.normal(0.693, 0.05, N)
    plain = [f"{v:.3f}" for v in values]
    timed("numeric, 1M plain decimals ('0.693'), all distinct-ish", grade_numeric_batch, numeric, plain)
    distinct = [f"{v:.9f}" for v in values]
    timed("numeric, 1M distinct decimals ('0.693147181')", grade_numeric_batch, numeric, distinct)
    mixed = list(plain)
    extras = ["69.3%", ".693", "6.93e-1", "−0.693", "693/1000", "0,693", "abc", "", "nan", "0.693 "]
    for i, j in enumerate(rng.choice(N, size=N // 10, replace=False)):
        mixed[j] = extras[i % len(extras)]
    timed("numeric, 1M with 10% other notations and garbage", grade_numeric_batch, numeric, mixed)
    worst = [f"{v:.6f}%" for v in values * 100]
    timed("numeric, 1M distinct percentages ('69.314718%')", grade_numeric_batch, numeric, worst)


if __name__ == "__main__":
    main()
