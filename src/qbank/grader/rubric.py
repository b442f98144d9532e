"""Scoring open responses against a rubric: per clause, by relation, with evidence.

The rules, in the order they apply:

1. **Normalise, mend and cut.** NFKC, quote variants folded; misspelt words mended to the
   rubric's vocabulary (:mod:`qbank.grader.spelling`); Markdown marks dropped; the answer
   is cut into sentences and clauses (:mod:`qbank.grader.clauses`). Only the first
   :data:`MAX_CHARS` characters are read (a longer answer is flagged for review).
2. **Too short.** Fewer than ``min_words`` words scores 0 (graded: the student answered).
3. **Wrong mechanisms.** A clause that states one of the rubric's ``wrong`` explanations,
   not negated ("it is not exposure bias" is fine), earns nothing.
4. **Criteria.** A criterion is met by the first clause that *states its relation*: the
   clause has a predicate, every pattern of one of the criterion's ``relations`` matches
   in it, and no negation covers the match. Failing that, with the embedding model
   installed, by a clause that paraphrases one of its ``statements`` (cosine at least
   ``similarity``, an anchor word present, no negation, not a list). A criterion that
   one clause states and another denies ("the weights are shared ... the weights are
   not shared"), or that a ``contradictions`` pattern hits outside a negation, is
   contradicted and not met. Each result names the sentence that earned it.
   Criteria without relations (older rubrics) use ``cues`` over the whole answer.
5. **Caps**, each with its reason in the feedback: the rubric's caps (``unless``); a
   wrong mechanism limits the score to ``wrong_cap`` unless every required criterion is
   met elsewhere; an answer that is mostly a list of terms, or mostly copied from the
   rubric's own text, is capped at :data:`KEYWORD_LIST_CAP`.
6. **required_for_full.** Missing any of these, the answer never gets full marks.

A grade is flagged for review (``RubricScore.review``) when a criterion was decided by a
paraphrase close to its threshold, when a cap for gaming or a wrong mechanism fired on an
answer that also earned credit, when criteria contradict, or when the answer was cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .clauses import WORD, Clause, clauses, is_negated
from .responses import CriterionResult
from .spelling import mend
from .text import normalise

__all__ = ["KEYWORD_LIST_CAP", "MAX_CHARS", "RubricScore", "is_keyword_list", "score_rubric", "score_rubrics"]

KEYWORD_LIST_CAP = 0.1
MAX_CHARS = 20_000
# how close to the paraphrase threshold a decision must be to ask for a human look
UNCERTAIN_BAND = 0.05
# the share of an answer's word 4-grams found in the rubric's own text that makes it a copy
COPY_SHARE = 0.4

_FUNCTION_WORDS = frozenset(
    "a an the is are was were be been being it its this that these those there they them their so because "
    "since as of to in on for by with from at than then which who what when while if but and or not no "
    "does do did has have had can could would will should may might must each every one all many more most "
    "how why into onto after before only also even still just very".split()
)


@dataclass(frozen=True)
class RubricScore:
    """The fraction earned, one result per criterion, the feedback, and why a human should look."""

    fraction: float
    criteria: tuple[CriterionResult, ...]
    feedback: tuple[str, ...]
    review: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def is_keyword_list(text: str) -> bool:
    """Whether ``text`` lists terms instead of explaining.

    True when fewer than one word in eight is a function word ("the", "is", "because",
    "so", ...), or when the answer splits on commas, semicolons, newlines and bullets into
    three or more fragments averaging under four words.
    """
    words = WORD.findall(text.casefold())
    if len(words) < 3:
        return True
    function = sum(w in _FUNCTION_WORDS for w in words)
    if function / len(words) < 0.125:
        return True
    fragments = [f for f in re.split(r"[,;\n•·*|/]+|\s-\s", text) if WORD.search(f)]
    return len(fragments) >= 3 and len(words) / len(fragments) < 4


@lru_cache(maxsize=64)
def _rubric_ngrams(rubric: Any) -> frozenset[tuple[str, ...]]:
    texts = [t for c in rubric.criteria for t in (c.title, c.description, c.feedback_met, c.feedback_missed)]
    texts += [cap.reason for cap in rubric.caps] + [w.feedback for w in rubric.wrong]
    grams: set[tuple[str, ...]] = set()
    for t in texts:
        words = WORD.findall(t.casefold())
        grams.update(zip(words, words[1:], words[2:], words[3:]))
    return frozenset(grams)


def _copied_share(rubric: Any, text: str) -> float:
    words = WORD.findall(text.casefold())
    grams = list(zip(words, words[1:], words[2:], words[3:]))
    if len(grams) < 3:
        return 0.0
    known = _rubric_ngrams(rubric)
    return sum(g in known for g in grams) / len(grams)


def _normalise(answer: str) -> str:
    # line by line: the line breaks of a list or of bullets are part of what the answer says
    return "\n".join(normalise(line, case_sensitive=True) for line in answer.splitlines())


class _Matches:
    """Pattern searches over one clause, each done once (relations share their concept patterns)."""

    __slots__ = ("text", "_found")

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[str, re.Match[str] | None] = {}

    def search(self, pattern: str) -> re.Match[str] | None:
        try:
            return self._found[pattern]
        except KeyError:
            m = self._found[pattern] = _compiled(pattern).search(self.text)
            return m

    def unnegated(self, pattern: str) -> re.Match[str] | None:
        if self.search(pattern) is None:
            return None
        for m in _compiled(pattern).finditer(self.text):
            if not is_negated(self.text, m.start(), m.end()):
                return m
        return None

    def relation(self, relation: tuple[str, ...]) -> tuple[bool, bool]:
        """(holds, negated) for one relation in this clause."""
        spans, asked = [], []
        for pattern in relation:
            m = self.search(pattern)
            if m is None:
                return False, False
            spans.append(m.span())
            if "cannot" in pattern:
                asked.append(m.span())
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        # a negation the relation itself asks for ("cannot treat the prompt in isolation") is not one
        masked = self.text
        for s, e in asked:
            masked = masked[:s] + "x" * (e - s) + masked[e:]
        return True, is_negated(masked, start, end)


@dataclass
class _Pending:
    """A criterion the relations did not earn, and the clauses that might paraphrase it."""

    criterion: Any
    contradicted: bool
    candidates: list[Clause]
    sims: list[float] | None = None


def _rules(c: Any, units: list[Clause], matches: list[_Matches], wrong_units: set[int], text: str,
           use_paraphrase: bool) -> CriterionResult | _Pending:
    """The result of one criterion from its relations (or cues), or what a paraphrase still has to decide."""
    if not c.relations:
        matched = tuple(p for p in c.cues if _compiled(p).search(text))
        contradicted = any(_compiled(p).search(text) for p in c.contradictions)
        met = len(matched) >= c.min_cues and not contradicted
        evidence = next((u.sentence for u in units for p in matched if _compiled(p).search(u.text)), None) if met else None
        return _result(c, met, contradicted, matched, evidence, "cues" if met else "", None)
    positive: Clause | None = None
    negated: Clause | None = None
    for u, m in zip(units, matches):
        if u.index in wrong_units or not u.statement:
            continue
        outcomes = [m.relation(relation) for relation in c.relations]
        if any(holds and not neg for holds, neg in outcomes):
            positive = positive or u
        elif any(holds for holds, _ in outcomes) and negated is None:
            negated = u
        if positive is not None and negated is not None:
            break
    contradicted = negated is not None or any(m.unnegated(p) for p in c.contradictions for m in matches)
    if positive is not None:
        return _result(c, not contradicted, contradicted, (), None if contradicted else positive.text,
                       "" if contradicted else "relation", None)
    if not use_paraphrase or not c.statements or contradicted:
        return _result(c, False, contradicted, (), None, "", None)
    anchors = c.anchors or tuple(p for r in c.relations for p in r)
    candidates = [u for u, m in zip(units, matches)
                  if u.statement and u.index not in wrong_units and not _NEGATOR_ANY.search(u.text)
                  and any(m.search(a) for a in anchors)]
    return _Pending(c, contradicted, candidates)


def _decide(p: _Pending) -> tuple[CriterionResult, bool]:
    """A pending criterion once its candidates' similarities are known; and whether that was a close call."""
    c = p.criterion
    if not p.candidates or not p.sims:
        return _result(c, False, p.contradicted, (), None, "", None), False
    best = max(range(len(p.sims)), key=p.sims.__getitem__)
    s = p.sims[best]
    met = s >= c.similarity
    result = _result(c, met, False, (), p.candidates[best].text if met else None, "paraphrase" if met else "", round(s, 3))
    return result, abs(s - c.similarity) < UNCERTAIN_BAND


