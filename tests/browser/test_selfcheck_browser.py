"""The self-check page in a real headless browser (Debian's chromium driven by Playwright).

A student answers items and presses Check; the feedback shown must be what qbank's own
grader says for the same answer. Skips, saying why, where chromium or Playwright is missing
(a user's machine); CI installs both (.ci/run).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest

from qbank.grader import check as grade_answer
from qbank.questions import Assessment, builtin_bank, letter
from qbank.renderers import get_format




def _every_type_items() -> list[Any]:
    # The renderer tests' hand-built items: one of every type and scoring mode.
    path = Path(__file__).parents[1] / "renderers" / "renderer_testing.py"
    spec = importlib.util.spec_from_file_location("renderer_fixtures_for_browser", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.make_every_type_items()




def open_page(browser: Any, items: list[Any], folder: Path) -> Any:
    html = get_format("selfcheck").render(Assessment.from_items(items, title="Practice")).content
    path = folder / "selfcheck.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    page.errors = []
    page.requests = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.goto(path.as_uri())
    return page


# -- answering through the page, and the same answer as text for the grader -----------------


def _wrong_number(spec: Any) -> float:
    return spec.distractors[0].value if spec.distractors else spec.answer * 3 + 1


def fill(page: Any, pid: str, spec: Any, right: bool) -> str:
    """Answer one item (or part) in the page; return the same answer as raw text."""
    kind = spec.type
    if kind == "single_choice":
        pos = spec.key[0] if right else next(i for i in range(len(spec.options)) if i not in spec.key)
        page.check(f"#{pid}-{letter(pos).lower()}")
        return letter(pos)
    if kind == "multiple_response":
        wrong = [i for i in range(len(spec.options)) if i not in spec.key]
        chosen = list(spec.key) if right else sorted([spec.key[0], wrong[0]])
        for pos in chosen:
            page.check(f"#{pid}-{letter(pos).lower()}")
        return ",".join(letter(p) for p in chosen)
    if kind == "true_false":
        value = spec.answer if right else not spec.answer
        page.check(f"#{pid}-{'true' if value else 'false'}")
        return "true" if value else "false"
    if kind == "numeric":
        raw = repr(spec.answer) if right else repr(_wrong_number(spec))
        page.fill(f"#{pid}-answer", raw)
        return raw
    if kind == "short_text":
        answer = spec.answers[0]
        raw = (f"  {answer.upper()} " if not spec.case_sensitive else answer) if right else (
            spec.distractors[0].text if spec.distractors else "something else")
        page.fill(f"#{pid}-answer", raw)
        return raw
    if kind == "ordering":
        order = list(spec.answer) if right else list(reversed(spec.answer))
        for slot, entry in enumerate(order, start=1):
            page.select_option(f"#{pid}-pos{slot}", str(entry))
        return " ".join(letter(e) for e in order)
    if kind == "matching":
        pairs = list(spec.answer) if right else list(spec.answer[1:]) + [spec.answer[0]]
        for i, choice in enumerate(pairs):
            page.select_option(f"#{pid}-m{i + 1}", str(choice))
        return " ".join(f"{i + 1}-{letter(c).lower()}" for i, c in enumerate(pairs))
    if kind == "open_response":
        raw = "The per-token loss with shared parameters rewards the preamble."
        page.fill(f"#{pid}-answer", raw)
        return raw
    raise AssertionError(f"no way to answer {kind}")


def answer(page: Any, qid: str, item: Any, right: bool) -> str:
    if item.type != "multipart":
        return fill(page, qid, item, right)
    return "; ".join(f"{p.label}: {fill(page, f'{qid}-{p.label}', p, right)}" for p in item.parts)


def expected_verdict(item: Any, raw: str) -> str:
    """The verdict line the page must show, from qbank's grader."""
    if item.type == "open_response":
        return "Compare your answer with the rubric and the full-credit answer below."
    grade = grade_answer(item, raw)
    assert hasattr(grade, "correct"), f"{item.id}: the grader cannot read {raw!r}: {grade}"
    if grade.correct:
        return "Correct."
    if grade.fraction > 0:
        shown = math.floor(grade.fraction * item.points * 1000 + 0.5) / 1000  # the page rounds half up
        return f"Partly correct: {shown:g} of {item.points:g} point{'' if item.points == 1 else 's'}."
    return "Not correct."


# -- the tests ----------------------------------------------------------------------------------


