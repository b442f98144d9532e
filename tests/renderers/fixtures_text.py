"""Helpers shared by the text-format renderer tests (Markdown, HTML, GIFT, Aiken, Blackboard, JSON)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from qbank.questions import Assessment, builtin_bank
from qbank.renderers import get_format

SEEDS = (1, 2, 3)


def bank_assessment() -> Assessment:
    """Every built-in template (the bank grows) at several seeds, one group each."""
    items = [template.instantiate(seed) for template in builtin_bank() for seed in SEEDS]
    return Assessment.from_items(items, title="Built-in bank")


def write_outputs(fmt: str, assessments: dict[str, Assessment], directory: Path) -> list[Path]:
    """Render each assessment (instructor) and write it; the files one validator call checks."""
    out = []
    suffix = get_format(fmt).suffix
    for name, assessment in assessments.items():
        path = directory / f"{name}{suffix}"
        content = get_format(fmt).render(assessment, audience="instructor").content
        path.write_text(content, encoding="utf-8") if isinstance(content, str) else path.write_bytes(content)
        out.append(path)
    return out


class PageParser(HTMLParser):
    """Collects what the accessibility and safety tests look at in an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "math"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "math"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())


def parse_page(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def key_markers(item: Any) -> list[str]:
    """Strings only a key can contain: feedback, explanations, misconception ids, rubric, samples."""
    out: list[str] = []
    specs = item.parts if item.type == "multipart" else (item,)
    if item.explanation:
        out.append(item.explanation)
    for spec in specs:
        for o in getattr(spec, "options", ()):
            out += [o.feedback] if o.feedback else []
            out += [o.misconception] if o.misconception else []
        for d in getattr(spec, "distractors", ()):
            out += [d.misconception] + ([d.feedback] if d.feedback else [])
        if spec.type == "true_false":
            out += [x for x in (spec.feedback_true, spec.feedback_false, spec.misconception) if x]
        if spec.type == "open_response":
            out.append(spec.sample_answer)
            out += [c.description for c in spec.rubric.criteria if c.description]
    return out
