"""The renderer registry: every format module registers, and every format renders every type."""

from __future__ import annotations

import importlib
import io
import zipfile
from typing import Any

import pytest

from qbank.errors import InputError
from qbank.questions import Assessment
from qbank.renderers import _MODULES, Format, Rendered, formats, get_format, render


TEXT_FORMATS = {"md": ".md", "html": ".html", "json": ".json", "gift": ".gift", "aiken": ".txt", "blackboard": ".txt"}


def test_formats_lists_the_format_of_every_module() -> None:
    names = [f.name for f in formats()]
    assert names == list(_MODULES)
    for name, module in _MODULES.items():
        mod = importlib.import_module(f"qbank.renderers.{module}")
        # each module registers its one format through register(...) at import, under the name the table gives
        assert get_format(name).render.__module__ == mod.__name__, name
    assert set(TEXT_FORMATS) <= set(names)


def test_one_format_imports_its_own_renderer_only() -> None:
    """`qbank build -f gift` must not pay for importing the XML exports, PDF and HTML."""
    import subprocess
    import sys

    code = ("import sys; from qbank.renderers import get_format; get_format('gift'); "
            "print(sorted(m for m in sys.modules if m.startswith('qbank.renderers.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "qbank.renderers.gift" in loaded
    for other in set(_MODULES.values()) - {"gift"}:
        assert f"'qbank.renderers.{other}'" not in loaded, other
    assert "qbank.renderers._xml" not in loaded


@pytest.mark.parametrize("name,suffix", TEXT_FORMATS.items())
def test_text_formats_are_registered_with_their_suffix(name: str, suffix: str) -> None:
    assert get_format(name).suffix == suffix


def test_unknown_format_names_the_available_ones() -> None:
    with pytest.raises(InputError, match=r"unknown format 'docx' \(available: .*gift"):
        get_format("docx")


@pytest.mark.parametrize("name", ["gift", "aiken", "blackboard"])
def test_lms_import_formats_are_instructor_only_and_refuse_a_student_render(name: str, hostile_item: Any) -> None:
    fmt = get_format(name)
    assert fmt.lms and fmt.audiences == ("instructor",)
    quiz = Assessment.from_items([hostile_item], title="Q")
    with pytest.raises(InputError, match="carries the answer key; it has no student version"):
        fmt.render(quiz, audience="student")


@pytest.mark.parametrize("name", ["md", "html", "json"])
def test_reading_formats_have_both_audiences(name: str) -> None:
    assert get_format(name).audiences == ("student", "instructor")


def _text(content: str | bytes) -> str:
    """The text of an export; a zip package (the QTI formats) is read member by member, a PDF page by page."""
    if isinstance(content, str):
        return content
    if content[:5] == b"%PDF-":
        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "\n".join(z.read(name).decode("utf-8", "replace") for name in z.namelist())
    return content.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def all_types(every_type_items: list[Any]) -> Assessment:
    return Assessment.from_items(every_type_items, title="Every type")


CASES = [(f.name, audience) for f in formats() for audience in f.audiences]


@pytest.mark.parametrize("name,audience", CASES)
def test_every_format_renders_an_assessment_with_every_item_type(name: str, audience: str, all_types: Assessment) -> None:
    result = render(all_types, name, audience)  # type: ignore[arg-type]
    assert isinstance(result, Rendered)
    assert result.content
    content = _text(result.content)
    # every item is either in the output or named in a warning: nothing silently dropped
    for item in all_types.items():
        carried = item.id in content or item.title in content or item.stem.split("$")[0][:20] in content
        warned = any(item.id in w for w in result.warnings)
        assert carried or warned, f"{name}/{audience} dropped {item.id} silently"


@pytest.mark.parametrize(("name", "skipped_types"), [
    ("gift", {"ordering", "multipart"}),
    ("aiken", {"multiple_response", "numeric", "short_text", "ordering", "matching", "open_response", "multipart"}),
    ("blackboard", {"multipart"}),
])
def test_skipped_types_are_warned_about_by_item_id(name: str, skipped_types: set[str], all_types: Assessment) -> None:
    result = render(all_types, name, "instructor")
    skipped = {w.split(":")[0] for w in result.warnings if "skipped" in w}
    expected = {item.id for item in all_types.items() if item.type in skipped_types}
    assert skipped == expected
