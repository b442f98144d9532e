"""The self-check page as a file: notice, obscured keys, controls, offline, deterministic.

Its behaviour in a browser is tested in tests/browser/test_selfcheck_browser.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from qbank.questions import Assessment, builtin_bank
from qbank.renderers import get_format
from qbank.renderers.selfcheck import decode_key, encode_key


def render(items: list[Any], title: str = "Practice") -> str:
    content = get_format("selfcheck").render(Assessment.from_items(items, title=title)).content
    assert isinstance(content, str)
    return content


def keys(page: str) -> list[Any]:
    salt = bytes.fromhex(re.search(r'data-salt="([0-9a-f]+)"', page).group(1))
    return [decode_key(blob, salt) for blob in re.findall(r'data-key="([^"]+)"', page)]


@pytest.fixture(scope="module")
def paris() -> Any:
    return builtin_bank()["paris-states"].instantiate(3)


def test_registered_as_a_student_html_format() -> None:
    fmt = get_format("selfcheck")
    assert (fmt.suffix, fmt.audiences, fmt.lms) == (".html", ("student",), False)


def test_the_page_says_plainly_it_is_for_practice_and_holds_the_answers(paris: Any) -> None:
    page = render([paris])
    assert "<strong>For practice only.</strong>" in page
    assert "<strong>The answers are in this page</strong>, obscured but not secret" in page
    assert "not a test and must not be used for graded work" in page


def test_keys_feedback_and_explanations_are_not_in_plain_text(paris: Any) -> None:
    page = render([paris])
    correct = paris.options[paris.key[0]]
    assert correct.feedback.split(":")[0] == "Right"
    for secret in (correct.feedback[:30], paris.explanation[:40], "M-SIGN", "M-LINEAR-DIFF", '"correct":true', '"key":'):
        assert secret not in page
    # ...but they are in the obscured payload, for the page's script
    (payload,) = keys(page)
    (part,) = payload["parts"]
    assert part["key"] == list(paris.key) and part["answer"] == "ABCDE"[paris.key[0]]
    assert f"Misconception {paris.options[1].misconception}" in part["misconceptions"][1]
    assert "has the lower loss by" in payload["explanation"]


def test_encode_and_decode_are_inverse_and_depend_on_the_salt() -> None:
    payload = {"key": [2], "text": "−ln p, ünïcode 🤖"}
    blob = encode_key(payload, b"0123456789abcdef")
    assert decode_key(blob, b"0123456789abcdef") == payload
    assert encode_key(payload, b"fedcba9876543210") != blob


def test_same_quiz_same_page(paris: Any) -> None:
    assert render([paris]) == render([paris])


def test_self_contained_no_network(every_type_items: list[Any]) -> None:
    page = render(every_type_items)
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<math" in page  # math is MathML, typeset by the browser itself


def test_every_item_has_a_form_a_check_button_and_a_live_feedback_region(every_type_items: list[Any]) -> None:
    page = render(every_type_items)
    n = len(every_type_items)
    assert page.count('<form class="sc-item"') == n
    assert page.count('role="status" aria-live="polite"') == n
    assert page.count('<button type="submit" class="check">Check</button>') == n - 1
    assert page.count("Reveal the rubric and a full answer</button>") == 1  # the open response
    assert '<main id="main">' in page and "<header>" in page and "<footer>" in page


def test_every_control_has_a_label(every_type_items: list[Any]) -> None:
    page = render(every_type_items)
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', page)
    assert ids
    missing = [i for i in ids if f'<label for="{i}"' not in page]
    assert missing == []


def test_choices_are_fieldsets_with_legends(paris: Any) -> None:
    page = render([paris])
    assert "<fieldset>\n<legend>Choose one answer</legend>" in page
    assert page.count('type="radio" name="q1"') == 5


def test_multipart_parts_each_get_a_key_and_a_group(every_type_items: list[Any]) -> None:
    multipart = next(i for i in every_type_items if i.type == "multipart")
    page = render([multipart])
    (payload,) = keys(page)
    assert [(p["label"], p["type"], p["weight"]) for p in payload["parts"]] == [
        (p.label, p.type, p.weight) for p in multipart.parts
    ]
    assert page.count('role="group"') == len(multipart.parts)


def test_hostile_text_is_escaped(hostile_item: Any) -> None:
    page = render([hostile_item])
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_math_that_does_not_convert_is_warned_about_by_item(paris: Any) -> None:
    broken = paris.model_copy(update={"stem": "Bad math: $\\frac{1}{$ and $\\nosuchcommand x$."})
    result = get_format("selfcheck").render(Assessment.from_items([broken], title="Q"))
    assert result.warnings
    assert all(w.startswith("paris-states-v2-s3: math not typeset") for w in result.warnings)
