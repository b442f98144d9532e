"""The documentation's examples work: every YAML bank example in docs/ loads and draws items."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qbank.questions import load_bank

DOCS = Path(__file__).resolve().parents[1] / "docs"
YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
EXAMPLES = [(path.name, i, block) for path in sorted(DOCS.glob("*.md")) for i, block in enumerate(YAML_BLOCK.findall(path.read_text(encoding="utf-8"))) if block.startswith("templates:")]


@pytest.mark.parametrize(("doc", "index", "text"), EXAMPLES, ids=[f"{d}#{i}" for d, i, _ in EXAMPLES])
def test_bank_examples_in_the_docs_load_and_draw(tmp_path: Path, doc: str, index: int, text: str) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    bank = load_bank(path, builtin=False)
    for template in bank:
        for seed in range(3):
            assert template.instantiate(seed).title == template.title


def test_the_docs_have_bank_examples() -> None:
    assert len(EXAMPLES) >= 2


def test_every_command_has_help_and_the_cli_reference_is_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cli_reference", DOCS.parent / "scripts" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.reference()
    assert "Example:" in expected
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run .venv/bin/python scripts/cli_reference.py"
    )


def test_the_bank_examples_in_the_docs_are_the_files_in_examples_my_bank() -> None:
    shipped = {p.read_text(encoding="utf-8").split("\n", 2)[2] for p in (DOCS.parent / "examples" / "my-bank").glob("*.yaml")}
    assert {text for doc, _, text in EXAMPLES if doc == "bank.md"} == shipped
