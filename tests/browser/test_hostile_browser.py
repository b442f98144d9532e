"""Hostile bank text (tests/hostile_bank.py) in real chromium: no script from the bank runs,
on the printable pages or in the self-check page's feedback, and the text shows as written."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qbank.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hostile_bank import LONG, TOKENS, write_hostile  # noqa: E402






@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    work = tmp_path_factory.mktemp("hostile-browser")
    bank, spec, roster = write_hostile(work)
    for out, extra in (("plain", []), ("selfcheck", ["--self-check"])):
        result = CliRunner().invoke(cli, ["build", str(spec), "--no-builtin", "--bank", str(bank), "--roster", str(roster),
                                          "-f", "html", *extra, "-q", "-o", str(work / out)])
        assert result.exit_code == 0, result.output
    return sorted(work.rglob("*.html"))


def test_no_bank_script_runs_and_the_text_shows_as_written(browser: Any, pages: list[Path]) -> None:
    assert len(pages) == 8
    checked = 0  # paper quiz and key, the student's quiz and key; plain and self-check
    for path in pages:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
        page.goto(path.as_uri())
        checks = page.locator("button.check")
        for i in range(checks.count()):  # the self-check page writes feedback into the page on Check
            question = checks.nth(i).locator("xpath=ancestor::*[@id][1]")
            radios = question.locator("input[type=radio]")
            if radios.count():
                radios.nth(1).check()  # a wrong option: its hostile feedback is shown
            for box in question.locator("input[type=text], textarea").all():
                box.fill("x{{ 7*7 }}")  # the short answer's distractor, with hostile feedback
            checks.nth(i).click()
        assert page.evaluate("typeof window.pwned") == "undefined", f"{path}: a script from the bank ran"
        text = page.inner_text("body")
        for token in TOKENS:
            if token != LONG:  # the long line may wrap; it is checked in the page source
                assert token.replace("\u200b", "") in text.replace("\u200b", ""), f"{path}: {token!r} not shown"
        checked += checks.count() > 0
        if checks.count():  # the feedback to the wrong answers was shown, as text
            assert "<script>window.pwned=5</script>" in text and "<script>window.pwned=7</script>" in text, path
        assert errors == [], (path, errors)
        page.close()
    assert checked == 1  # the student's self-check page (the printable paper stays plain)
