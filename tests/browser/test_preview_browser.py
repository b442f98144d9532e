"""`qbank preview` in a real headless browser: an author moves the seed slider, edits the file,
breaks it and fixes it, and the page follows each time without being reloaded by hand.

Skips, saying why, where chromium or Playwright is missing; CI installs both (.ci/run). The
server runs in-process on 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qbank.authoring import template_yaml
from qbank.authoring.preview import Preview
from qbank.authoring.server import PreviewServer

WAIT_MS = 15_000





@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, PreviewServer]]:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "states.yaml").write_text(template_yaml(family="compare-states", template_id="states"), encoding="utf-8")
    (bank / "ce.yaml").write_text(template_yaml(item_type="single_choice", template_id="ce-def"), encoding="utf-8")
    server = PreviewServer(Preview.open(bank, linter=lambda t: [f"{t.id}: sample finding"]), port=0, debounce_ms=50)
    with server:
        yield bank, server


def test_an_author_previews_edits_breaks_and_fixes_a_template(browser: Any, served: tuple[Path, PreviewServer]) -> None:
    bank, server = served
    page = browser.new_page(viewport={"width": 1000, "height": 1200})
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "?t=states&seed=0")

    # a variant with its key, per-option feedback (misconception ids) and explanation
    variant = page.locator("#variant")
    assert "states-v1-s0" in variant.inner_text()
    assert page.locator("#variant li.correct").count() == 1
    assert page.locator("#variant .misconception").count() >= 2
    assert page.locator("#variant .explanation").is_visible()
    assert "states: sample finding" in page.locator("#quality").inner_text()

    # the seed slider shows other variants
    page.eval_on_selector("#seed", "e => { e.value = 7; e.dispatchEvent(new Event('input')); }")
    page.wait_for_function("document.querySelector('#variant').innerText.includes('states-v1-s7')", timeout=WAIT_MS)
    assert page.locator("#seed-value").inner_text() == "7"
    assert page.url.endswith("?t=states&seed=7")

    # an edit to the file reloads the page by itself, keeping template and seed
    path = bank / "states.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("What is the capital of France?", "Where is Lyon?"),
                    encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('Where is Lyon?')", timeout=WAIT_MS)
    assert "states-v1-s7" in page.locator("#variant").inner_text()

    # a mistake shows where it is instead of a crash
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("min_gap: 0.03", "min_gap: lots"), encoding="utf-8")
    page.wait_for_selector("#errors", timeout=WAIT_MS)
    line = next(n for n, row in enumerate(good.splitlines(), 1) if "min_gap: 0.03" in row)
    assert f"states.yaml:{line}" in page.locator("#errors").inner_text()
    assert "templates[0].params.min_gap" in page.locator("#errors").inner_text()

    # fixed again: the variant is back
    path.write_text(good, encoding="utf-8")
    page.wait_for_selector("#variant", timeout=WAIT_MS)
    assert page.locator("#errors").count() == 0

    # choosing another template from the list
    page.select_option("#template", "ce-def")
    page.wait_for_function("document.querySelector('#variant') && "
                           "document.querySelector('#variant').innerText.includes('one-hot target')", timeout=WAIT_MS)

    assert errors == []
    assert all(url.startswith(server.url) for url in requests), requests
    page.close()
