"""Write docs/cli.md from the commands' own --help, so the reference cannot drift.

Run: .venv/bin/python scripts/cli_reference.py   (tests/test_docs.py fails when it is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from qbank.cli import COMMANDS, cli

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def reference() -> str:
    runner = CliRunner()
    parts = ["# Command reference", "", "Generated from `--help` by `scripts/cli_reference.py`; do not edit by hand.", ""]
    for args in [[], *([name] for name in sorted(COMMANDS))]:
        result = runner.invoke(cli, [*args, "--help"], prog_name="qbank", terminal_width=100)
        if result.exit_code != 0:
            raise SystemExit(f"qbank {' '.join(args)} --help failed:\n{result.output}")
        parts += [f"## qbank {' '.join(args)}".rstrip(), "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    TARGET.write_text(reference(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
