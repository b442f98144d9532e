"""The file edge: libyaml's fast path gives the same data, lines and errors as the pure-Python one;
json_text writes what json.dumps writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank._files import _UNSURE, _rust_load, json_text, parse_yaml, read_yaml
from qbank.errors import BankError

TEXT = """\
templates:
  - id: a
    title: "A"
    tags: {topics: [x, y], bloom: remember}
  - id: b
    content:
      options:
        - {text: one, correct: true}
        - text: two
"""


def without_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the pure-Python loader: neither yaml-rs nor libyaml."""
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    monkeypatch.setitem(sys.modules, "yaml_rs", None)


def test_the_fast_path_gives_the_same_data_and_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert hasattr(yaml, "CSafeLoader"), "the test environment should have PyYAML with libyaml"
    path = tmp_path / "bank.yaml"
    path.write_text(TEXT, encoding="utf-8")
    fast_data, fast_lines = read_yaml(path)
    without_libyaml(monkeypatch)
    slow_data, slow_lines = read_yaml(path)
    assert fast_data == slow_data
    assert dict(fast_lines) == dict(slow_lines)
    assert fast_lines[("templates", 1, "content", "options", 1, "text")] == 9


@pytest.mark.parametrize("text", ["templates:\n  - id: x\n    title: [unclosed\n", "a: 1\n b: 2\n", "a: 'x\n", "- a\nb: 1\n"])
def test_a_syntax_error_names_the_same_file_and_line_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as fast:
        read_yaml(path)
    without_libyaml(monkeypatch)
    with pytest.raises(BankError) as slow:
        read_yaml(path)
    assert str(fast.value) == str(slow.value)
    (problem,) = fast.value.problems
    assert problem.file == str(path) and problem.line is not None and "invalid YAML" in problem.message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    | st.dictionaries(st.integers(), children, max_size=2),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_json_text_writes_what_json_dumps_writes(value: object) -> None:
    assert json_text(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def test_json_text_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        json_text({"a": {1, 2}})


BANK_FILES = sorted(Path(__file__).resolve().parents[1].joinpath("src", "qbank", "questions", "bank").glob("*.yaml"))


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
def test_yaml_rs_reads_the_built_in_bank_as_pyyaml_does(path: Path) -> None:
    pytest.importorskip("yaml_rs")
    text = path.read_text(encoding="utf-8")
    data = _rust_load(text)
    assert data is not _UNSURE, "the fast path should take the built-in bank"
    assert data == yaml.safe_load(text)


# YAML 1.2 (yaml-rs) and 1.1 (PyYAML) disagree on each of these; qbank must read them as PyYAML does.
DISAGREEMENTS = [
    "a: yes\n", "a: On\n", "a: 0777\n", "a: -012\n", "a: 1e3\n", "a: 1.5e-3\n", "a: 2024-01-01\n", "a: 1:20\n",
    "<<: {b: 1}\nc: 2\n", "a: !!str 1\n", "a: 1\na: 2\n", "x: [n, Y, off]\n", "a: 1_000\n", "yes: 1\n", "a: 0o17\n",
]


@pytest.mark.parametrize("text", DISAGREEMENTS)
def test_scalars_read_as_pyyaml_reads_them_whatever_the_parser(text: str) -> None:
    assert parse_yaml(text, "f.yaml")[0] == yaml.safe_load(text)


def test_a_field_name_with_a_line_break_is_shown_escaped_on_one_line(tmp_path: Path) -> None:
    """Found by the spec fuzzer: a NEL (U+0085) in a key split the error over two lines."""
    path = tmp_path / "bank.yaml"
    path.write_text("templates:\n  - id: a\n    \x85title: A\n", encoding="utf-8")
    with pytest.raises(BankError) as exc:
        read_and_validate(path)
    shown = [str(p) for p in exc.value.problems]
    assert any("'\\x85title': unknown field" in p for p in shown), shown
    assert all("\x85" not in p for p in shown)


def read_and_validate(path: Path) -> None:
    from qbank.questions import load_bank

    load_bank(path, builtin=False)


# Scalars built from the pieces PyYAML's resolvers look for, so that many of them resolve.
_RESOLVER_PIECES = ["0", "1", "7", "9", "_", ".", ":", "-", "+", "e", "E", "x", "b", "o", "T", " ", "\t", "\n",
                    "yes", "No", "on", "OFF", "true", "null", "~", "<<", "=", ".inf", ".NaN", "2024-01-01", "Z", "a"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_RESOLVER_PIECES), min_size=1, max_size=6).map("".join))
def test_the_fast_path_never_takes_a_text_pyyaml_would_read_as_another_type(text: str) -> None:
    """Whatever the check by first character says, it must flag every string PyYAML's implicit
    resolvers turn into a bool, number, date or null (flagging more only costs speed)."""
    from qbank._files import _plain_as_pyyaml

    tag = yaml.SafeLoader.resolve(yaml.SafeLoader, yaml.ScalarNode, text, (True, False))
    if tag != "tag:yaml.org,2002:str":
        assert not _plain_as_pyyaml({"key": text}), (text, tag)
        assert not _plain_as_pyyaml({text: 1}), (text, tag)


# Characters around the two byte-table checks' edges: the controls kept and refused, the
# exponent's pieces, text beyond ASCII (one, two and four UTF-8 bytes), surrogates, U+FFFE/FFFF.
_EDGE_CHARACTERS = "0123456789.eE+-x \n\t\r\x00\x08\x0b\x0c\x1f\x7f\x85\ud800\udfff\ufffe\uffff\u00e9\u20ac\U0001f600"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_EDGE_CHARACTERS, max_size=12))
def test_the_character_check_finds_what_its_pattern_finds(text: str) -> None:
    from qbank._files import _FORBIDDEN_TEXT, has_forbidden

    assert has_forbidden(text) == (_FORBIDDEN_TEXT.search(text) is not None)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_EDGE_CHARACTERS, max_size=12))
def test_every_exponent_sends_the_text_to_pyyaml(text: str) -> None:
    """1e3 is a number to yaml-rs and a string to PyYAML: no text holding one may take the fast path."""
    import re

    from qbank._files import _risky

    if re.search(r"[0-9.][eE][-+]?[0-9]", text):
        assert _risky(text), text
