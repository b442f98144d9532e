"""The ``qbank`` command: a thin shell over the library.

Commands live in small modules (``bank``, ...) and are imported only when used, so that
``qbank --help`` starts without importing numpy, pydantic models or renderers. Errors are
mapped to exit codes in one place: a ``QbankError`` prints ``Error: ...`` and exits with
its ``exit_code`` (2 for bad input, 1 otherwise).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

__all__ = ["cli", "main"]

# command name -> "module:function"; help text comes from the function's docstring.
COMMANDS: dict[str, str] = {
    "list": "qbank.cli.bank:list_templates",
    "show": "qbank.cli.bank:show",
    "validate": "qbank.cli.bank:validate",
    "schema": "qbank.cli.bank:schema",
    "families": "qbank.cli.bank:families",
    "misconceptions": "qbank.cli.bank:misconceptions",
    "lint": "qbank.cli.lint:lint",
    "build": "qbank.cli.quiz:build",
    "practice": "qbank.cli.student:practice",
    "check": "qbank.cli.student:check",
    "progress": "qbank.cli.student:progress",
    "grade": "qbank.cli.grade:grade",
    "responses": "qbank.cli.responses:responses",
    "stats": "qbank.cli.grade:stats",
    "import-results": "qbank.cli.results:import_results",
    "import": "qbank.cli.importer:import_bank",
    "rubric": "qbank.cli.rubric:rubric",
    "new": "qbank.cli.new:new",
    "preview": "qbank.cli.preview:preview",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        from ..errors import QbankError

        try:
            return super().invoke(ctx)
        except QbankError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None
        except BrokenPipeError:
            raise
        except OSError as exc:
            # The last resort for a file that cannot be read or written (a full disk, a folder
            # without permission): a message naming it, never a traceback.
            error = click.ClickException(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc))
            error.exit_code = 2
            raise error from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qbank")
def cli() -> None:
    """qbank: a parameterized, auto-graded question bank on how language
    models are trained and aligned.

    \b
    Instructors:  qbank list, qbank show ID --key, qbank build QUIZ.yaml
    Students:     qbank practice, qbank check ID --seed N --answer B
    """


def main() -> None:
    cli(prog_name="qbank")
