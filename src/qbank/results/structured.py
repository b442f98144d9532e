"""Answers with structure in CSV reports: matchings, orderings (Canvas) and multipart items.

Canvas's Student Analysis writes them as the chosen texts (``StudentAnalysis#to_csv``):

* matching: ``left=>right`` for every left item in order, joined by ``,``; inside a text a
  ``,`` is written ``\\,`` and ``=>`` is written ``\\=>``; a left item left unmatched has an
  empty right side. qbank exports an ordering as a matching of "Position n" to the entries.
* multiple dropdowns and fill in multiple blanks (qbank's all-choice and all-short-text
  multipart items): each blank's chosen or typed text, in order, joined by ``,`` (``\\,``
  inside); an unanswered blank is left out, so a cell with fewer texts than blanks cannot be
  placed and is passed on as it is (the grader reports it).

Moodle's Responses report writes a matching as ``prompt -> choice`` for each prompt, in the
order the student saw them, joined by ``; ``; the texts are found through their words.

Everything becomes qbank's response syntax (``1-b 2-a``, ``C A B``, ``a: ...`` per line), so
the grader scores it like any other response.
"""

from __future__ import annotations

import re
from typing import Any

from ..questions.items import letter
from ..renderers._markup import to_html
from .variants import words

__all__ = ["canvas_structured", "moodle_matching", "split_escaped"]


def split_escaped(text: str, sep: str) -> list[str]:
    """``text`` split on ``sep`` where it is not escaped by a backslash, each piece unescaped."""
    return [piece.replace("\\" + sep, sep) for piece in re.split(r"(?<!\\)" + re.escape(sep), text)]


def _index_of(texts: list[str], text: str) -> int | None:
    """The one text whose words are those of ``text``; None for none or several."""
    want = words(text)
    found = [i for i, t in enumerate(texts) if words(to_html(t, inline=True)) == want]
    return found[0] if len(found) == 1 else None


def _part_answer(part: Any, text: str) -> str:
    if part.type in ("single_choice", "multiple_response"):
        i = _index_of([o.text for o in part.options], text)
        return letter(i) if i is not None else text
    return text


def canvas_structured(item: Any, shown: str) -> str:
    """A Canvas matching, ordering, dropdowns or blanks cell in qbank's syntax (unchanged when it cannot be read)."""
    if item.type in ("matching", "ordering"):
        pairs = [split_escaped(p, "=>") for p in split_escaped(shown, ",")]
        targets = list(item.choices if item.type == "matching" else item.entries)
        n = len(item.prompts) if item.type == "matching" else len(item.entries)
        if len(pairs) != n or any(len(p) != 2 for p in pairs):
            return shown
        picks = [_index_of(targets, right) if right.strip() else None for _, right in pairs]
        if item.type == "matching":
            return " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in enumerate(picks) if j is not None) or shown
        return shown if None in picks else " ".join(letter(j) for j in picks)  # type: ignore[arg-type]
    if item.type == "multipart":
        values = split_escaped(shown, ",")
        if len(values) != len(item.parts):
            return shown
        return "\n".join(f"{part.label}: {_part_answer(part, v)}" for part, v in zip(item.parts, values))
    return shown


def moodle_matching(item: Any, shown: str) -> str:
    """A Moodle matching summary ``prompt -> choice; ...`` in qbank's syntax (unchanged when it cannot be read)."""
    got = words(shown)
    prompts = [words(to_html(p, inline=True)) for p in item.prompts]
    choices = [words(to_html(c, inline=True)) for c in item.choices]
    found: set[tuple[tuple[int, int], ...]] = set()

    def walk(at: int, pairs: tuple[tuple[int, int], ...]) -> None:
        if len(found) > 1:
            return
        if at == len(got):
            found.add(tuple(sorted(pairs)))
            return
        for i, p in enumerate(prompts):
            if p and tuple(got[at: at + len(p)]) == p and all(i != q for q, _ in pairs):
                for j, c in enumerate(choices):
                    end = at + len(p) + len(c)
                    if c and tuple(got[at + len(p): end]) == c:
                        walk(end, (*pairs, (i, j)))

    if got:
        walk(0, ())
    if len(found) != 1:
        return shown
    (pairs,) = found
    return " ".join(f"{i + 1}-{letter(j).lower()}" for i, j in pairs)
