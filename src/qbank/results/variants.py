"""Tying an LMS report's questions and answers back to the exact qbank variants.

The LMS knows a question by what qbank exported: QTI keeps the item identifier
('<template>-v<version>-s<seed>'), but Canvas's Student Analysis and Moodle's Responses report
show only the question text (Canvas: its HTML with the tags stripped; Moodle: its text, then
the choices in the student's order). :class:`VariantIndex` holds, for every variant of every
group in the manifest, the text as qbank exported it, reduced to its words and numbers
(:func:`words`), so that markup, entities, spacing and case do not matter but every number
does. A question matches a variant only when the words are the same; a text that matches no
variant, or more than one, is never guessed at.

The items themselves come from ``Manifest.regenerate``, which checks each one's content hash:
so a tie is to the variant the quiz was built with, and a changed bank is an error.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from ..questions.items import letter
from ..renderers._markup import to_html

__all__ = ["CANVAS_TYPES", "CHOICE_TYPES", "MOODLE_TYPES", "READ_TYPES", "VariantIndex", "words"]

CHOICE_TYPES = ("single_choice", "multiple_response")
# the item types whose LMS answers these readers turn into qbank responses
READ_TYPES = (*CHOICE_TYPES, "true_false", "numeric", "short_text", "open_response")
CANVAS_TYPES = (*READ_TYPES, "matching", "ordering", "multipart")
MOODLE_TYPES = (*READ_TYPES, "matching")

_TAG = re.compile(r"<[^>]*>")
# a number keeps its sign and decimals (-0.85 is not 0.85, nor 0.8 and 5); other words are runs of letters and digits
_WORD = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])|\w+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def words(text: str) -> tuple[str, ...]:
    """The words and numbers of a text or HTML fragment, lower-cased: what a tie compares."""
    return tuple(_WORD.findall(html.unescape(_TAG.sub(" ", text)).translate(_MINUS).casefold()))


class VariantIndex:
    """Every variant of the manifest's groups: its group, slot, points and exported text.

    ``groups`` are the manifest's groups that the LMS received: all of them, until
    :meth:`for_platform` leaves out those the platform's export had to skip.
    """

    def __init__(self, manifest: Any, items: Mapping[str, Any], groups: Mapping[str, Any] | None = None):
        self.manifest = manifest
        self.items = items
        self.groups: dict[str, Any] = dict(manifest.groups if groups is None else groups)
        self.entries: dict[str, Any] = {}
        self.group_of: dict[str, str] = {}
        for group, variants in self.groups.items():
            for entry in variants:
                self.entries[entry.item] = entry
                self.group_of[entry.item] = group
        self._stems = {i: words(to_html(items[i].stem)) for i in self.entries}
        self._options = {i: [words(to_html(o.text, inline=True)) for o in getattr(items[i], "options", ())]
                         for i in self.entries}
        self._responses: dict[tuple[str, str], str] = {}
        self._by_stem: dict[tuple[str, ...], list[str]] = {}
        for item_id, stem in self._stems.items():
            self._by_stem.setdefault(stem, []).append(item_id)

    def for_platform(self, platform: str) -> tuple[VariantIndex, dict[str, str]]:
        """The index of the groups qbank can grade from ``platform``'s report, and why the others are left out.

        A group none of whose variants qbank's export for the platform could carry (Canvas
        cannot carry a multipart item mixing numbers and choices, for one) was never in the
        LMS quiz; a group whose questions the platform's report shows in a form qbank cannot
        tie to a variant (Moodle's orderings and cloze items) cannot be graded from it. Either
        way it is not graded and not counted in the maximum; the caller says so.
        """
        carried = _CARRIES.get(platform)
        untied = _UNTIED.get(platform, ())
        if carried is None and not untied:
            return self, {}
        skipped: dict[str, str] = {}
        for group, variants in self.groups.items():
            items = [self.items[e.item] for e in variants]
            if carried is not None and not any(carried(item) for item in items):
                skipped[group] = f"qbank's {platform} export cannot carry it, so it was not in the LMS quiz"
            elif any(item.type in untied for item in items):
                skipped[group] = f"the {platform} report shows {items[0].type} questions in a form qbank cannot tie to a variant"
        if not skipped:
            return self, {}
        keep = {g: vs for g, vs in self.groups.items() if g not in skipped}
        return VariantIndex(self.manifest, self.items, keep), skipped

    def by_text(self, text: str) -> tuple[list[str], str]:
        """Variants whose exported question text is ``text`` (Canvas: stem only)."""
        found = self._by_stem.get(words(text), [])
        return list(found), "" if found else "the question text matches no variant of this quiz"

    def by_summary(self, text: str) -> list[str]:
        """Variants whose Moodle question summary is ``text``: the stem, then for choices the options in any order."""
        got = words(text)
        out = []
        for item_id, stem in self._stems.items():
            if got[: len(stem)] != stem:
                continue
            rest = got[len(stem):]
            options = self._options[item_id]
            if self.items[item_id].type in CHOICE_TYPES:
                if sorted(rest) == sorted(w for o in options for w in o):
                    out.append(item_id)
            elif self.items[item_id].type == "matching":
                item = self.items[item_id]
                expected = [w for p in item.prompts for w in words(to_html(p, inline=True))]
                expected += [w for c in dict.fromkeys(item.choices) for w in words(to_html(c, inline=True))]
                if sorted(rest) == sorted(expected):
                    out.append(item_id)
            elif self.items[item_id].type == "true_false":
                if sorted(rest) in ([], ["false", "true"]):
                    out.append(item_id)
            elif not rest:
                out.append(item_id)
        return out

    def choice_letters(self, item_id: str, text: str) -> str | None:
        """The letters of the options whose texts, one after another, make up ``text``.

        None when no set of options does, or when two different sets would (option texts
        such as 'x', 'y' and 'x y'): that is not guessed.
        """
        got = words(text)
        options = self._options[item_id]
        sets: set[frozenset[int]] = set()

        def split(at: int, chosen: tuple[int, ...]) -> None:
            if len(sets) > 1:
                return
            if at == len(got):
                sets.add(frozenset(chosen))
                return
            for i, o in enumerate(options):
                if o and tuple(got[at: at + len(o)]) == o:
                    split(at + len(o), (*chosen, i))

        if got:
            split(0, ())
        if len(sets) != 1:
            return None
        (found,) = sets
        if self.items[item_id].type == "single_choice" and len(found) != 1:
            return None
        return ",".join(letter(i) for i in sorted(found))

    def response(self, item_id: str, shown: str) -> str:
        """The LMS's answer text in qbank's response syntax (letters for choices; other types as written).

        An answer text that is none of the variant's options is passed on unchanged, so
        that the grader reports it as a format error with the row.
        """
        if self.items[item_id].type not in CHOICE_TYPES:
            return shown
        key = (item_id, shown)
        if key not in self._responses:  # a class types a few spellings of each answer: read each once
            self._responses[key] = self.choice_letters(item_id, shown) or shown
        return self._responses[key]


def _canvas_carries(item: Any) -> bool:
    from ..renderers.canvas import Skip, item_element

    try:
        item_element(item, item.id, 1.0)
    except Skip:
        return False
    return True


def _moodle_carries(item: Any) -> bool:
    from ..renderers.moodle import question

    return question(item, points=1.0) is not None


_CARRIES = {"canvas": _canvas_carries, "moodle": _moodle_carries}
_UNTIED = {"moodle": ("ordering", "multipart")}