def _paraphrase(pending: list[_Pending], embed: Any) -> None:
    """Fill in the similarities of every pending criterion: one batch for all the candidate clauses."""
    texts = list(dict.fromkeys(u.text for p in pending for u in p.candidates))
    if not texts:
        return
    row = {t: i for i, t in enumerate(texts)}
    vectors = embed.encode(texts)
    best: dict[str, Any] = {}
    for p in pending:
        c = p.criterion
        if c.id not in best:
            best[c.id] = (vectors @ _statement_vectors(embed, c.statements).T).max(axis=1)
        p.sims = [float(best[c.id][row[u.text]]) for u in p.candidates]


_STATEMENTS: dict[tuple[int, tuple[str, ...]], Any] = {}


def _statement_vectors(embed: Any, statements: tuple[str, ...]) -> Any:
    key = (id(embed), statements)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = embed.encode(list(statements))
    return _STATEMENTS[key]


_NEGATOR_ANY = re.compile(r"\b(?:not|no|never|nothing|cannot|without)\b|n't\b", re.IGNORECASE)


def _result(c: Any, met: bool, contradicted: bool, matched: tuple[str, ...], evidence: str | None, source: str,
            similarity: float | None) -> CriterionResult:
    if met:
        feedback = c.feedback_met
    elif contradicted:
        feedback = "Part of your answer contradicts the mechanism. " + c.feedback_missed
    else:
        feedback = c.feedback_missed
    return CriterionResult(c.id, c.title, c.weight, met, feedback, matched, contradicted, evidence, source, similarity)


