"""A big JSON document read a piece at a time gives what json.loads gives, or gives up."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from qbank import _json_pieces
from qbank._json_pieces import read_object_pieces

READ = [
    '{"format": "m/1", "seed": 12345678901234567890, "x": 1.5e-7, "students": [{"a": [1, 2.25, -3e2]}, {}, "s", null, true,'
    ' 0.125, -0], "groups": {"g": [], "h": {"k": "caf\\u00e9 \\"q\\" \\\\ "}}}',
    '\ufeff{\r\n\t"students" :\r\n [ {"n": 100000000000000000001} ] ,\r\n "title": "\U0001f600 text \u00e9\u4e2d"\n}\n  ',
    '{"students": [], "x": NaN, "y": -Infinity}',
    '{"title": "no students at all"}',
    "{}",
    '{"students": [' + ", ".join(json.dumps({"student": f"s{i}", "seed": i * 7919, "points": i / 3}) for i in range(200)) + "]}",
]

REFUSED = [
    '{"students": [1,]}',            # not JSON
    '{"students": [1] "x": 2}',      # not JSON
    '{"a": 1} x',                    # text after the document
    '{"a": 1',                       # cut short
    "",
    "[1, 2]",                        # not an object
    '{"students": {"s0": {}}}',      # the array is not an array
    '{"a": 1, "a": 2, "students": []}',  # a repeated key: json.loads keeps the last one
    '{"students": [], "students": [1]}',
    '{"students": ["\\ud800"]}',     # a lone surrogate: the usual read refuses it with its own message
    '{"a": "\\uD83D\\uDE00", "students": []}',  # a pair, but only the usual read tells which
    '{"a": "\\\\ud800", "students": []}',  # an escaped backslash before "ud800": looks like one
]


def _read(tmp_path: Path, text: str) -> tuple[dict[str, Any] | None, list[Any]]:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8", newline="")
    got: list[Any] = []
    return read_object_pieces(path, "students", lambda e: got.append(e) or True), got


@pytest.mark.parametrize("block", [1, 7, 4096])
@pytest.mark.parametrize("text", READ)
def test_a_document_reads_as_json_loads_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, block: int) -> None:
    monkeypatch.setattr(_json_pieces, "BLOCK", block)  # values cut anywhere by the ends of the blocks
    head, students = _read(tmp_path, text)
    whole = json.loads(text.removeprefix("\ufeff"))
    expected = whole.pop("students", [])
    assert json.dumps(head) == json.dumps(whole) and list(head) == list(whole)  # NaN == NaN, key order kept
    assert json.dumps(students) == json.dumps(expected)
    assert [type(s) for s in students] == [type(s) for s in expected]


@pytest.mark.parametrize("block", [1, 4096])
@pytest.mark.parametrize("text", REFUSED)
def test_a_document_it_is_not_sure_of_is_left_to_the_usual_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                                                                 block: int) -> None:
    monkeypatch.setattr(_json_pieces, "BLOCK", block)
    assert _read(tmp_path, text)[0] is None


def test_bytes_that_are_not_utf8_or_a_missing_file_are_left_to_the_usual_read(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(b'{"students": ["\xff"]}')
    assert read_object_pieces(path, "students", lambda e: True) is None
    assert read_object_pieces(tmp_path / "none.json", "students", lambda e: True) is None


def test_an_element_the_caller_refuses_stops_the_read(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"students": [1, 2, 3]}', encoding="utf-8")
    seen: list[int] = []
    assert read_object_pieces(path, "students", lambda e: seen.append(e) or e < 2) is None
    assert seen == [1, 2]


def test_the_elements_are_not_all_held_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_json_pieces, "BLOCK", 4096)
    path = tmp_path / "big.json"
    element = {"items": [{"item": f"token-loss-v1-s{i}", "content_hash": "ab" * 32, "seed": i} for i in range(10)]}
    path.write_text(json.dumps({"title": "t", "students": [element] * 2000}), encoding="utf-8")
    size = path.stat().st_size
    count = 0

    def each(e: Any) -> bool:
        nonlocal count
        count += e == element
        return True

    tracemalloc.start()
    try:
        head = read_object_pieces(path, "students", each)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert head == {"title": "t"} and count == 2000
    assert peak < size / 10, (peak, size)  # json.loads of the file takes more than its size
