"""The drawn-item cache: never stale (a changed bank byte or changed code is a miss), safe to
delete or damage, atomic, off with QBANK_NO_CACHE=1, and a warm command loads nothing heavy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import _cache, _drawn, builtin_bank, load_bank
from qbank.questions._drawn import DrawnItems

BANK = """\
templates:
  - id: fact
    title: A fact
    tags: {topics: [cross-entropy], bloom: remember}
    content:
      type: single_choice
      stem: Which loss does a language model minimise?
      explanation: The cross-entropy of the gold tokens.
      options:
        - {text: Cross-entropy, correct: true}
        - {text: Accuracy, feedback: Accuracy has no gradient., misconception: M-ACCURACY}
  - id: half
    title: A half
    version: 3
    tags: {topics: [arithmetic], bloom: apply}
    content:
      type: numeric
      stem: Write one half as a decimal number.
      answer: 0.5
      tolerance: {absolute: 0.001}
"""


def run(*args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env or None, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str = BANK) -> str:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def cached(kind: str) -> list[Path]:
    folder = _drawn.cache_root() / kind
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_entries_live_next_to_the_parsed_bank_cache(isolated_home: Path) -> None:
    run("show", "paris-states", "--seed", "2")
    root = isolated_home / ".cache" / "qbank"
    assert _drawn.cache_root() == root
    assert [len(cached(k)) for k in ("indexes", "items")] == [1, 1]
    assert _cache.cache_folder() == root / "banks"  # the parsed-bank cache


def test_a_changed_bank_byte_never_shows_a_stale_item(tmp_path: Path) -> None:
    bank = write(tmp_path)
    only = ["--bank", bank, "--no-builtin"]
    assert "minimise?" in run("show", "fact", *only)[1]
    assert "minimise?" in run("show", "fact", *only)[1]  # warm
    Path(bank).write_text(BANK.replace("minimise?", "minimise!"), encoding="utf-8")
    assert "minimise!" in run("show", "fact", *only)[1]
    assert run("check", "fact", "--seed", "0", "--answer", "B", *only)[1].startswith("Not correct")
    Path(bank).write_text(BANK.replace("{text: Cross-entropy, correct: true}", "{text: Cross-entropy}")
                          .replace("{text: Accuracy, ", "{text: Accuracy, correct: true, "), encoding="utf-8")
    assert run("check", "fact", "--seed", "0", "--answer", "B", *only)[1].startswith("Correct")


def test_a_changed_bank_with_an_error_is_reported_not_served_from_the_cache(tmp_path: Path) -> None:
    bank = write(tmp_path)
    run("show", "fact", "--bank", bank, "--no-builtin")
    Path(bank).write_text(BANK.replace("bloom: remember", "bloom: recall"), encoding="utf-8")
    code, _, err = run("show", "fact", "--bank", bank, "--no-builtin")
    assert code == 2 and "bank.yaml:" in err and "bloom" in err


def test_changed_code_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "module.py").write_text("x = 1\n")
    monkeypatch.setattr(_drawn, "_PACKAGE", package)
    _drawn.stamp.cache_clear()
    try:
        before = _drawn.stamp()
        _drawn.stamp.cache_clear()
        assert _drawn.stamp() == before
        (package / "module.py").write_text("x = 22\n")
        _drawn.stamp.cache_clear()
        assert _drawn.stamp() != before
    finally:
        _drawn.stamp.cache_clear()


def test_damaged_or_deleted_entries_are_misses(tmp_path: Path) -> None:
    expected = run("show", "paris-states", "--seed", "4", "--key", QBANK_NO_CACHE="1")
    assert run("show", "paris-states", "--seed", "4", "--key") == expected
    for i, entry in enumerate(cached("items") + cached("indexes")):
        entry.write_bytes([b"", b"{not json", b'{"key": "another"}', b"[]"][i % 4])
    assert run("show", "paris-states", "--seed", "4", "--key") == expected
    assert run("show", "paris-states", "--seed", "4", "--key") == expected  # rewritten, then read back
    entry = cached("items")[0]
    data = json.loads(entry.read_text())
    data["views"] = {name: 17 for name in data["views"]}  # views of the wrong kind
    entry.write_text(json.dumps(data))
    assert run("show", "paris-states", "--seed", "4", "--key") == expected
    import shutil

    shutil.rmtree(_drawn.cache_root())
    assert run("show", "paris-states", "--seed", "4", "--key") == expected


def test_a_damaged_practice_view_is_made_again(tmp_path: Path) -> None:
    def session(db: str, **env: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["practice", "--n", "3", "--seed", "4", "--db", str(tmp_path / db)],
                                    input="?\nA\nB\n0.5\n", env=env or None, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    expected = session("off.sqlite3", QBANK_NO_CACHE="1")
    assert session("cold.sqlite3") == expected
    for entry in cached("items"):
        data = json.loads(entry.read_text())
        data["views"] = {name: ({**value, "seed": "x"} if isinstance(value, dict) else [["x", 3]])
                         for name, value in data["views"].items()}
        entry.write_text(json.dumps(data))
    assert session("damaged.sqlite3") == expected


def test_qbank_no_cache_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QBANK_NO_CACHE", "1")
    run("show", "paris-states")
    run("check", "paris-states", "--seed", "1", "--answer", "B")
    assert cached("items") == cached("indexes") == cached("memo") == []


def test_a_failed_write_leaves_no_entry_and_no_temporary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = run("show", "paris-states", QBANK_NO_CACHE="1")

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", crash)
        assert run("show", "paris-states") == expected  # a cache failure is no error
    for kind in ("items", "indexes"):
        folder = _drawn.cache_root() / kind
        assert not folder.exists() or list(folder.iterdir()) == []


def test_old_entries_are_pruned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_drawn.MAX_ENTRIES, "items", 3)
    for seed in range(6):
        run("show", "paris-states", "--seed", str(seed))
    assert len(cached("items")) == 3


def test_the_index_resolves_and_selects_as_the_bank_does() -> None:
    run("list")  # a command that loads the bank, without indexing it
    drawn = DrawnItems((), True, builtin_bank)
    assert drawn.templates is None
    drawn.require()  # loads and indexes
    assert DrawnItems((), True, lambda: pytest.fail("loaded")).templates == drawn.templates
    bank = builtin_bank()
    template = bank["paris-states"]
    v = template.version
    for item_id, seed in [("paris-states", None), ("paris-states", 5), (f"paris-states-v{v}-s9", None),
                          (f"paris-states-v{v}-s9", 2), ("french-next-step-original", None)]:
        item = bank.item(item_id, seed)
        assert drawn.resolve(item_id, seed) == (item.template, item.seed)
    for bad in ("paris-stats", f"paris-states-v{v + 1}-s9", "nothing-v1-s1", ""):
        assert drawn.resolve(bad, None) is None
    for topics, bloom in [((), ()), (("cross-entropy",), ()), ((), ("apply",)), (("cross-entropy", "dpo"), ("analyze", "apply")),
                          (("no-such-topic",), ())]:
        assert [t.id for t in drawn.select(topics=topics, bloom=bloom)] == [t.id for t in bank.select(topics=topics, bloom=bloom)]


def test_the_index_from_parsed_data_is_the_index_of_the_validated_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    bank = builtin_bank()
    files = _drawn.bank_files((), True)
    assert files is not None
    load_bank()  # the parsed-bank cache of this test's folder holds every built-in file
    assert all(_cache.entry_of(digest) is not None for _, digest in files)
    from_data = _drawn._index_of(bank, files)
    monkeypatch.setattr(_cache, "entry_of", lambda digest: None)
    from_models = _drawn._index_of(bank, files)
    assert from_data == from_models
    assert from_data is not None and [t.id for t in from_data] == [t.id for t in bank]
    assert {t.file for t in from_data} == set(range(len(files)))


def test_a_bank_folder_is_indexed_file_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "bank"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.yaml").write_text(BANK, encoding="utf-8")
    (folder / "sub" / "a.yml").write_text(BANK.replace("id: fact", "id: fact2").replace("id: half", "id: half2"),
                                          encoding="utf-8")
    bank = load_bank(folder, builtin=False)
    drawn = DrawnItems((str(folder),), False, lambda: bank)
    drawn.require()
    assert drawn.templates is not None and list(drawn.templates) == [t.id for t in bank]
    assert drawn.resolve("half2-v3-s4", None) == ("half2", 4)
    assert drawn.resolve("half2-v1-s4", None) is None  # the bank holds version 3


WARM = """
import sys
from qbank.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit:
    pass
heavy = ("numpy", "pydantic", "rich.markdown", "markdown_it", "pygments", "qbank.engine", "qbank.questions.families",
         "qbank.questions.items", "qbank.questions.loader", "platformdirs")
print("HEAVY", *sorted(m for m in sys.modules if m.startswith(heavy)))
"""


@pytest.mark.parametrize("args", [
    ["show", "paris-states-original"],
    ["show", "paris-states", "--seed", "3", "--key"],
    ["show", "paris-states", "--json"],
    ["check", "paris-states", "--seed", "3", "--answer", "B"],
    ["check", "paris-states", "--seed", "3", "--answer", "garbled"],
    ["practice", "--n", "3", "--seed", "1", "--db", "DB"],
])
def test_a_warm_command_imports_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    args = [str(tmp_path / "p.sqlite3") if a == "DB" else a for a in args]
    for _ in range(2):  # the first run fills the cache (this test's own cache folder)
        out = subprocess.run([sys.executable, "-c", WARM, *args], input="B\nA\nC\n", capture_output=True, text=True,
                             check=True).stdout
    assert out.rsplit("HEAVY", 1)[1].split() == []
