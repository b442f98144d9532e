"""The public names of qbank.student."""

from __future__ import annotations

import qbank.student


def test_public_names_are_pinned_and_importable() -> None:
    assert sorted(qbank.student.__all__) == [
        "Attempt", "Mastery", "Planned", "ProgressStore", "Result", "Session", "Summary", "default_db_path",
        "leitner_boxes", "mastery", "plan", "practice", "tex_to_text",
    ]
    assert all(hasattr(qbank.student, name) for name in qbank.student.__all__)
