"""The exceptions qbank raises, all under one base class.

    QbankError                  anything qbank reports to a person
    ├── InputError              a file or argument the user supplied is wrong (CLI exit code 2)
    │   ├── BankError           a bank file: one or more Problems, each with file, line, field
    │   └── UnknownTemplate     an id that is not in the bank
    └── ConstraintError         a template's constraints could not be met within its draw budget

Bad *student* input is never an exception: the grader returns a FormatError value,
because a student who mistypes an answer should simply be asked again.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BankError", "ConstraintError", "InputError", "Problem", "QbankError", "UnknownTemplate"]


class QbankError(Exception):
    """Base class: a failure with a message meant for people, not a traceback."""

    exit_code = 1


class InputError(QbankError):
    """Something the user handed us (a file, a field, an option) is invalid."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what was expected."""

    file: str
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class BankError(InputError):
    """A bank file (or a set of them) is malformed; ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownTemplate(InputError):
    """An item or template id that the bank does not hold."""


class ConstraintError(QbankError):
    """A template's parameter constraints were not met in any of its bounded draws."""
