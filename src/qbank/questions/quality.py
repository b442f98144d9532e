"""Test-wiseness checks: can a student who knows nothing but item-writing habits beat chance?

Every choice question of an item (single choice, multiple response, each prompt of a
matching item, and the choice parts of a multipart item) is a :class:`ChoiceSet`: a stem,
option texts and the keyed positions. A *cue* is a strategy a test-wise student applies
without knowing the subject: pick the longest option (or the shortest), the most specific
one, the one that repeats the stem's words, the middle of the numbers, "all of the above",
the one that agrees with the stem's grammar, the odd one out in form. A cue returns the
options it would pick (several when they tie) or None when it does not apply to that set.

The statistic, per template and cue, over the choice sets where the cue applies:

* hit ``h_i = |S_i ∩ K_i| / |S_i|`` for the picked set S_i and keyed set K_i (ties split:
  a strategy that cannot decide picks one of the tied options at random);
* chance ``c_i = |K_i| / n_i``, the expected hit of a blind pick;
* leak ``H - C``, the mean hit minus the mean chance.

Under "no leak" (the key placed at random among the options) each h_i has mean c_i and, being
in [0, 1], at most the variance of a Bernoulli(c_i) draw, so the mean hit
exceeds the mean chance by more than ``Z * sqrt(sum c_i (1 - c_i)) / N`` with probability
below 0.05 % (normal approximation to the binomial, Z = 3.29, one-sided). A cue *leaks*
when its excess is above that margin: what is left cannot be seed noise. Variants that
differ only in option order count once: they are one question to a student. Static items
and fixed-parameter templates are pooled per bank (a student meets them all), so a habit
shared by many fixed items is found even though each is a single question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CUES", "DEFAULT_SEEDS", "ELIMINATION_CUES", "MIN_SETS", "STATIC_GROUP", "Z", "ChoiceSet", "CueStat", "LintReport", "choice_sets",
    "cue_stats", "distinct", "lint_bank", "lint_items",
]

Z = 3.29
"""One-sided normal quantile of the margin: a leak this far above chance is not seed noise (p < 0.0005)."""
MIN_SETS = 10
"""Fewer applicable choice sets than this and a cue is reported but never judged."""
DEFAULT_SEEDS = 200


@dataclass(frozen=True)
class ChoiceSet:
    """One choice question as a student sees it: stem, option texts, keyed positions."""

    stem: str
    options: tuple[str, ...]
    key: frozenset[int]
    kind: str  # single_choice, multiple_response, matching

    @property
    def chance(self) -> float:
        return len(self.key) / len(self.options)


def choice_sets(item: Any) -> list[ChoiceSet]:
    """Every choice question in an item (parts of a multipart item included)."""
    specs = item.parts if item.type == "multipart" else (item,)
    out = []
    for spec in specs:
        stem = " ".join(s for s in (item.stem, getattr(spec, "prompt", "")) if s)
        if spec.type in ("single_choice", "multiple_response"):
            out.append(ChoiceSet(stem, tuple(o.text for o in spec.options), frozenset(spec.key), spec.type))
        elif spec.type == "matching":
            # each prompt is one question over the same choices
            for prompt, answer in zip(spec.prompts, spec.answer):
                out.append(ChoiceSet(f"{stem} {prompt}", tuple(spec.choices), frozenset({answer}), "matching"))
    return out


# ---------------------------------------------------------------------------------------
# Text features
# ---------------------------------------------------------------------------------------

_TEX_COMMAND = re.compile(r"\\(?:text|mathrm|operatorname|mathbf)\{([^}]*)\}|\\[A-Za-z]+|[{}$`*_^]")
_NUMBER = re.compile(r"(?<![A-Za-z])[-−]?\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_QUALIFIERS = frozenset(
    "may might can could usually often generally typically partly mostly largely likely tends tend some roughly "
    "about approximately nearly almost unless depends sometimes rarely".split()
)
_STOP = frozenset(
    "the a an and or of to in on for by with is are was be it its this that these those as at from than then "
    "so not no any all each one which what when how why does do has have had their there here they them his "
    "her our your you we i".split()
)
_ALL_NONE = re.compile(r"\b(all|none|both|neither) of (the above|these|them|the options)\b", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"^(?:[aeiouAEIOU]|hour|honest|[FHLMNRSX](?:[^a-z]|$))")


def visible(text: str) -> str:
    """The text roughly as rendered: TeX commands count as one character, markup as none."""
    text = _TEX_COMMAND.sub(lambda m: m.group(1) if m.group(1) is not None else ("·" if m.group(0).startswith("\\") else ""), text)
    return " ".join(text.split())


def _content_words(text: str) -> set[str]:
    return {w.lower().strip("'’-") for w in _WORD.findall(visible(text))} - _STOP


def _numbers(text: str) -> list[float]:
    out = []
    for m in _NUMBER.findall(visible(text)):
        try:
            out.append(float(m.replace("−", "-").replace(",", "")))
        except ValueError:
            continue
    return out


def _argmax(scores: Sequence[float]) -> set[int] | None:
    """The positions with the top score; None when every option scores the same (no signal)."""
    top = max(scores)
    picked = {i for i, s in enumerate(scores) if s == top}
    return None if len(picked) == len(scores) else picked


# ---------------------------------------------------------------------------------------
# Cues: ChoiceSet -> the options the strategy picks, or None when it does not apply
# ---------------------------------------------------------------------------------------


def cue_longest(cs: ChoiceSet) -> set[int] | None:
    return _argmax([len(visible(o)) for o in cs.options])


def cue_shortest(cs: ChoiceSet) -> set[int] | None:
    """Checked too, so that a fix of the longest-option cue does not overshoot into a short key."""
    return _argmax([-len(visible(o)) for o in cs.options])


def cue_specific(cs: ChoiceSet) -> set[int] | None:
    """The most specific option: numbers and hedged, qualified wording."""
    def score(text: str) -> int:
        words = [w.lower() for w in _WORD.findall(visible(text))]
        return len(_numbers(text)) + sum(w in _QUALIFIERS for w in words)
    return _argmax([score(o) for o in cs.options])


def cue_stem_overlap(cs: ChoiceSet) -> set[int] | None:
    """The option that repeats most of the stem's content words."""
    stem = _content_words(cs.stem)
    return _argmax([len(_content_words(o) & stem) for o in cs.options])


