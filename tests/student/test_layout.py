"""CachedMarkdown replays rich's layout of a Markdown text byte for byte, colours included."""

from __future__ import annotations

import io
from typing import Any

import pytest
import rich.markdown
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from qbank.questions import builtin_bank
from qbank.renderers.markdown import render_item as markdown_of
from qbank.student.layout import CachedMarkdown
from qbank.student.terminal import item_markdown, text_for_terminal


class Store:
    """An entry's views, as the drawn-item cache keeps them."""

    def __init__(self) -> None:
        self.views: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        return self.views.get(name)

    def put(self, name: str, value: Any) -> None:
        self.views[name] = value


def printed(renderable: Any, width: int, *, panel: bool = False, terminal: bool = True) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system="truecolor" if terminal else None,
                      highlight=False)
    console.print(Panel(renderable, title="t", subtitle="s") if panel else renderable)
    return out.getvalue()


def texts() -> list[str]:
    out = []
    for template in builtin_bank():
        item = template.instantiate(3)
        out += [text_for_terminal(markdown_of(item, key=True, heading="#")), item_markdown(item)]
        if item.explanation:
            out.append("**Explanation:** " + text_for_terminal(item.explanation))
    return out


def test_every_built_in_text_is_laid_out_the_same_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [(text, width, panel) for text in texts() for width, panel in ((40, False), (100, False), (80, True))]
    stores = [Store() for _ in cases]
    expected = [printed(Markdown(text), width, panel=panel) for text, width, panel in cases]
    first = [printed(CachedMarkdown(text, store), width, panel=panel) for (text, width, panel), store in zip(cases, stores)]
    assert first == expected
    assert all(store.views for store in stores)  # every layout was kept, none needed rendering each time

    def no_markdown(*args: object, **kwargs: object) -> None:
        raise AssertionError("rich.markdown was used on a warm layout")

    monkeypatch.setattr(rich.markdown, "Markdown", no_markdown)
    again = [printed(CachedMarkdown(text, store), width, panel=panel) for (text, width, panel), store in zip(cases, stores)]
    assert again == expected


def test_another_width_is_another_layout() -> None:
    store = Store()
    text = "A sentence long enough to be wrapped at forty columns but not at a hundred and twenty of them."
    assert printed(CachedMarkdown(text, store), 120) == printed(Markdown(text), 120)
    assert printed(CachedMarkdown(text, store), 40) == printed(Markdown(text), 40)
    assert len(store.views) == 2


def test_a_damaged_layout_is_laid_out_again() -> None:
    store = Store()
    text = "**bold** and *em* and `code`"
    printed(CachedMarkdown(text, store), 60)
    for name in store.views:
        store.views[name] = [["x", "not a style at all ((("], [3, None]]
    assert printed(CachedMarkdown(text, store), 60) == printed(Markdown(text), 60)


def test_segments_that_do_not_survive_json_are_not_kept() -> None:
    from rich.control import Control
    from rich.segment import Segment
    from rich.style import Style

    from qbank.student.layout import _encode

    plain = [Segment("a", Style.parse("bold red on #102030 link https://example.org/x")), Segment("\n")]
    assert _encode(plain) == [["a", "bold red on #102030 link https://example.org/x"], ["\n", None]]
    assert _encode([Segment("a", Style(meta={"click": 1}))]) is None  # meta is not written in a style string
    assert _encode(list(Control.bell().segment for _ in range(1))) is None  # nor are control codes


def test_without_a_store_it_is_rich_markdown() -> None:
    assert printed(CachedMarkdown("# Title\n\n- one\n- two"), 50) == printed(Markdown("# Title\n\n- one\n- two"), 50)
