"""Fixtures for the renderer tests; they live in renderer_testing.py so test modules can import
its helpers by a name that no other test folder shares."""

from renderer_testing import bank_items, every_type_items, hostile_item, lms_assessment, validate  # noqa: F401