def cue_middle_value(cs: ChoiceSet) -> set[int] | None:
    """With numeric options (one number each), the middle one(s)."""
    values = []
    for o in cs.options:
        nums = _numbers(o)
        if len(nums) != 1 or len(_WORD.findall(visible(o))) > 2:
            return None
        values.append(nums[0])
    if len(values) < 3 or len(set(values)) < len(values):
        return None
    order = sorted(range(len(values)), key=lambda i: values[i])
    n = len(order)
    return {order[n // 2]} if n % 2 else {order[n // 2 - 1], order[n // 2]}


def cue_all_none(cs: ChoiceSet) -> set[int] | None:
    picked = {i for i, o in enumerate(cs.options) if _ALL_NONE.search(o)}
    return picked or None


def cue_grammar(cs: ChoiceSet) -> set[int] | None:
    """A stem ending in "a" or "an" agrees with the options that start with a consonant or a vowel sound."""
    words = visible(cs.stem).rstrip(" .?:…").split()
    if not words or words[-1].lower() not in ("a", "an"):
        return None
    vowel = words[-1].lower() == "an"
    agree = {i for i, o in enumerate(cs.options) if bool(_VOWEL_SOUND.match(visible(o))) == vowel}
    return agree if agree and len(agree) < len(cs.options) else None


_FORM = (
    lambda t: t.rstrip().endswith("."),
    lambda t: t[:1].isupper(),
    lambda t: "$" in t,
    lambda t: any(c.isdigit() for c in t),
    lambda t: "`" in t,
    lambda t: ";" in t or ":" in t,
    lambda t: bool(re.search(r"\b(not|never|no|cannot)\b", t, re.IGNORECASE)),
)


def cue_odd_form(cs: ChoiceSet) -> set[int] | None:
    """The option that differs in form (ending, capital, math, digits, code, clauses, negation) from all the others."""
    if len(cs.options) < 3:
        return None
    odd: set[int] = set()
    for feature in _FORM:
        flags = [feature(o) for o in cs.options]
        for value in (True, False):
            if flags.count(value) == 1:
                odd.add(flags.index(value))
    return odd if odd and len(odd) < len(cs.options) else None


CUES: dict[str, Callable[[ChoiceSet], set[int] | None]] = {
    "longest": cue_longest,
    "shortest": cue_shortest,
    "most specific": cue_specific,
    "stem overlap": cue_stem_overlap,
    "middle value": cue_middle_value,
    "all/none of the above": cue_all_none,
    "grammar": cue_grammar,
    "odd form": cue_odd_form,
}


def _avoiding(cue: Callable[[ChoiceSet], set[int] | None]) -> Callable[[ChoiceSet], set[int] | None]:
    def avoid(cs: ChoiceSet) -> set[int] | None:
        picked = cue(cs)
        rest = None if picked is None else set(range(len(cs.options))) - picked
        return rest or None
    return avoid


def cue_not_extreme_length(cs: ChoiceSet) -> set[int] | None:
    """Neither the longest nor the shortest option."""
    longest, shortest = cue_longest(cs), cue_shortest(cs)
    if longest is None or shortest is None:
        return None
    return set(range(len(cs.options))) - longest - shortest or None


ELIMINATION_CUES: dict[str, Callable[[ChoiceSet], set[int] | None]] = {
    **{f"not {name}": _avoiding(cue) for name, cue in CUES.items() if name not in ("all/none of the above", "grammar")},
    "not an extreme length": cue_not_extreme_length,
}
"""The same habits used to rule options out: a key that is never the longest (or never the odd
one out) lets a student pick among the rest. Opt-in (``qbank lint --elimination``)."""


# ---------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CueStat:
    """How one cue does on one group of items (a template's variants, or a bank's static items)."""

    group: str
    cue: str
    n: int  # choice sets where the cue applies
    hit: float  # mean hit rate of the strategy, ties split
    chance: float  # mean chance rate of a blind pick
    margin: float  # Z standard errors of the mean hit under no leak

    @property
    def leak(self) -> float:
        return self.hit - self.chance

    @property
    def judged(self) -> bool:
        return self.n >= MIN_SETS

    @property
    def leaks(self) -> bool:
        return self.judged and self.leak > self.margin + 1e-12


def cue_stats(group: str, sets: Iterable[ChoiceSet], cues: dict[str, Callable[[ChoiceSet], set[int] | None]] = CUES) -> list[CueStat]:
    """Each cue's hit rate against chance over ``sets``."""
    sets = list(sets)
    out = []
    for name, cue in cues.items():
        hits, chances = [], []
        for cs in sets:
            picked = cue(cs)
            if picked is None:
                continue
            hits.append(len(picked & cs.key) / len(picked))
            chances.append(cs.chance)
        n = len(hits)
        if not n:
            out.append(CueStat(group, name, 0, 0.0, 0.0, 0.0))
            continue
        var = sum(c * (1 - c) for c in chances)
        out.append(CueStat(group, name, n, sum(hits) / n, sum(chances) / n, Z * math.sqrt(var) / n))
    return out


@dataclass
class LintReport:
    stats: list[CueStat] = field(default_factory=list)

    @property
    def leaks(self) -> list[CueStat]:
        return [s for s in self.stats if s.leaks]

    def table(self, only_leaks: bool = False) -> str:
        rows = [s for s in self.stats if s.n and (s.leaks or not only_leaks)]
        if not rows:
            return ""
        width = max(len(s.group) for s in rows)
        lines = [f"{'template':<{width}}  {'cue':<21}  {'sets':>5}  {'hit':>6}  {'chance':>6}  {'leak':>6}  {'margin':>6}  verdict"]
        for s in rows:
            verdict = "LEAKS" if s.leaks else ("ok" if s.judged else "too few")
            lines.append(f"{s.group:<{width}}  {s.cue:<21}  {s.n:>5}  {s.hit:>6.3f}  {s.chance:>6.3f}  {s.leak:>+6.3f}  "
                         f"{s.margin:>6.3f}  {verdict}")
        return "\n".join(lines) + "\n"

    def as_json(self) -> list[dict[str, Any]]:
        return [{"template": s.group, "cue": s.cue, "sets": s.n, "hit": s.hit, "chance": s.chance, "leak": s.leak,
                 "margin": s.margin, "leaks": s.leaks} for s in self.stats if s.n]


STATIC_GROUP = "(static and fixed items)"


def distinct(sets: Iterable[ChoiceSet]) -> list[ChoiceSet]:
    """One of each question: variants that differ only in the order of their options are one
    question to a student, and counting them again would fake independent evidence."""
    seen: dict[tuple[Any, ...], ChoiceSet] = {}
    for cs in sets:
        seen.setdefault((cs.stem, frozenset(cs.options), frozenset(cs.options[i] for i in cs.key)), cs)
    return list(seen.values())


Cues = dict[str, Callable[[ChoiceSet], set[int] | None]]


def lint_items(groups: dict[str, Sequence[Any]], cues: Cues = CUES) -> LintReport:
    """Cue statistics for named groups of items (e.g. each template's variants), over distinct questions."""
    report = LintReport()
    for name, items in groups.items():
        sets = distinct(cs for item in items for cs in choice_sets(item))
        if sets:
            report.stats += cue_stats(name, sets, cues)
    return report


def lint_bank(bank: Any, seeds: int = DEFAULT_SEEDS, progress: Callable[[str], None] | None = None,
              cues: Cues = CUES) -> LintReport:
    """Cue statistics of every template of ``bank`` over ``seeds`` variants. Static items, and
    templates with fewer than MIN_SETS distinct choice questions (fixed parameters), are pooled:
    a student meets them all, and a habit they share is found even though each is one question."""
    groups: dict[str, list[Any]] = {}
    pooled: list[Any] = []
    for template in bank:
        if template.family is None:
            pooled.append(template.instantiate(0))
            continue
        if progress is not None:
            progress(template.id)
        items = template.instantiate_many(range(seeds))
        sets = distinct(cs for item in items for cs in choice_sets(item))
        if len(sets) >= MIN_SETS:
            groups[template.id] = items
        elif sets:
            pooled += [i for i in items if choice_sets(i)]
    if pooled:
        groups[STATIC_GROUP] = pooled
    return lint_items(groups, cues)
