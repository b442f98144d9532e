"""Mending misspelt words of an open answer before its relations are matched.

"The loss is sumed over evry tokn, so the frist token is a seperate predicton" states the
token-level decomposition as clearly as the spelt version, but exact patterns miss it. So a
word of five or more letters (four for a few) that is not in the vocabulary is replaced by
the vocabulary word one edit away (insertion, deletion, substitution or transposition; two
edits for words of eight letters or more), when exactly one such word is the closest. The
vocabulary is the rubric's own text (titles, descriptions, statements, feedback) and a list
of common and domain words, so a correct word outside it is left alone unless it is one
edit from a rubric word. Lookups use symmetric deletes (as SymSpell does): no word is
compared with the whole vocabulary.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["mend"]

_WORD = re.compile(r"[A-Za-z]+")
# Words a misspelling is mended to, besides the rubric's own.
_DOMAIN = frozenset("""
colour colours color colors computed conditioned correct dataset decoding different every examples frequency
gradients greedy instructions outweigh parameters prediction predicted preamble preambles probability prompts
responses separate separately shared summed tokens weights answers questions because probable likely
""".split())
# Correct words that are not mended even when they are one edit from a rubric word.
_COMMON = frozenset("""
mode modes serve share shares learnt sets seat seats tone tones hand hands form forms tell tells lose loses
about above after again against all almost also always among another answer answers any appear appears are around
because become becomes been before begin begins being below between both but called cannot case cause causes change
changes choose chooses chosen colour colours color colors common comes computed computes condition conditioned
conditioning content contributes copies copy correct could counted data dataset decoding depends different direct
does each earlier either else emits empirical enough entire every everything example examples explain first follow
follows frequency frequent from gets give gives gradient gradients greedy happens have having high highest however
instruction instructions into itself just knows later learn learned learns least less likely list lists longer
loss losses made makes many match matches maybe mean means might model models more most much must network never next
nothing number often once only opening opens other others outweigh outweighs over parameter parameters picks
position positions predict predicted predicting prediction predictions preamble preambles prefer prefers prefix
probability probable problem prompt prompts question questions rather really reason remove removing responses
response right same says scored scores second separate separately shared should since single small some something
start starts still such summed sums take takes than that their them then there therefore these they thing things
think this those through time together token tokens training trained tries under until using very were what when
where whether which while whole will with without word words would write writes wrong yellow
""".split())


def _deletes(word: str, depth: int) -> set[str]:
    out, frontier = set(), {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


class _Vocabulary:
    def __init__(self, targets: frozenset[str], known: frozenset[str]) -> None:
        self.words = targets | known
        self.index: dict[str, set[str]] = {}
        for w in targets:
            for d in _deletes(w, 1 if len(w) < 8 else 2) | {w}:
                self.index.setdefault(d, set()).add(w)

    @lru_cache(maxsize=65536)
    def mend(self, word: str) -> str:
        if word in self.words or len(word) < 4 or word.endswith("ly"):
            return word
        depth = 1 if len(word) < 8 else 2
        found: set[str] = set()
        for d in _deletes(word, depth) | {word}:
            found |= self.index.get(d, set())
        # keep candidates within the allowed distance (symmetric deletes over-approximate it)
        close = [w for w in found if abs(len(w) - len(word)) <= depth and _distance(word, w) <= depth
                 and (len(word) > 4 or len(w) == 5)]  # a four-letter word is mended only by a missing letter ("tokn")
        if not close:
            return word
        best = min(_distance(word, w) for w in close)
        # a typo keeps the length more often than not ("modle" is "model", not "mode")
        winners = sorted((len(w) != len(word), w) for w in close if _distance(word, w) == best)
        if len(winners) > 1 and winners[0][0] == winners[1][0]:
            return word if not winners[0][1].rstrip("s") == winners[1][1].rstrip("s") else winners[0][1]
        return winners[0][1]


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=64)
def _vocabulary(rubric: Any) -> _Vocabulary:
    texts = []
    for c in rubric.criteria:
        texts += [c.title, c.description, c.feedback_met, c.feedback_missed, *c.statements]
    texts += [w.feedback for w in rubric.wrong] + [w.title for w in rubric.wrong]
    words = {w.casefold() for t in texts for w in _WORD.findall(t) if len(w) >= 5}
    return _Vocabulary(frozenset(words | _DOMAIN), _COMMON)


def mend(rubric: Any, text: str) -> str:
    """``text`` with its misspelt words replaced by the rubric vocabulary's closest word."""
    vocab = _vocabulary(rubric)

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        if word[:1].isupper() and not word.isupper() and m.start() > 0 and text[m.start() - 2:m.start()] not in (". ", "\n"):
            return word  # a capitalised word inside a sentence is a name ("Paris"), not a typo
        lower = word.casefold()
        fixed = vocab.mend(lower)
        if fixed == lower:
            return word
        return fixed.capitalize() if word[:1].isupper() else fixed

    return _WORD.sub(fix, text)
