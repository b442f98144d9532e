"""QTI 3.0 content packages: the QTI 2.1 specifications, run against the 3.0 naming scheme.

Every test of test_qti21.py is collected here too, with ``scheme`` set to QTI 3.0; the tests
below add what only 3.0 has.
"""

from __future__ import annotations

import pytest
from test_qti21 import *  # noqa: F403  (the shared specifications)
from test_qti21 import Doc

from qbank.renderers._qti import QTI30, Scheme


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return QTI30


def test_names_are_kebab_case_with_the_qti_prefix(items: dict[str, Doc]) -> None:
    doc = items["t-single-v1-s0"]
    assert doc.root.tag == "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}qti-assessment-item"
    assert doc.root.get("time-dependent") == "false"
    interaction = doc.one("choiceInteraction")
    assert interaction.tag.endswith("qti-choice-interaction") and interaction.get("max-choices") == "1"


def test_feedback_and_rubric_content_sits_in_a_content_body(items: dict[str, Doc]) -> None:
    for item_id, name in (("t-single-v1-s0", "modalFeedback"), ("t-open-v1-s0", "rubricBlock")):
        doc = items[item_id]
        for el in doc.all(name):
            assert [child.tag for child in el] == [doc.tag("contentBody")]


def test_html_keeps_its_names(items: dict[str, Doc]) -> None:
    doc = items["t-single-v1-s0"]
    tags = {el.tag.rsplit("}", 1)[-1] for el in doc.one("itemBody").iter()}
    assert {"p", "table", "qti-choice-interaction"} <= tags
