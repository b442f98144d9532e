"""Every `qbank` command shown in the README and docs/ runs as written.

Each document's commands run in order, from a folder holding a copy of `examples/`, the way
a new user would type them after cloning (a document may build `out/` and then grade it).
A command passes when it exits 0, or 1 for `qbank check` (a wrong answer is not an error).
`qbank preview` serves until Ctrl-C, so here it runs with `--timeout` and without `--open`.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Unlabelled and shell code blocks hold commands; yaml, python and csv blocks do not.
BLOCK = re.compile(r"^```(?:sh|shell|bash|console|text)?\n(.*?)^```", re.DOTALL | re.MULTILINE)


def commands(doc: Path) -> list[str]:
    found = []
    for block in BLOCK.findall(doc.read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("qbank "):
                found.append(shlex.split(line, comments=True))
    return [shlex.join(c) for c in found]


DOCS_WITH_COMMANDS = [d for d in DOCUMENTS if commands(d)]


def test_the_readme_and_the_cli_reference_show_commands() -> None:
    names = {d.name for d in DOCS_WITH_COMMANDS}
    assert {"README.md", "cli.md", "quiz.md", "bank.md"} <= names


@pytest.mark.parametrize("doc", DOCS_WITH_COMMANDS, ids=[d.name for d in DOCS_WITH_COMMANDS])
def test_every_command_in_the_document_runs_as_written(doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command in commands(doc):
        args = shlex.split(command)[1:]
        if args[0] == "preview":
            args = [a for a in args if a != "--open"] + ["--timeout", "1"]
        if "--plot" in args:
            pytest.importorskip("matplotlib", reason="the plot extra is not installed")
        result = runner.invoke(cli, args, input="")
        allowed = (0, 1) if args[0] == "check" else (0,)
        assert result.exit_code in allowed, f"{doc.name}: `{command}` exited {result.exit_code}:\n{result.output}"
