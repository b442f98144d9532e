"""The bank commands as a user runs them: output, exit codes 0/1/2, quiet success."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from qbank.cli import cli
from qbank.questions import builtin_bank

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "bank.schema.json"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in ("list", "show", "validate", "schema", "families"):
        assert f"  {name}" in result.output


def test_list_prints_a_header_and_one_line_per_template_and_filters() -> None:
    result = run("list")
    assert result.exit_code == 0
    header, *lines = result.output.splitlines()
    assert header.split() == ["ID", "BLOOM", "TOPICS", "TITLE"]
    assert len(lines) == len(builtin_bank())
    result = run("list", "--bloom", "analyze", "--json")
    rows = json.loads(result.output)
    assert rows and {r["bloom"] for r in rows} == {"analyze"}
    assert run("list", "--topic", "no-such-topic").exit_code == 1
    assert run("list", "--bloom", "analyse").exit_code == 2


def test_show_hides_the_key_unless_asked() -> None:
    student = run("show", "paris-states-original")
    assert student.exit_code == 0
    assert "What is the capital of France?" in student.output
    assert "Answer" not in student.output and "Explanation" not in student.output
    instructor = run("show", "paris-states-original", "--key")
    assert "Answer:" in instructor.output and "0.5108" in instructor.output


def test_show_lays_out_markdown_and_math_unless_asked_for_the_source() -> None:
    shown = run("show", "french-next-step", "--seed", "3", "--key").output
    assert "**" not in shown and "$" not in shown and "\\" not in shown
    assert "∂L/∂z = p − onehot" in shown
    assert all(line == line.rstrip() for line in shown.splitlines())
    source = run("show", "french-next-step", "--seed", "3", "--key", "--markdown").output
    assert "**Answer:**" in source and "$" in source


def test_show_json_without_key_carries_no_answer_fields() -> None:
    data = json.loads(run("show", "paris-states-v2-s5", "--json").output)
    assert data["id"] == "paris-states-v2-s5"
    assert all("correct" not in o for o in data["options"])
    assert "explanation" not in data
    keyed = json.loads(run("show", "paris-states", "--seed", "5", "--json", "--key").output)
    assert sum(o["correct"] for o in keyed["options"]) == 1


def test_show_unknown_ids_exit_2_with_a_hint() -> None:
    result = run("show", "no-such-item")
    assert result.exit_code == 2
    assert "Error: no template or item 'no-such-item' in the bank (`qbank list` shows the templates; " \
           "add your own banks with --bank PATH)" in result.output


def test_a_mistyped_id_or_topic_gets_the_closest_names() -> None:
    result = run("show", "paris-state", "--seed", "1")
    assert result.exit_code == 2
    assert "did you mean 'paris-states' or 'paris-states-original'?" in result.output
    result = run("list", "--topic", "cross-entropi")
    assert result.exit_code == 1
    assert "no topic 'cross-entropi' in the bank (did you mean 'cross-entropy'?)" in result.output


def test_families_shows_each_parameters_default() -> None:
    result = run("families")
    assert result.exit_code == 0
    block = result.output.split("\ncompare-states:", 1)[1].split("\ndpo:", 1)[0]
    assert '    prompt: "What is the capital of France?"' in block
    assert "    state_a: dirichlet(tokens=" in block


def test_validate_is_quiet_on_success_and_exact_on_failure(tmp_path: Path) -> None:
    bank = Path(__file__).resolve().parents[2] / "src" / "qbank" / "questions" / "bank"
    ok = run("validate", str(bank))
    assert ok.exit_code == 0 and ok.output == ""
    bad = tmp_path / "bad.yaml"
    bad.write_text("templates:\n  - id: x\n    title: X\n    family: compare-states\n    tags: {bloom: apply}\n    params:\n      min_gap: 2\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}" in result.output and "template x" in result.output and "no draw met the constraints" in result.output


def test_validate_reports_draw_problems_with_the_templates_line_together_with_the_files_other_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "templates:\n"
        "  - id: x\n    title: X\n    family: compare-states\n    tags: {bloom: apply}\n    params:\n      min_gap: 2\n"
        "  - id: y\n    title: Y\n    family: compare-state\n    tags: {bloom: apply}\n",
        encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:10: templates[1].family: unknown question family 'compare-state'" in result.output
    assert f"{bad}:2: template x: seed 0: " in result.output and "no draw met the constraints" in result.output


def test_validate_warns_of_template_braces_in_a_static_item_and_keeps_them(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text("templates:\n  - id: pick\n    title: Pick\n    tags: {bloom: remember}\n    content:\n"
                    "      type: true_false\n      stem: 'Pick {{ nme }}'\n      answer: true\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bank)])
    assert result.exit_code == 0
    assert result.stderr == (f"warning: {bank}:2: template pick: {{{{ nme }}}} is shown to students as written: "
                             "a static item has no variables to fill in\n")
    shown = run("show", "pick", "--bank", str(bank), "--markdown")
    assert "Pick {{ nme }}" in shown.output


def test_misconceptions_lists_the_catalogue() -> None:
    result = run("misconceptions", "--json")
    catalogue = json.loads(result.output)
    assert catalogue["M-PROB-AS-LOSS"] == "loss = 1 − p"
    assert "M-PROB-AS-LOSS" in run("misconceptions").output


def test_validate_reports_schema_errors_with_line_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("templates:\n  - id: x\n    title: X\n    family: compare-states\n    tags: {bloom: apply}\n    params:\n      state_a: {dist: uniform, low: 1, high: 0}\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"Error: {bad}:7: templates[0].params.state_a: low (1.0) must not exceed high (0.0)" in result.output


def test_schema_command_matches_the_committed_schema(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert run("schema", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8"), (
        "schema/bank.schema.json is stale: run `qbank schema -o schema/bank.schema.json`"
    )
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert "discriminator" in json.dumps(schema)


def test_families_lists_topics_bloom_types_and_params() -> None:
    result = run("families", "--json")
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["compare-states"]["item_types"] == ["single_choice"]
    assert "state_a" in rows["compare-states"]["params"]
