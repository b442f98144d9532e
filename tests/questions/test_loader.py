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
        ("just text\n", "expected a mapping of fields, not 'just text'"),
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


STATIC = """\
  - id: numeric-{n}
    title: A number
    tags: {{topics: [cross-entropy], bloom: apply}}
    content:
      type: numeric
      stem: What is ln 4?
      answer: 1.386
      tolerance: {tolerance}
      distractors:
        - {{value: 0.25, misconception: {misconception}}}
"""


def static(n: int, tolerance: str = "{absolute: 0.005}", misconception: str = "M-PROB-AS-LOSS") -> str:
    return STATIC.format(n=n, tolerance=tolerance, misconception=misconception)


def test_a_tolerance_that_is_not_a_mapping_says_what_one_looks_like(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "templates:\n" + static(1, tolerance="0.01")))
    assert found == [f"{tmp_path / 'bank.yaml'}:9: templates[0].content.tolerance: expected a mapping of fields "
                     "such as {absolute: 0.005}, {relative: 0.01} or {sigfig: 3}, not 0.01"]


def test_schema_family_and_misconception_problems_come_in_one_report_not_in_waves(tmp_path: Path) -> None:
    text = ("templates:\n" + static(1, tolerance="0.01") + static(2, misconception="M-MSE")
            + GOOD.split("\n", 1)[1].replace("compare-states", "compare-state"))
    found = problems(write(tmp_path, text))
    assert len(found) == 3, found
    assert ":9: templates[0].content.tolerance: expected a mapping" in found[0]
    assert ":21: templates[1].content.distractors[0].misconception: unknown misconception 'M-MSE'" in found[1]
    assert ":24: templates[2].family: unknown question family 'compare-state'" in found[2]


def test_an_unknown_misconception_gets_the_closest_ids(tmp_path: Path) -> None:
    (msg,) = problems(write(tmp_path, "templates:\n" + static(1, misconception="M-PROB-AS-LOS")))
    assert "unknown misconception 'M-PROB-AS-LOS': did you mean M-PROB-AS-LOSS?" in msg
    assert "`qbank misconceptions` lists the catalogue" in msg


def test_a_file_may_declare_misconceptions_of_its_own(tmp_path: Path) -> None:
    text = "misconceptions:\n  M-MSE: uses the squared error instead of the cross-entropy\ntemplates:\n" + static(1, misconception="M-MSE")
    bank = load_bank(write(tmp_path, text), builtin=False)
    assert bank["numeric-1"].instantiate(0).distractors[0].misconception == "M-MSE"
    # ... for its own templates only
    write(tmp_path, "templates:\n" + static(2, misconception="M-MSE"), "other.yaml")
    (msg,) = problems(tmp_path)
    assert "other.yaml" in msg and "unknown misconception 'M-MSE'" in msg


def test_a_quiz_spec_in_a_bank_folder_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "bank.yaml")
    spec = write(tmp_path, "title: Week 1\nsections:\n  - {title: All, select: {ids: [paris]}}\n", "quiz.yaml")
    assert [t.id for t in load_bank(tmp_path, builtin=False)] == ["paris"]
    (msg,) = problems(spec)
    assert msg == f"{spec}:2: this is a quiz spec (it has `sections:`), not a bank file: build it with `qbank build {spec}`"
