"""Normalising short text answers so that typing habits do not change the grade.

NFKC (full-width letters, ligatures, composed accents), apostrophe and quote variants
(’ ‘ ʼ ` ´ ′ and the double ones) folded to ' and ", whitespace collapsed and trimmed, a closing
full stop, question or exclamation mark dropped ("teacher forcing." is "teacher forcing"), and,
unless the item is case sensitive, case folded.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalise"]

_QUOTES = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u2032": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
})


def normalise(text: str, case_sensitive: bool = False) -> str:
    """``text`` in the form short answers are compared in."""
    # fold quotes before NFKC too: NFKC turns ´ into a space and a combining accent
    folded = " ".join(unicodedata.normalize("NFKC", text.translate(_QUOTES)).translate(_QUOTES).split())
    folded = folded.rstrip(".!?").rstrip() or folded  # an answer that is only punctuation keeps it
    return folded if case_sensitive else folded.casefold()
