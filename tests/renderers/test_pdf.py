"""PDF papers: every item type typeset, the student paper without key, the key with it, a
header naming student, id and version on every page, and a clear error without typst."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from fixtures_text import key_markers

from qbank.errors import InputError
from qbank.questions import Assessment
from qbank.renderers import PaperLabel, get_format
from qbank.renderers._markup import split_math

pytest.importorskip("typst", reason="the pdf extra (typst) is not installed")
pypdf = pytest.importorskip("pypdf")

from qbank.renderers.pdf import INSTALL_HINT, paper_code, render_pdf, render_pdfs  # noqa: E402


def pages(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (line breaks fall anywhere)."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def plain_parts(text: str) -> list[str]:
    """The math-free stretches of author text, as they print (Markdown marks dropped)."""
    out = []
    for kind, value in split_math(text):
        if kind == "text":
            value = " ".join(value.replace("**", "").replace("`", "").replace("*", "").split())
            out += [v.strip(" |-") for v in value.split("|") if len(v.strip(" |-")) >= 12]
    return out


@pytest.fixture(scope="module")
def quiz(every_type_items: list[Any]) -> Assessment:
    return Assessment.from_items(every_type_items, title="Every type", id="every-type")


LABEL = PaperLabel("s042", "Chloé Dupont", "1a2b3c4d")


@pytest.fixture(scope="module")
def student_pdf(quiz: Assessment) -> list[str]:
    return pages(render_pdf(quiz, "student", label=LABEL).content)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def key_pdf(quiz: Assessment) -> list[str]:
    return pages(render_pdf(quiz, "instructor", label=LABEL).content)  # type: ignore[arg-type]


def test_pdf_is_registered_but_built_only_when_asked_for() -> None:
    fmt = get_format("pdf")
    assert (fmt.suffix, fmt.audiences, fmt.default) == (".pdf", ("student", "instructor"), False)
    assert fmt.render_papers is not None


def test_the_student_paper_has_every_item_and_no_key(quiz: Assessment, student_pdf: list[str]) -> None:
    text = " ".join(student_pdf)
    for item in quiz.items():
        assert item.title in text
        for part in plain_parts(item.stem):
            assert part in text, f"{item.id}: {part!r} missing"
        for marker in key_markers(item):
            for part in plain_parts(marker) or [marker]:
                assert part not in text, f"{item.id}: key text {part!r} on the student paper"
        assert item.id not in text
    assert "Answer:" not in text and "ANSWER KEY" not in text and "Explanation" not in text


def test_the_key_has_answers_feedback_and_explanations(quiz: Assessment, key_pdf: list[str]) -> None:
    text = " ".join(key_pdf)
    assert "ANSWER KEY" in key_pdf[0]
    for item in quiz.items():
        assert item.id in text
        for marker in key_markers(item):
            for part in plain_parts(marker):
                assert part in text, f"{item.id}: key text {part!r} missing from the key"
    single = next(i for i in quiz.items() if i.type == "single_choice")
    assert f"Answer: {'ABCDEFGH'[single.key[0]]}" in text


def test_every_page_has_the_header_and_the_short_code(quiz: Assessment, key_pdf: list[str]) -> None:
    code = f"s042-{paper_code(quiz)}"
    assert len(key_pdf) >= 2, "the key runs over several pages"
    for n, page in enumerate(key_pdf, 1):
        assert page.startswith("Every type ANSWER KEY Chloé Dupont (s042) Quiz version 1a2b3c4d"), page[:100]
        assert f"{code} page {n}" in page


def test_a_sample_paper_asks_for_name_and_id(quiz: Assessment) -> None:
    text = pages(render_pdf(quiz, "student", label=PaperLabel("sample", sample=True)).content)[0]  # type: ignore[arg-type]
    assert "Name:" in text and "ID:" in text and "sample" not in text.split("Code")[0]


def test_the_qr_code_names_quiz_version_student_and_variant(quiz: Assessment) -> None:
    from qbank.renderers._typst_math import typst_string
    from qbank.renderers.pdf import _qr_svg, paper_identity, paper_source

    variant = paper_code(quiz)
    assert paper_identity(quiz, LABEL) == (f"s042-{variant}", "1a2b3c4d", f"qbank:every-type:1a2b3c4d:s042:{variant}")
    source, _ = paper_source(quiz, "student", LABEL)
    assert f"qr: {typst_string(_qr_svg(paper_identity(quiz, LABEL)[2]))}" in source
    assert paper_code(quiz) != paper_code(Assessment.from_items(list(quiz.items())[1:], title="Other"))


def test_papers_rendered_together_are_cut_one_per_student_and_kept_whole(quiz: Assessment) -> None:
    other = PaperLabel("s043", "Ada", "1a2b3c4d")
    batch = render_pdfs([(quiz, LABEL), (quiz, other)], "student")
    combined = pages(batch.combined)
    single = pages(render_pdf(quiz, "student", label=LABEL).content)  # type: ignore[arg-type]
    first, second = (pages(p) for p in batch.papers)
    # each student on pages of their own, numbered from 1, and the combined file is both in order
    assert len(first) == len(second) == len(single) and combined == first + second
    assert [p.split(" page ")[-1] for p in combined] == [str(n) for n in range(1, len(single) + 1)] * 2
    assert all("Chloé Dupont (s042)" in p and "s043" not in p for p in first)
    assert all("Ada (s043)" in p and "s042" not in p for p in second)
    outline = [entry.title for entry in pypdf.PdfReader(io.BytesIO(batch.combined)).outline]
    assert outline == ["Every type — Chloé Dupont (s042)", "Every type — Ada (s043)"]


def test_the_same_paper_gives_the_same_bytes(quiz: Assessment) -> None:
    assert render_pdf(quiz, "student", label=LABEL).content == render_pdf(quiz, "student", label=LABEL).content


def test_hostile_text_prints_as_text(hostile_item: Any) -> None:
    quiz = Assessment.from_items([hostile_item], title="Hostile #read(\"x\") *")
    text = " ".join(pages(render_pdf(quiz, "instructor").content))  # type: ignore[arg-type]
    assert 'Hostile #read("x") *' in text
    assert "<script>alert(1)</script>" in text


def test_math_that_does_not_convert_warns_naming_the_item(every_type_items: list[Any]) -> None:
    item = every_type_items[0].model_copy(update={"stem": r"Broken $\foo x$ math"})
    out = render_pdf(Assessment.from_items([item], title="Q"))
    assert out.warnings == (f"{item.id}: math not typeset, shown as TeX source: '\\\\foo x' (unknown command \\foo)",)
    assert "$\\foo x$" in " ".join(pages(out.content))  # type: ignore[arg-type]


def test_without_typst_the_error_says_what_to_install(quiz: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    from qbank.renderers import pdf

    monkeypatch.setitem(sys.modules, "typst", None)  # import typst now raises ImportError
    pdf._compiler.cache_clear()
    with pytest.raises(InputError) as err:
        render_pdf(quiz)
    assert str(err.value) == INSTALL_HINT == "PDF output needs the typst package: pip install 'qbank[pdf]'"
    assert err.value.exit_code == 2
    pdf._compiler.cache_clear()


def test_every_font_is_embedded(quiz: Assessment) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(quiz, "instructor").content))  # type: ignore[arg-type]
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    names = " ".join(fonts)
    assert "Libertinus" in names and "NewCMMath" in names and "DejaVuSansMono" in names, names
    assert all(fonts.values()), fonts
