"""The parsed-bank cache: a clean file is parsed once; a changed byte, a corrupt entry or a
deleted folder only costs a re-parse, never a stale or wrong bank."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qbank.errors import BankError
from qbank.questions import _cache, load_bank
from qbank.questions import loader as loader_module

BANK = """\
templates:
  - id: paris
    title: Paris
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze}
  - id: fact
    title: A fact
    tags: {topics: [cross-entropy], bloom: remember}
    content:
      type: true_false
      stem: Cross-entropy of a one-hot target is minus the log of the gold token's probability.
      answer: true
"""


def write(tmp_path: Path, text: str = BANK) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def entries() -> list[Path]:
    folder = _cache.cache_folder()
    return sorted(folder.glob("*")) if folder.exists() else []


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(loader_module, "parse_yaml", fail)


def dump(bank: object) -> list[dict[str, object]]:
    return [t.model_dump(mode="json") for t in bank]  # type: ignore[attr-defined]


def test_the_cache_lives_in_the_user_cache_folder(isolated_home: Path) -> None:
    assert _cache.cache_folder() == isolated_home / ".cache" / "qbank" / "banks"


def test_a_clean_file_is_parsed_once_and_loads_the_same_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)
    first = load_bank(path, builtin=False)
    (entry,) = entries()
    assert entry.suffix == ".json" and json.loads(entry.read_text())["templates"][0]["id"] == "paris"
    no_parsing(monkeypatch)
    again = load_bank(path, builtin=False)
    assert dump(again) == dump(first)
    assert again.sources == first.sources
    assert again.item("paris", 3) == first.item("paris", 3)


def test_a_changed_byte_is_parsed_again(tmp_path: Path) -> None:
    path = write(tmp_path)
    load_bank(path, builtin=False)
    path.write_text(BANK.replace("title: Paris", "title: Parus"), encoding="utf-8")
    assert load_bank(path, builtin=False)["paris"].title == "Parus"
    assert len(entries()) == 2  # one entry per content; the old one is harmless


def test_an_error_added_after_caching_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path)
    load_bank(path, builtin=False)
    path.write_text(BANK.replace("bloom: analyze", "bloom: analyse"), encoding="utf-8")
    with pytest.raises(BankError) as exc:
        load_bank(path, builtin=False)
    assert str(exc.value.problems[0]).startswith(f"{path}:5: templates[0].tags.bloom:")


def test_a_file_with_a_problem_is_never_stored(tmp_path: Path) -> None:
    path = write(tmp_path, BANK.replace("compare-states", "compare-state"))
    for _ in range(2):
        with pytest.raises(BankError, match=r"bank.yaml:4: templates\[0\].family: unknown question family"):
            load_bank(path, builtin=False)
    assert entries() == []


def test_duplicate_ids_across_files_are_reported_from_a_cached_file_too(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a")
    load_bank(tmp_path / "a", builtin=False)  # a/bank.yaml is now cached
    write(tmp_path / "b")
    with pytest.raises(BankError) as exc:
        load_bank(tmp_path / "b", tmp_path / "a", builtin=False)
    assert f"{tmp_path / 'a' / 'bank.yaml'}:2: templates[0].id: duplicate id 'paris'" in str(exc.value)


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"[]", b'{"format": 1}', b"\xff\xfe", b'{"format": 1, "templates": "x"}'])
def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path, garbage: bytes) -> None:
    path = write(tmp_path)
    expected = dump(load_bank(path, builtin=False))
    (entry,) = entries()
    entry.write_bytes(garbage)
    assert dump(load_bank(path, builtin=False)) == expected
    assert json.loads(entry.read_text())["templates"][0]["id"] == "paris"


def test_an_entry_from_other_code_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)
    load_bank(path, builtin=False)
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["templates"][0]["title"] = "Changed in the cache"
    data["stamp"] = "another version of qbank"
    entry.write_text(json.dumps(data))
    assert load_bank(path, builtin=False)["paris"].title == "Paris"


def test_an_entry_that_fails_validation_is_an_error_naming_the_file(tmp_path: Path) -> None:
    # An entry is validated by the same models as the file: a hand-edited one cannot smuggle bad data in.
    path = write(tmp_path)
    load_bank(path, builtin=False)
    (entry,) = entries()
    data = json.loads(entry.read_text())
    data["templates"][0]["points"] = -1
    entry.write_text(json.dumps(data))
    with pytest.raises(BankError, match="bank.yaml: points: input should be greater than 0"):
        load_bank(path, builtin=False)["paris"]


def test_deleting_the_cache_folder_is_safe(tmp_path: Path) -> None:
    import shutil

    path = write(tmp_path)
    expected = dump(load_bank(path, builtin=False))
    shutil.rmtree(_cache.cache_folder().parent)
    assert dump(load_bank(path, builtin=False)) == expected
    assert len(entries()) == 1


def test_entries_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path)

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", crash)
        assert [t.id for t in load_bank(path, builtin=False)] == ["paris", "fact"]  # a cache failure is no error
    assert entries() == []  # no half-written entry, no temporary file left behind
    load_bank(path, builtin=False)
    assert [p.suffix for p in entries()] == [".json"]


def test_qbank_no_cache_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QBANK_NO_CACHE", "1")
    load_bank(write(tmp_path), builtin=False)
    assert entries() == []


def test_a_warm_show_imports_only_the_family_it_uses() -> None:
    code = (
        "import sys\nfrom qbank.cli import cli\n"
        "try:\n    cli(['show', 'paris-states-original', '--seed', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "print('MODULES', *sorted(m for m in sys.modules if m.startswith('qbank.questions.families.')))"
    )
    # The first run fills the cache (in this test's own cache folder); the second draws another
    # variant (a miss in the drawn-item cache, tests/questions/test_drawn.py), from the cached bank.
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, seed], capture_output=True, text=True, check=True).stdout
    modules = out.rsplit("MODULES", 1)[1].split()
    assert {m for m in modules if not m.rsplit(".", 1)[1].startswith("_")} == {"qbank.questions.families.compare_states"}
