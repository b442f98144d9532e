"""HTML, plain text and math from LMS files to qbank Markdown.

The way back from :func:`qbank.renderers._markup.to_html`: for every text of the built-in
bank, converting the exported HTML to Markdown and rendering it again gives the same HTML.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from qbank.importers import ImportResult
from qbank.importers._html import html_to_markdown, plain_to_markdown
from qbank.importers._result import image_resolver
from qbank.renderers._markup import to_html

_WS = re.compile(r"\s+")


def _norm(html: str) -> str:
    return _WS.sub(" ", html).replace("> <", "><").strip()


def _bank_texts(items: list[Any]) -> list[str]:
    texts = []
    for it in items:
        texts += [it.stem, it.explanation]
        for o in getattr(it, "options", ()):
            texts += [o.text, o.feedback]
        for p in getattr(it, "parts", ()):
            texts.append(p.prompt)
    return sorted({t for t in texts if t})


def test_every_bank_text_survives_html_and_back(round_trip_items: list[Any]) -> None:
    bad = []
    for text in _bank_texts(round_trip_items):
        html = to_html(text)
        back = html_to_markdown(html)
        if _norm(to_html(back)) != _norm(html):
            bad.append((text, back))
    assert bad == []


@pytest.mark.parametrize(("html", "markdown"), [
    # math: MathJax delimiters, display math, TeX in $$ (Moodle's filter)
    ("<p>Loss \\(-\\ln p\\) and \\[\\sum_k p_k = 1\\]</p>", "Loss $-\\ln p$ and $$\\sum_k p_k = 1$$"),
    ("<p>$$a^2$$</p>", "$$a^2$$"),
    # MathML: the TeX annotation, else alttext, else the presentation elements
    ('<math><semantics><mi>x</mi><annotation encoding="application/x-tex">x^2</annotation></semantics></math>', "$x^2$"),
    ('<math alttext="\\frac{1}{2}"><mfrac><mn>1</mn><mn>2</mn></mfrac></math>', "$\\frac{1}{2}$"),
    ("<math><msup><mi>e</mi><mrow><mo>\u2212</mo><mi>\u03b2</mi></mrow></msup></math>", "$e^{- \\beta}$"),
    ('<math display="block"><msqrt><mi>n</mi></msqrt></math>', "$$\\sqrt{n}$$"),
    # Markdown's own characters in text stay text
    ("<p>a*b*c and [x] and state_a</p>", "a\\*b\\*c and \\[x\\] and state\\_a"),
    # structure
    ("<ul><li>one</li><li><em>two</em></li></ul>", "- one\n- *two*"),
    ("<ul><li>A<ul><li>b</li><li>c</li></ul></li><li>D</li></ul>", "- A\n    - b\n    - c\n- D"),  # nested, as Markdown indents
    ("<p>A</p><p><strong>B</strong> <code>c</code></p>", "A\n\n**B** `c`"),
    ("<table><tr><th>t</th><th style=\"text-align: right;\">p</th></tr><tr><td>a</td><td>0.5</td></tr></table>",
     "| t | p |\n|---|--:|\n| a | 0.5 |"),
    # what qbank cannot say keeps its text and loses its markup; scripts are dropped
    ("<p><span style='color:red'>red</span><script>alert(1)</script><font>x</font></p>", "redx"),
    ("<p>&lt;eos&gt; &amp; &#233;</p>", "<eos> & é"),
])
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_plain_text_is_escaped_and_math_converted() -> None:
    assert plain_to_markdown("2*3 = 6, \\(x_1\\)") == "2\\*3 = 6, $x_1$"
    assert to_html(plain_to_markdown("# not a heading")) == "<p># not a heading</p>"


def test_base64_images_are_extracted_beside_the_bank() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    result = ImportResult()
    notes: list[str] = []
    resolve = image_resolver(result.media, {"plot.png": png}.get, notes)
    md = html_to_markdown(f'<p><img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="a plot"> and '
                          '<img src="@@PLUGINFILE@@/plot.png"> and <img src="https://example.org/x.png"> and '
                          '<img src="missing.png"></p>', resolve)
    paths = list(result.media.files)  # one file per content, however often it is referenced
    assert len(paths) == 1 and re.fullmatch(r"media/[0-9a-f]{12}-image\.png", paths[0])
    assert result.media.files[paths[0]] == png
    assert md.count(f"]({paths[0]})") == 2
    assert f"![a plot]({paths[0]})" in md and "![](https://example.org/x.png)" in md and "![](missing.png)" in md
    assert notes == ["the image 'missing.png' is not in the source; its reference was kept"]
