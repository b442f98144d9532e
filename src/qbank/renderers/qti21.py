"""IMS QTI 2.1 content package: one item file per item, an assessmentTest, a manifest.

The builder is shared with QTI 3.0 (:mod:`qbank.renderers._qti`); this module only names the
version and registers the format.
"""

from __future__ import annotations

from ..questions import Assessment
from . import Audience, Format, Rendered, register
from ._qti import QTI21, render_package
from ._xml import require_instructor

__all__ = ["render_assessment"]


def render_assessment(assessment: Assessment, audience: Audience = "instructor") -> Rendered:
    """The QTI 2.1 package as zip bytes, with warnings for anything degraded."""
    require_instructor("qti21", audience)
    content, warnings = render_package(assessment, QTI21)
    return Rendered(content, warnings)


register(Format("qti21", ".zip", "IMS QTI 2.1 content package (items, test, manifest)", render_assessment,
                audiences=("instructor",), lms=True))
