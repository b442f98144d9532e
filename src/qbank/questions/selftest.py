"""Answer self-tests: correct, incorrect and invalid responses to an item, with the scores
a grader must give them.

The raw responses follow the convention the grader parses:

* choice letters: ``B`` (single choice), ``B,D`` (multiple response);
* true/false: ``true`` / ``false``;
* numbers: ``0.511``;
* orderings: entry letters in order, ``C A B``;
* matchings: ``1-b 2-a``;
* multipart: one ``label: answer`` per line.

``score`` is the expected fraction of the item's points; ``None`` means a format error is
expected (the response is not gradable, and not a counted submission). With ``at_least``
the score is a lower bound (open responses graded by a rubric).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .items import letter

__all__ = ["SelfTestCase", "self_test"]


@dataclass(frozen=True)
class SelfTestCase:
    """One response and the score it must earn (None: a format error)."""

    raw: str
    score: float | None
    note: str
    at_least: bool = False


def _number(x: float, decimals: int | None) -> str:
    return f"{x:.{max(decimals or 0, 6)}f}".rstrip("0").rstrip(".") if decimals is None else f"{x:.{decimals}f}"


def _tol(spec: Any) -> float:
    t = spec.tolerance
    if t.sigfig is not None:
        return abs(spec.answer) * 10.0 ** (1 - t.sigfig)
    return max(t.absolute or 0.0, (t.relative or 0.0) * abs(spec.answer))


def _choice_letters(idx: tuple[int, ...]) -> str:
    return ",".join(letter(i) for i in idx)


def _mr_score(spec: Any, chosen: set[int]) -> float:
    key = set(spec.key)
    n = len(spec.options)
    if spec.scoring == "all_or_nothing":
        return 1.0 if chosen == key else 0.0
    if spec.scoring == "partial":
        return sum((i in chosen) == (i in key) for i in range(n)) / n
    right, wrong = len(chosen & key), len(chosen - key)
    return max(0.0, (right - wrong) / len(key))


def _cases(spec: Any) -> list[SelfTestCase]:
    kind = spec.type
    if kind == "single_choice":
        (k,) = spec.key
        cases = [SelfTestCase(letter(k), 1.0, "the key")]
        cases += [SelfTestCase(letter(i), 0.0, f"distractor {letter(i)}") for i in range(len(spec.options)) if i != k]
        return cases + [SelfTestCase(letter(len(spec.options) + 1), None, "no such option"), SelfTestCase("", None, "empty")]
    if kind == "multiple_response":
        key = set(spec.key)
        cases = [SelfTestCase(_choice_letters(tuple(sorted(key))), 1.0, "exactly the keyed options")]
        wrong = [i for i in range(len(spec.options)) if i not in key]
        if wrong:
            with_one = tuple(sorted(key | {wrong[0]}))
            cases.append(SelfTestCase(_choice_letters(with_one), _mr_score(spec, set(with_one)), "the key plus one wrong option"))
            cases.append(SelfTestCase(letter(wrong[0]), _mr_score(spec, {wrong[0]}), "one wrong option only"))
        if len(key) > 1:
            first = {min(key)}
            cases.append(SelfTestCase(letter(min(key)), _mr_score(spec, first), "one of several keyed options"))
        return cases + [SelfTestCase(letter(len(spec.options) + 1), None, "no such option")]
    if kind == "true_false":
        right = "true" if spec.answer else "false"
        wrong = "false" if spec.answer else "true"
        return [SelfTestCase(right, 1.0, "the key"), SelfTestCase(wrong, 0.0, "the opposite"), SelfTestCase("maybe", None, "not true/false")]
    if kind == "numeric":
        tol = _tol(spec)
        cases = [
            SelfTestCase(_number(spec.answer, spec.decimals), 1.0, "the key at the asked decimals"),
            SelfTestCase(_number(spec.answer + 2 * tol, spec.decimals + 1 if spec.decimals is not None else None), 0.0, "twice the tolerance away"),
        ]
        cases += [SelfTestCase(_number(d.value, spec.decimals), 0.0, f"distractor {d.misconception}") for d in spec.distractors]
        return cases + [SelfTestCase("abc", None, "not a number")]
    if kind == "short_text":
        return [SelfTestCase(spec.answers[0], 1.0, "an accepted answer"), SelfTestCase("", None, "empty")]
    if kind == "ordering":
        right = [letter(i) for i in spec.answer]
        swapped = [right[1], right[0], *right[2:]]
        n = len(right)
        return [
            SelfTestCase(" ".join(right), 1.0, "the right order"),
            SelfTestCase(" ".join(swapped), 0.0 if spec.scoring == "exact" else (n - 1) / n, "first two swapped"),
            SelfTestCase(" ".join(right[:-1]), None, "an entry missing"),
        ]
    if kind == "matching":
        right = [f"{i + 1}-{letter(a).lower()}" for i, a in enumerate(spec.answer)]
        n = len(right)
        swapped_pairs = [f"1-{letter(spec.answer[1]).lower()}", f"2-{letter(spec.answer[0]).lower()}", *right[2:]]
        return [
            SelfTestCase(" ".join(right), 1.0, "every prompt matched rightly"),
            SelfTestCase(" ".join(swapped_pairs), 0.0 if spec.scoring == "all_or_nothing" else (n - 2) / n, "two matches swapped"),
            SelfTestCase("1-zz", None, "no such choice"),
        ]
    if kind == "open_response":
        return [
            SelfTestCase(spec.sample_answer, 0.9, "the sample answer", at_least=True),
            SelfTestCase("I like turtles and sunny weather.", 0.0, "off-topic"),
        ]
    if kind == "multipart":
        return _multipart(spec)
    raise ValueError(f"no self-test for item type {kind!r}")


def _multipart(spec: Any) -> list[SelfTestCase]:
    total = sum(p.weight for p in spec.parts)
    answers = []
    for part in spec.parts:
        correct = _cases(part)[0]
        answers.append((part, correct.raw))
    cases = [SelfTestCase("\n".join(f"{p.label}: {a}" for p, a in answers), 1.0, "every part right")]
    first_wrong = next((c for c in _cases(spec.parts[0]) if c.score == 0.0), None)
    if first_wrong is not None:
        raw = "\n".join(f"{p.label}: {first_wrong.raw if i == 0 else a}" for i, (p, a) in enumerate(answers))
        cases.append(SelfTestCase(raw, (total - spec.parts[0].weight) / total, f"part {spec.parts[0].label} wrong, the rest right"))
    cases.append(SelfTestCase("no labels here", None, "not in 'label: answer' form"))
    return cases


def self_test(item: Any) -> list[SelfTestCase]:
    """Responses to ``item`` with the scores a correct grader gives them."""
    return _cases(item)
