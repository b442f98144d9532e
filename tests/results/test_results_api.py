"""The public names of qbank.results."""

import qbank.results


def test_public_names_are_pinned() -> None:
    assert sorted(qbank.results.__all__) == [
        "Disagreement", "LmsAttempt", "LmsCell", "LmsGrades", "LmsReport", "PLATFORMS", "POLICIES", "ReportError",
        "VariantIndex", "detect_platform", "grade_report", "read_report",
    ]
    assert all(hasattr(qbank.results, name) for name in qbank.results.__all__)