def score_rubric(rubric: Any, raw: str, min_words: int = 0, paraphrase: bool | None = None) -> RubricScore:
    """Score the answer ``raw`` against ``rubric`` (a :class:`~qbank.questions.Rubric`).

    ``paraphrase``: use the embedding model (default: when it is installed).
    """
    return score_rubrics(rubric, [raw], min_words, paraphrase)[0]


def score_rubrics(rubric: Any, answers: list[str], min_words: int = 0, paraphrase: bool | None = None) -> list[RubricScore]:
    """Score many answers to one rubric.

    The relations decide first; the clauses that might paraphrase a criterion still
    unearned are then embedded in one batch for all the answers.
    """
    from .embedding import available, embedder

    use = paraphrase is not False and any(c.statements for c in rubric.criteria) and available()
    firsts = [_first_pass(rubric, mend(rubric, _normalise(a)), use) for a in answers]
    pending = [r for f in firsts for r in f[3] if isinstance(r, _Pending) and r.candidates]
    if pending:
        # the model loads only when some clause may paraphrase an unearned criterion
        embed = embedder()
        if embed is not None:
            _paraphrase(pending, embed)
    return [_score_one(rubric, *f, min_words) for f in firsts]


def _first_pass(rubric: Any, text: str, use_paraphrase: bool) -> tuple[str, list[Clause], bool, list[Any], list[str]]:
    units, was_cut = clauses(text, MAX_CHARS)
    matches = [_Matches(u.text) for u in units]
    wrong_ids: list[str] = []
    wrong_units: set[int] = set()
    for u, m in zip(units, matches):
        for w in rubric.wrong:
            if any(m.unnegated(p) for p in w.patterns):
                wrong_units.add(u.index)
                if w.id not in wrong_ids:
                    wrong_ids.append(w.id)
    read = text[:MAX_CHARS]
    results = [_rules(c, units, matches, wrong_units, read, use_paraphrase) for c in rubric.criteria]
    return read, units, was_cut, results, wrong_ids


