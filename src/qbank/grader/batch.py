"""Grading many responses at once, vectorised where the item type allows it.

Choice letters and numbers are parsed in bulk and compared with NumPy:

* letters: each distinct raw string is parsed once (a class of 300 types perhaps ten
  spellings of an answer), then the key is compared over an integer array;
* numbers: the common notations (``0.25``, ``-0.5``, ``.25``, ``2.5e-1``, ``25%``, a Unicode
  minus) are read for all rows at once by NumPy
  (:func:`~qbank.grader.numbers.parse_common_numbers`), then one array compare; each
  distinct string in another notation goes through
  :func:`~qbank.grader.numbers.parse_number`. Both paths accept exactly the same strings as
  the scalar parser and give the same values, bit for bit.

Other item types are graded one response at a time, each distinct raw answer once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .numbers import parse_common_numbers, parse_number
from .parse import parse
from .responses import ChoiceResponse, FormatError, Grade
from .scoring import Outcome, distractor_outcome, grade, grade_from_outcome
from .tolerance import within_array

__all__ = ["BatchResult", "grade_batch", "grade_choice_batch", "grade_numeric_batch", "parse_letters", "parse_numbers"]

@dataclass(frozen=True)
class BatchResult:
    """Per-response results for one item, as arrays.

    ``fractions`` is NaN where the response is a format error; ``codes`` says which shared
    grade each row got (see :attr:`grades`), -1 for a format error; ``errors`` holds the
    format errors by row.
    """

    fractions: np.ndarray
    codes: np.ndarray
    errors: dict[int, FormatError]
    grades: tuple[Grade, ...]

    def result(self, row: int) -> Grade | FormatError:
        code = int(self.codes[row])
        return self.errors[row] if code < 0 else self.grades[code]


class _Memo(dict[str, Any]):
    """raw string -> parsed value, computing each distinct string once."""

    def __init__(self, fn: Any):
        super().__init__()
        self.fn = fn

    def __missing__(self, raw: str) -> Any:
        value = self[raw] = self.fn(raw)
        return value


def parse_letters(item: Any, raws: Sequence[str]) -> tuple[np.ndarray, dict[int, FormatError]]:
    """Chosen positions of a single-choice item (-1 for a format error) and the errors by row."""
    memo = _Memo(lambda raw: parse(item, raw))
    results = list(map(memo.__getitem__, raws))
    lookup = {raw: (r.positions[0] if isinstance(r, ChoiceResponse) else -1) for raw, r in memo.items()}
    positions = np.fromiter(map(lookup.__getitem__, raws), dtype=np.int64, count=len(raws))
    errors = {int(i): results[i] for i in np.flatnonzero(positions < 0)}
    return positions, errors


def parse_numbers(raws: Sequence[str], unit: str | None = None) -> tuple[np.ndarray, dict[int, FormatError]]:
    """Values (NaN for a format error) and the errors by row; same results as ``parse_number``.

    The common notations are read for all rows at once
    (:func:`~qbank.grader.numbers.parse_common_numbers`); each distinct remaining string
    goes through :func:`~qbank.grader.numbers.parse_number` once.
    """
    raws = raws if isinstance(raws, list) else list(raws)
    values, ok = parse_common_numbers(raws, unit)
    errors: dict[int, FormatError] = {}
    rest = np.flatnonzero(~ok)
    if len(rest):
        memo = _Memo(lambda raw: parse_number(raw, unit))
        for i in rest.tolist():
            value = memo[raws[i]]
            if isinstance(value, FormatError):
                values[i] = np.nan
                errors[i] = value
            else:
                values[i] = value
    return values, errors


def grade_choice_batch(item: Any, raws: Sequence[str]) -> BatchResult:
    """Grade responses to one single-choice item, vectorised."""
    positions, errors = parse_letters(item, raws)
    grades = tuple(grade(item, ChoiceResponse((p,))) for p in range(len(item.options)))
    scores = np.array([g.fraction for g in grades] + [np.nan])
    return BatchResult(scores[positions], positions, errors, grades)


def grade_numeric_batch(item: Any, raws: Sequence[str]) -> BatchResult:
    """Grade responses to one numeric item, vectorised.

    Codes: 0 correct, 1..k the k-th distractor (first match wins, as in the scalar
    grader), k+1 wrong, -1 format error.
    """
    values, errors = parse_numbers(raws, item.unit)
    k = len(item.distractors)
    codes = np.full(len(raws), k + 1, dtype=np.int64)
    for j in range(k, 0, -1):  # reversed so that the first matching distractor wins
        codes[within_array(item.tolerance, values, item.distractors[j - 1].value)] = j
    codes[within_array(item.tolerance, values, item.answer)] = 0
    codes[np.isnan(values)] = -1
    outcomes = [Outcome(1.0), *(distractor_outcome(d) for d in item.distractors), Outcome(0.0)]
    grades = tuple(grade_from_outcome(item, o) for o in outcomes)
    fractions = np.array([g.fraction for g in grades] + [np.nan])[codes]
    return BatchResult(fractions, codes, errors, grades)


_VECTORISED = {"single_choice": grade_choice_batch, "numeric": grade_numeric_batch}


def grade_batch(pairs: Sequence[tuple[Any, str]]) -> list[Grade | FormatError]:
    """Grade (item, raw response) pairs; the result at row i is the Grade or FormatError of pair i."""
    groups: dict[int, tuple[Any, list[int]]] = {}
    for row, (item, _) in enumerate(pairs):
        groups.setdefault(id(item), (item, []))[1].append(row)
    out: list[Grade | FormatError | None] = [None] * len(pairs)
    for item, rows in groups.values():
        raws = [pairs[r][1] for r in rows]
        vectorised = _VECTORISED.get(item.type)
        if vectorised is not None:
            result = vectorised(item, raws)
            for j, row in enumerate(rows):
                out[row] = result.result(j)
            continue
        memo = _Memo(lambda raw, item=item: _check(item, raw))
        for row, raw in zip(rows, raws):
            out[row] = memo[raw]
    return out  # type: ignore[return-value]


def _check(item: Any, raw: str) -> Grade | FormatError:
    response = parse(item, raw)
    return response if isinstance(response, FormatError) else grade(item, response)
