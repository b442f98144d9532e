"""`qbank new`: every family and item type scaffolds a commented file that passes `qbank validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.authoring import ITEM_TYPE_NAMES
from qbank.cli import cli
from qbank.questions.families import all_families
from qbank.questions.schema import bank_schema_json

FAMILIES = [f.name for f in all_families()]


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def check_scaffold(path: Path, folder: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=bank.schema.json"
    assert (folder / "bank.schema.json").read_text(encoding="utf-8") == bank_schema_json()
    # every field line of the template says what it is for
    fields = [line for line in text.splitlines()[4:] if line.strip() and not line.strip().startswith(("#", "-"))
              and line.rstrip().endswith(":") is False]
    commented = [line for line in fields if "#" in line]
    assert len(commented) >= len(fields) // 2, "most fields carry a comment"
    result = run("validate", str(path), "--seeds", "3")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    return text


@pytest.mark.parametrize("family", FAMILIES)
def test_a_family_template_validates_and_spells_out_its_parameters(family: str, tmp_path: Path) -> None:
    path = tmp_path / "bank" / f"{family}.yaml"
    result = run("new", str(path), "--family", family, "-q")
    assert result.exit_code == 0, result.output
    text = check_scaffold(path, tmp_path / "bank")
    assert f"family: {family}" in text
    fam = next(f for f in all_families() if f.name == family)
    for name in fam.default_specs():
        assert f"\n      {name}: " in text and "# default;" in text
    shown = run("show", f"my-{family}", "--seed", "2", "--key", "--no-builtin", "--bank", str(path))
    assert shown.exit_code == 0, shown.output


@pytest.mark.parametrize("item_type", ITEM_TYPE_NAMES)
def test_a_static_item_of_every_type_validates(item_type: str, tmp_path: Path) -> None:
    path = tmp_path / f"{item_type}.yaml"
    result = run("new", str(path), "--type", item_type, "--id", "my-item", "-q")
    assert result.exit_code == 0, result.output
    text = check_scaffold(path, tmp_path)
    assert f"type: {item_type}" in text and "id: my-item" in text
    shown = json.loads(run("show", "my-item", "--json", "--key", "--no-builtin", "--bank", str(path)).output)
    assert shown["type"] == item_type


def test_a_bank_folder_starts_with_one_file_and_the_schema(tmp_path: Path) -> None:
    folder = tmp_path / "my-bank"
    result = run("new", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"wrote {folder / 'single-choice.yaml'}", f"wrote {folder / 'bank.schema.json'}",
                                          f"Next: edit {folder / 'single-choice.yaml'}, then `qbank validate {folder}` "
                                          f"or `qbank preview {folder}`."]
    check_scaffold(folder / "single-choice.yaml", folder)
    assert run("validate", str(folder)).exit_code == 0
    # a second file in the same folder keeps the schema and passes with the first
    assert run("new", str(folder / "states.yaml"), "--family", "compare-states", "-q").exit_code == 0
    assert run("validate", str(folder)).exit_code == 0


@pytest.mark.parametrize("args,message", [
    (["--family", "no-such-family"], "unknown question family 'no-such-family' (known: "),
    (["--type", "essay"], "Invalid value for '--type'"),
    (["--family", "dpo", "--type", "numeric"], "choose one of --family and --type"),
    (["--type", "numeric", "--id", "Bad Id"], "--id 'Bad Id': use lowercase letters, digits and dashes"),
])
def test_bad_choices_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = run("new", str(tmp_path / "x.yaml"), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("templates: []\n", encoding="utf-8")
    result = run("new", str(tmp_path / "mine.yaml"), "--type", "numeric")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'mine.yaml'}: already exists; qbank new never overwrites (choose another name)\n"
    assert (tmp_path / "mine.yaml").read_text(encoding="utf-8") == "templates: []\n"
    result = run("new", str(tmp_path))
    assert result.exit_code == 2 and "already exists and is not an empty folder" in result.stderr


def test_a_folder_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run("new", str(tmp_path / "file" / "bank"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'file' / 'bank'}: cannot be created: {tmp_path / 'file'} is a file; choose another path\n"