def _score_one(rubric: Any, read: str, units: list[Clause], was_cut: bool, first: list[Any], wrong_ids: list[str],
               min_words: int) -> RubricScore:
    n_words = len(WORD.findall(read))
    results, uncertain = [], []
    for r in first:
        if isinstance(r, _Pending):
            r, unsure = _decide(r)
            if unsure:
                uncertain.append(r.id)
        results.append(r)
    review: list[str] = []
    if was_cut:
        review.append(f"only the first {MAX_CHARS:,} characters were read")
    if n_words < min_words:
        return RubricScore(0.0, tuple(results), (f"Your answer has {n_words} words; write at least {min_words}.",), tuple(review))
    met_ids = {r.id for r in results if r.met}
    earned = sum(r.weight for r in results if r.met) / rubric.total_weight
    fraction = earned
    notes: list[str] = []
    for cap in rubric.caps:
        if not met_ids.intersection(cap.unless) and fraction > cap.max_score:
            fraction = cap.max_score
            notes.append(cap.reason or f"Without {' or '.join(cap.unless)} the score is limited to {cap.max_score:.0%}.")
    required = set(rubric.required_for_full)
    if wrong_ids:
        by_id = {w.id: w for w in rubric.wrong}
        notes += [by_id[w].feedback for w in wrong_ids if by_id[w].feedback]
        if not (required and required <= met_ids) and fraction > rubric.wrong_cap:
            fraction = rubric.wrong_cap
            notes.append(f"An answer built on a wrong mechanism earns at most {rubric.wrong_cap:.0%}.")
        if earned > 0:
            review.append("states a wrong mechanism (" + ", ".join(wrong_ids) + ") but also earned credit")
    gamed = None
    stated_words = sum(len(WORD.findall(u.text)) for u in units if u.statement)
    if stated_words * 2 < n_words or is_keyword_list(read) and len(units) < 2:
        gamed = "A list of terms is not an explanation: write sentences that connect them"
    elif _copied_share(rubric, read) >= COPY_SHARE:
        gamed = "Most of this answer repeats the rubric's own wording: explain the mechanism in your words"
    if gamed and fraction > KEYWORD_LIST_CAP:
        if earned > KEYWORD_LIST_CAP * 2:
            review.append("capped as a list of terms or copied text but would otherwise earn " + f"{earned:.0%}")
        fraction = KEYWORD_LIST_CAP
        notes.append(f"{gamed} (capped at {KEYWORD_LIST_CAP:.0%}).")
    contradicted = [r.id for r in results if r.contradicted]
    if any(r.contradicted for r in results) and met_ids:
        review.append("contradicts itself on " + ", ".join(contradicted))
    if uncertain:
        review.append("paraphrase close to the threshold on " + ", ".join(uncertain))
    missing_required = [r for r in rubric.required_for_full if r not in met_ids]
    if missing_required:
        notes.append("Full credit needs " + ", ".join(rubric.required_for_full) + "; this answer misses " + ", ".join(missing_required) + ".")
    feedback = tuple(r.feedback for r in results if r.feedback) + tuple(notes)
    return RubricScore(max(0.0, fraction), tuple(results), feedback, tuple(review), tuple(wrong_ids))
