"""Renderers: Items and Assessments to files, one module per format.

Each format registers a :class:`Format` whose ``render`` is a pure function from an
:class:`~qbank.questions.Assessment` to :class:`Rendered` (str or bytes, plus warnings for
anything the format had to skip or degrade). Writing files is the caller's job.

``audience="student"`` output never contains a key, feedback tied to the key, or an
explanation; ``audience="instructor"`` adds them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..questions import Assessment

__all__ = ["Audience", "Format", "PaperLabel", "Rendered", "RenderedPapers", "format_names", "formats", "get_format", "register"]

Audience = Literal["student", "instructor"]


@dataclass(frozen=True)
class Rendered:
    content: str | bytes
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedPapers:
    """Several papers rendered together: one file per paper, and one file of them all."""

    papers: tuple[bytes, ...]
    combined: bytes
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    description: str
    render: Callable[..., Rendered]
    audiences: tuple[Audience, ...] = ("student", "instructor")
    lms: bool = field(default=False, metadata={"doc": "An LMS import format (carries groups and keys)."})
    default: bool = field(default=True, metadata={"doc": "Built when no --format is given."})
    render_papers: Callable[..., RenderedPapers] | None = field(
        default=None, metadata={"doc": "Every student's paper at once, and all of them as one file: for "
                                       "formats whose files cannot simply be concatenated (PDF)."})


@dataclass(frozen=True)
class PaperLabel:
    """Who a printed paper is for, for formats that print it on every page."""

    student_id: str = ""
    student_name: str = ""
    quiz_version: str = ""
    sample: bool = False  # one paper for everyone: the page asks for name and id


_FORMATS: dict[str, Format] = {}
# Each format's name and the module that registers it, in the order formats are listed. A
# module is imported on first use of its format, so that the CLI starts fast and a build in
# one format does not import the other eleven (the XML ones pull in zipfile and ElementTree).
_MODULES = {
    "md": "markdown", "json": "json_export", "html": "html", "gift": "gift", "aiken": "aiken", "blackboard": "blackboard",
    "selfcheck": "selfcheck", "canvas": "canvas", "qti21": "qti21", "qti3": "qti3", "moodle": "moodle", "pdf": "pdf",
}


def register(fmt: Format) -> Format:
    _FORMATS[fmt.name] = fmt
    return fmt


def format_names() -> list[str]:
    """Every format's name, in the order of :func:`formats`, without importing any renderer."""
    return list(_MODULES)


def formats() -> list[Format]:
    return [get_format(name) for name in _MODULES]


def get_format(name: str) -> Format:
    if name not in _FORMATS and name in _MODULES:
        importlib.import_module(f"{__name__}.{_MODULES[name]}")
    try:
        return _FORMATS[name]
    except KeyError:
        from ..errors import InputError

        raise InputError(f"unknown format {name!r} (available: {', '.join(_MODULES)})") from None


def render(assessment: Assessment, fmt: str, audience: Audience = "student") -> Rendered:
    return get_format(fmt).render(assessment, audience=audience)