def test_one_right_one_wrong_with_feedback_and_a_screenshot(browser: Any, tmp_path: Path) -> None:
    bank = builtin_bank()
    items = [bank["paris-states"].instantiate(3), bank["ce-one-hot-true-false"].instantiate(0)]
    page = open_page(browser, items, tmp_path)
    assert "For practice only." in page.inner_text("#practice-notice")

    page.check(f"#q1-{'abcde'[items[0].key[0]]}")  # the key
    page.click("#q1 button.check")
    right = page.inner_text("#q1-feedback")
    assert right.startswith("Correct.")
    assert "the loss on this token is" in right and "Explanation." in right

    page.check("#q2-true")  # wrong: the answer is False
    page.click("#q2 button.check")
    wrong = page.inner_text("#q2-feedback")
    assert wrong.startswith("Not correct.")
    assert "Misconception M-WRONG-MASS" in wrong
    assert "how the wrong mass is spread does not enter" in wrong
    assert "Answer: False" in wrong
    assert page.inner_text("#tally") == "Checked 2 questions: 1 correct."

    shot = tmp_path / "selfcheck.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert page.errors == []
    assert all(url.startswith(("file:", "data:")) for url in page.requests), page.requests
    page.close()


def test_an_unreadable_answer_says_what_to_fix_and_counts_nothing(browser: Any, tmp_path: Path) -> None:
    item = builtin_bank()["token-loss"].instantiate(1)
    page = open_page(browser, [item], tmp_path)
    page.click("#q1 button.check")
    assert page.inner_text("#q1-feedback") == "Write a number first. Write a number such as 0.25, .25, 2.5e-1, 25% or 1/4."
    page.fill("#q1-answer", "about one")
    page.keyboard.press("Enter")  # the form submits from the keyboard
    assert page.inner_text("#q1-feedback").startswith("Cannot read “about one” as a number.")
    assert page.inner_text("#tally") == "Nothing checked yet."
    page.fill("#q1-answer", "−" + repr(-item.answer) if item.answer < 0 else repr(item.answer))
    page.click("#q1 button.check")
    assert page.inner_text("#q1-feedback").startswith("Correct.")
    page.close()


@pytest.mark.parametrize("right", [True, False], ids=["key", "wrong"])
def test_the_page_grades_every_type_as_the_grader_does(browser: Any, tmp_path: Path, right: bool) -> None:
    bank = builtin_bank()
    items = _every_type_items() + [bank[t].instantiate(2) for t in (
        "logit-gradient", "next-step-statements", "rlhf-pipeline-order", "alignment-terms-matching",
        "define-teacher-forcing", "label-smoothing", "primary-colors-preamble",
    )]
    page = open_page(browser, items, tmp_path)
    seen = []
    for n, item in enumerate(items, start=1):
        raw = answer(page, f"q{n}", item, right)
        page.click(f"#q{n} button.check")
        shown = page.inner_text(f"#q{n}-feedback")
        seen.append((item.id, raw, shown.splitlines()[0], expected_verdict(item, raw)))
    assert [s[2] for s in seen] == [s[3] for s in seen], [s for s in seen if s[2] != s[3]]
    assert page.errors == []
    page.close()


def test_open_response_reveals_the_rubric_and_the_sample_answer(browser: Any, tmp_path: Path) -> None:
    item = builtin_bank()["primary-colors-preamble"].instantiate(0)
    page = open_page(browser, [item], tmp_path)
    page.fill("#q1-answer", "Because of the data.")
    page.click("#q1 button.check")
    shown = page.inner_text("#q1-feedback")
    assert "Rubric." in shown and "C1 Token-level decomposition" in shown
    assert "A full-credit answer." in shown and item.sample_answer[:40] in shown
    page.close()


def test_a_matching_distractor_shows_its_misconception_as_the_grader_does(browser: Any, tmp_path: Path) -> None:
    item = builtin_bank()["logit-gradient-match"].instantiate(5)
    (extra,) = item.distractors
    page = open_page(browser, [item], tmp_path)
    pairs = [extra.choice] + list(item.answer[1:])  # prompt 1 matched to the left-over choice
    for i, choice in enumerate(pairs):
        page.select_option(f"#q1-m{i + 1}", str(choice))
    page.click("#q1 button.check")
    shown = page.inner_text("#q1-feedback")
    raw = " ".join(f"{i + 1}-{letter(c).lower()}" for i, c in enumerate(pairs))
    assert shown.splitlines()[0] == expected_verdict(item, raw)
    assert f"Misconception {extra.misconception}" in shown
    assert grade_answer(item, raw).misconceptions == (extra.misconception,)
    page.close()
