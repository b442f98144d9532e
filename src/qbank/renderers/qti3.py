"""1EdTech QTI 3.0 content package: one item file per item, an assessmentTest, a manifest.

The builder is shared with QTI 2.1 (:mod:`qbank.renderers._qti`); this module only names the
version and registers the format.
"""

from __future__ import annotations

from ..questions import Assessment
from . import Audience, Format, Rendered, register
from ._qti import QTI30, render_package
from ._xml import require_instructor

__all__ = ["render_assessment"]


def render_assessment(assessment: Assessment, audience: Audience = "instructor") -> Rendered:
    """The QTI 3.0 package as zip bytes, with warnings for anything degraded."""
    require_instructor("qti3", audience)
    content, warnings = render_package(assessment, QTI30)
    return Rendered(content, warnings)


register(Format("qti3", ".zip", "1EdTech QTI 3.0 content package (items, test, manifest)", render_assessment,
                audiences=("instructor",), lms=True))
