"""The bank-file emitter: PyYAML's safe loader reads back exactly the data written."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.importers._yaml import dump_yaml

_KEY = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
_SCALAR = st.one_of(
    st.text(max_size=40), st.booleans(), st.none(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["yes", "No", "null", "~", "1e5", "- a", "a: b", "x #y", " lead", "trail ", "a\n\nb\n", "\u2028",
                     "\x85", "\ufeff", "&a", "*a", "!t", "%x", "@x", "`x", "{a}", "[a]", "12:30", "0x1F", "x  y", "",
                     "| t |\n|---|\n| a |", "line\n  indented", "tab\there", "cr\r\nlf"]),
)
_DATA = st.recursive(_SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_KEY, inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_KEY, _DATA, min_size=1, max_size=4))
def test_safe_load_reads_back_what_was_written(data: dict[str, Any]) -> None:
    assert yaml.safe_load(dump_yaml(data)) == data


def test_texts_stay_readable() -> None:
    text = dump_yaml({"templates": [{"id": "a-b", "title": "Plain title", "content": {"stem": "Line one\n\n| t |\n|---|"}}]})
    assert text == ("templates:\n  - id: a-b\n    title: Plain title\n    content:\n      stem: |-\n"
                    "        Line one\n\n        | t |\n        |---|\n")
