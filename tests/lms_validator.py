"""Where the third-party LMS validator is: ../shared/lms/validate beside the repository.

CI always has it; a user's clone does not, and the tests that need it skip and say so.
``QBANK_LMS_VALIDATE`` points elsewhere (e.g. a shared folder that is not beside the clone).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def validator_path() -> Path | None:
    """The validator script, or None when it is not available."""
    override = os.environ.get("QBANK_LMS_VALIDATE")
    candidate = Path(override) if override else REPO.parent / "shared" / "lms" / "validate"
    return candidate if candidate.is_file() else None


# The one reason every validator test gives when it skips; tests/conftest.py counts them.
SKIP_REASON = ("../shared/lms/validate is absent (it ships with CI, not with a clone); "
               "LMS schema validation skipped")
