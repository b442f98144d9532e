"""Bank loading: every problem names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.errors import BankError, InputError, UnknownTemplate
from qbank.questions import builtin_bank, load_bank

GOOD = """\
templates:
  - id: paris
    title: Paris
    family: compare-states
    tags: {topics: [cross-entropy], bloom: analyze}
"""


def write(tmp_path: Path, text: str, name: str = "bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(BankError) as exc:
        load_bank(path, builtin=False)
    return [str(p) for p in exc.value.problems]


def test_a_good_file_loads(tmp_path: Path) -> None:
    bank = load_bank(write(tmp_path, GOOD), builtin=False)
    assert [t.id for t in bank] == ["paris"]
    assert bank.sources["paris"].endswith("bank.yaml")


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "templates:\n  - id: x\n    title: [unclosed\n")
    (msg,) = problems(path)
    assert msg.startswith(f"{path}:") and "invalid YAML" in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + "    params:\n      state_a: {dist: dirichlet, tokens: [a, b], alpha: -1}\n",
         ":7: templates[0].params.state_a: alpha must be positive"),
        (GOOD + "    params:\n      state_a: {dist: uniform, low: 3, high: 1}\n",
         ":7: templates[0].params.state_a: low (3.0) must not exceed high (1.0)"),
        (GOOD.replace("bloom: analyze", "bloom: analyse"),
         ":5: templates[0].tags.bloom: input should be 'remember', 'understand', 'apply', 'analyze', 'evaluate' or 'create'"),
        (GOOD.replace("    title: Paris\n", ""), ":2: templates[0].title: required field is missing"),
        (GOOD + "    pionts: 3\n", ":6: templates[0].pionts: unknown field"),
        (GOOD.replace("compare-states", "compare-state"), ":4: templates[0].family: unknown question family 'compare-state'"),
        (GOOD + "    params: {gold_token: x}\n", ":6: templates[0].params: unknown parameter 'gold_token' for family compare-states"),
        (GOOD + "    params:\n      state_a: {Paris: 0.5, London: 0.6}\n",
         ":7: templates[0].params.state_a: probabilities and remainder must sum to 1, they sum to 1.1"),
        ("templates: []\n", ":1: templates: tuple should have at least 1 item"),
        ("just text\n", "input should be a valid dictionary"),
    ],
)
def test_schema_and_family_problems_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    found = problems(path)
    assert any(expected.lower() in p.lower() for p in found), found
    assert all(p.startswith(str(path)) for p in found)


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("title: Paris", "title: ''"), "a.yaml")
    write(tmp_path, GOOD.replace("id: paris", "id: 9bad"), "b.yaml")
    found = problems(tmp_path)
    assert len(found) == 2 and "a.yaml" in found[0] and "b.yaml" in found[1]


def test_ids_must_be_unique_across_the_bank(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    (msg,) = problems(tmp_path)
    assert "b.yaml:2: templates[0].id: duplicate id 'paris', already defined in" in msg and "a.yaml" in msg


def test_a_bank_file_cannot_run_code(tmp_path: Path) -> None:
    path = write(tmp_path, "templates: !!python/object/apply:os.system ['echo pwned']\n")
    (msg,) = problems(path)
    assert "invalid YAML" in msg and "python/object/apply" in msg


def test_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        load_bank(tmp_path / "nope", builtin=False)
    with pytest.raises(InputError, match=r"no bank files \(\*.yaml\)"):
        load_bank(tmp_path, builtin=False)


def test_user_banks_extend_the_built_in_one(tmp_path: Path) -> None:
    bank = load_bank(write(tmp_path, GOOD))
    assert "paris" in bank and "paris-states" in bank


def test_items_are_found_by_item_id_or_template_and_seed() -> None:
    bank = builtin_bank()
    assert bank.item("paris-states-v2-s42") == bank["paris-states"].instantiate(42)
    assert bank.item("paris-states", seed=42) == bank["paris-states"].instantiate(42)
    with pytest.raises(UnknownTemplate, match="version 7 of paris-states; the bank now holds version 2"):
        bank.item("paris-states-v7-s1")
    with pytest.raises(UnknownTemplate, match="no template or item 'nope'"):
        bank.item("nope")


def test_selection_filters_combine() -> None:
    bank = builtin_bank()
    analyze = bank.select(bloom=["analyze"])
    assert analyze and all(t.tags.bloom == "analyze" for t in analyze)
    assert bank.select(ids=["paris-states"], topics=["cross-entropy"])[0].id == "paris-states"
    assert bank.select(ids=["paris-states"], topics=["dpo"]) == []
