"""Tests of qbank.quiz (a package, so that test_build.py can share its name with tests/cli/test_build.py)."""
