"""XML serialisation for the LMS formats: the same bytes as ElementTree, faster."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from qbank.renderers._xml import sub, tostring

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def reference(root: ET.Element) -> bytes:
    """What ElementTree itself writes for the tree."""
    return DECLARATION + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def tricky_tree() -> ET.Element:
    root = ET.Element("questestinterop", {"xmlns": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"})
    item = sub(root, "item", attrib={"ident": 'q"1', "title": "a & b < c > d\nnext\tcol\rret"})
    sub(item, "mattext", "<p>Hello &amp; <code>&lt;eos&gt;</code> ]]> 🙂 שלום</p>", {"texttype": "text/html"})
    sub(item, "empty")
    sub(item, "empty_text", "")
    mixed = sub(item, "div", "lead ")
    sub(mixed, "b", "bold").tail = " tail & more"
    sub(mixed, "br").tail = "after break"
    sub(root, "surrogate", "lone \ud800 surrogate")
    return root


@pytest.mark.parametrize(
    ("case", "build"),
    [
        ("escaping, empty elements, tails, RTL and emoji", tricky_tree),
        ("a single empty root", lambda: ET.Element("root")),
        ("root with a tail", lambda: _with_tail(ET.Element("root", {"a": "1"}), "tail")),
    ],
)
def test_tostring_writes_the_bytes_elementtree_writes(case: str, build) -> None:
    assert tostring(build()) == reference(build()), case


def _with_tail(el: ET.Element, tail: str) -> ET.Element:
    el.tail = tail
    return el


def test_lone_surrogate_becomes_a_character_reference() -> None:
    root = ET.Element("t")
    root.text = "x\ud800y"
    assert tostring(root) == DECLARATION + b"<t>x&#55296;y</t>\n"


@pytest.mark.parametrize(
    "build",
    [
        lambda: ET.Element("{http://example.com/ns}root"),
        lambda: ET.Element("root", {"{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": "x y"}),
        lambda: _with_child(ET.Element("root"), ET.Comment("a comment")),
        lambda: _with_child(ET.Element("root"), ET.ProcessingInstruction("pi", "data")),
    ],
    ids=["namespaced tag", "namespaced attribute", "comment", "processing instruction"],
)
def test_trees_beyond_plain_names_are_written_by_elementtree(build) -> None:
    assert tostring(build()) == reference(build())


def _with_child(el: ET.Element, child: ET.Element) -> ET.Element:
    el.append(child)
    return el


def test_tostring_is_byte_identical_across_runs() -> None:
    assert tostring(tricky_tree()) == tostring(tricky_tree())


def test_every_xml_export_leaves_the_collector_on() -> None:
    import gc

    from qbank.questions import Assessment, builtin_bank
    from qbank.renderers import get_format

    items = [builtin_bank()["paris-states"].instantiate(s) for s in range(3)]
    for name in ("canvas", "qti21", "qti3", "moodle"):
        get_format(name).render(Assessment.from_items(items, title="t"), audience="instructor")
        assert gc.isenabled(), name
