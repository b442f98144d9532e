"""Fixtures for the grader tests (defined in grader_testing)."""

from grader_testing import multiple, numeric, single  # noqa: F401
