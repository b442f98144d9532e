"""Cutting an open answer into the statements a rubric grades: sentences, clauses, negation.

A rubric criterion is earned by a *statement* that expresses its relation, so the grader
needs, for each piece of the answer: its text, where it came from (the sentence, shown as
evidence), whether it states anything (a predicate, not a bare list of terms), and where
its negations are. Pure functions over strings; no model, no I/O.

* Sentences end at . ! ? and newlines; Markdown bullets, headings, emphasis and code
  marks are dropped first, so a bulleted answer reads as one statement per bullet.
* Clauses split a sentence at ; : and at contrast words (but, whereas, while, although,
  however, not ... but): "It is not RLHF; it is the data" holds a negated clause and a
  plain one; and before "because", "since", "therefore", ", so", ", and", ", which":
  a relation must be stated inside one clause, not assembled from a whole paragraph.
* A clause is a list, not a statement, when it is three or more short fragments
  separated by commas, slashes or "and" of which most have no verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Clause", "clauses", "is_negated", "states_something"]

_MARKDOWN = re.compile(r"(^|\n)\s*(?:[-*+•·>]+|#{1,6}|\(?\d+[.)]|\(?[a-zA-Z][.)])\s+|[*_`~]{1,3}(?=\S)|(?<=\S)[*_`~]{1,3}")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n+|(?<=[.!?])\s*$|\s+[-\u2022*]\s+(?=\w)")
_CLAUSE = re.compile(
    r"\s*[;:]\s+|\s*\u2014\s*|\s+--\s+|,?\s+\b(?:but|whereas|however|although|though|while|instead|rather than)\b\s+"
    r"|,\s+(?:and\s+)?(?=so\b|and\b|because\b|since\b|which\b|therefore\b|thus\b|hence\b|then\b|as\b)"
    r"|(?<!\bnot)\s+(?=because\b|since\b|therefore\b|which means\b|so that\b)",
    re.IGNORECASE,
)
_FRAGMENT = re.compile(r"\s*(?:,|/|\band\b|\bor\b|\+|&|\|)\s*", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")

# Negators; their scope runs forward to the end of the clause or to a relation word.
_NEGATOR = re.compile(
    r"\b(?:not|no|never|nothing|neither|nor|none|cannot|without|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|"
    r"can't|won't|wouldn't|shouldn't|couldn't|hasn't|haven't|hardly|fails? to|instead of|rather than|nobody)\b|n't\b",
    re.IGNORECASE,
)
_SCOPE_END = re.compile(r"\b(?:because|so|since|therefore|thus|hence|which|that|and then|it is|it's|this is)\b", re.IGNORECASE)

# A clause states something when it has a finite verb. Without a tagger: auxiliaries and
# modals, third-person or past forms of common verbs, or an -ed word used as a predicate
# ("added up", "conditioned on"), not as an adjective ("shared weights").
_AUX = frozenset(
    "is are was were be been being am 's 're has have had does do did can could will would should may might must "
    "gets get got makes make made takes take took gives give gave means mean meant becomes become became wins win won "
    "leads lead led sees see saw knows know knew goes go went says say said learns learn learnt learned picks pick "
    "tends tend keeps keep kept comes come came happens happen appears appear seems seem causes cause needs need "
    "adds add pushes push outweighs outweigh outnumbers outnumber dominates dominate matches match copies copy "
    "imitates imitate predicts predict produces produce generates generate treats treat follows follow continues "
    "continue starts start begins begin began opens open votes vote pulls pull stacks stack drowns drown beats beat "
    "sums reflects reflect favours favors favour favor prefers prefer rewards reward penalises penalizes penalise "
    "penalize grades scores counts count sets set puts put lowers lower raises raise increases increase decreases "
    "decrease reduces reduce removes remove fixes fix works work helps help shows show uses use uses chooses choose "
    "chose emits emit writes write wrote outputs output says assigns assign ends end minimises minimizes minimise "
    "minimize maximises maximizes maximise maximize fits fit mimics mimic reproduces reproduce averages combines "
    "combine accumulates accumulate piles pile wants want likes like thinks think judges judge rates rate contributes contribute "
    "looks look serves serve rewrite rebalance filter train trains remain remains stays stay calls call "
    "receives receive carries carry spreads spread decides decide ranks rank loses lose drives drive "
    "pays pay depends depend shapes shape spills spill transfers transfer applies apply updates update".split()
)
_SUBJECT_VERB = re.compile(
    r"\b(?:it|this|that|which|who|he|she|everything|the (?:model|network|loss|objective|data|optimum|gradient))\s+"
    r"(?:[a-z]{2,}(?<!s)s|[a-z]{2,}ed)\b|\b(?:they|we|you|i)\s+(?:all\s+|also\s+|just\s+)?[a-z]{3,}\b",
    re.IGNORECASE,
)
_ED_PREDICATE = re.compile(
    r"\b[a-z]{3,}ed\s+(?:up|down|on|over|by|to|into|across|out|from|with|toward|towards|the|a|an|it|them|each|every|all|this|that)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Clause:
    """One clause of the answer; ``sentence`` is the sentence it came from (the evidence)."""

    text: str
    sentence: str
    index: int
    statement: bool


def _strip_markdown(text: str) -> str:
    return _MARKDOWN.sub(lambda m: m.group(1) + "\n" if m.group(1) is not None else "", text)


def states_something(fragment: str) -> bool:
    """Whether ``fragment`` has a predicate (an auxiliary, a common finite verb, an -ed predicate)."""
    words = [w.casefold() for w in WORD.findall(fragment)]
    if any(w in _AUX or w.endswith("n't") for w in words):
        return True
    if _ED_PREDICATE.search(fragment) or _SUBJECT_VERB.search(fragment):
        return True
    # a long clause without a verb we know is still a sentence, not a list of terms
    return len(words) >= 8


def _is_list(clause: str) -> bool:
    fragments = [f for f in _FRAGMENT.split(clause) if WORD.search(f)]
    if len(fragments) < 3:
        return False
    short_verbless = sum(len(WORD.findall(f)) <= 5 and not states_something(f) for f in fragments)
    return short_verbless >= 3 and short_verbless * 2 >= len(fragments)


def clauses(text: str, max_chars: int) -> tuple[list[Clause], bool]:
    """The clauses of the first ``max_chars`` characters, and whether the text was cut there."""
    cut = len(text) > max_chars
    body = _strip_markdown(text[:max_chars])
    out: list[Clause] = []
    for sentence in _SENTENCE.split(body):
        sentence = " ".join(sentence.split())
        if not WORD.search(sentence):
            continue
        parts = [p for p in _CLAUSE.split(sentence) if p and WORD.search(p)]
        for part in parts:
            if _is_list(part):
                # a list of terms ("the key ideas are X, Y, Z and W") states none of them
                for f in _FRAGMENT.split(part):
                    if WORD.search(f):
                        out.append(Clause(f.strip(), sentence, len(out), False))
            else:
                out.append(Clause(part.strip(), sentence, len(out), states_something(part)))
    return out, cut


def is_negated(clause: str, start: int, end: int | None = None) -> bool:
    """Whether the words from ``start`` to ``end`` of ``clause`` fall under a negation.

    A negator negates what follows it up to the end of the clause or the next relation
    word ("the weights are not shared" is negated; "it cannot treat the prompt alone,
    because the weights are shared" is not negated at "weights"), and a negator inside
    the span negates it too. Two negators cancel; "not only" is no negation.
    """
    end = start if end is None else end
    scope = 0
    for m in _SCOPE_END.finditer(clause, 0, start):
        if not re.search(r"\bnot\s+$", clause[: m.start()], re.IGNORECASE):  # "not because X" negates X
            scope = m.end()
    negators = [m for m in _NEGATOR.finditer(clause, scope, max(end, start))
                if not re.match(r"not\s+(?:only|just|merely)\b", clause[m.start():], re.IGNORECASE)]
    return len(negators) % 2 == 1
