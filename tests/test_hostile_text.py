"""Hostile text (tests/hostile_bank.py) stays intact and inert in every format qbank writes,
and every LMS file holding it passes the third-party validators."""

from __future__ import annotations

import html
import json
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from hostile_bank import LONG, TOKENS, write_hostile
from lms_validator import validator_path
from qbank.cli import cli
from qbank.renderers import formats

# Every format a default build writes; PDF (built only with -f pdf) has its own hostile-text
# test on the extracted text, tests/renderers/test_pdf.py::test_hostile_text_prints_as_text.
ALL_FORMATS = sorted(f.name for f in formats() if f.name != "selfcheck" and f.default)


class _Page(HTMLParser):
    """The text a browser shows, and the elements and attributes that could run something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.handlers.append((tag, name, value or ""))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def page(markup: str) -> _Page:
    p = _Page()
    p.feed(markup)
    p.close()
    return p


def assert_inert(markup: str, where: str) -> None:
    p = page(markup)
    assert not any("pwned" in s for s in p.scripts), f"{where}: a script from the bank would run"
    assert p.handlers == [] or not any("pwned" in v for _, _, v in p.handlers), f"{where}: {p.handlers}"


def visible(fmt: str, path: Path) -> str:
    """What a student would read of ``path``: the format decoded (and its HTML rendered to text)."""
    raw = path.read_bytes()
    if fmt in ("html",):
        text = raw.decode("utf-8")
        assert_inert(text, str(path))
        return "".join(page(text).text)
    if fmt == "md":
        return html.unescape(raw.decode("utf-8"))
    if fmt == "aiken":
        return raw.decode("utf-8")  # Moodle's Aiken import escapes HTML itself (FORMATS.md)
    if fmt == "json":
        return "\n".join(_strings(json.loads(raw)))
    if fmt == "blackboard":
        fields = raw.decode("utf-8").replace("\n", "\t").split("\t")
        for field in fields:
            assert_inert(field, str(path))
        return "\t".join("".join(page(f).text) for f in fields)
    if fmt == "gift":
        # Comments and question names are plain text (Moodle escapes names); the rest is [html].
        lines = [line for line in raw.decode("utf-8").splitlines() if not line.startswith("//")]
        text = "\n".join(lines)
        names = re.findall(r"^::(.*?)::", text, flags=re.M)
        body = re.sub(r"\\(.)", r"\1", re.sub(r"^::.*?::", "", text, flags=re.M).replace("[html]", ""))
        assert_inert(body, str(path))
        return "\n".join(names) + "\n" + "".join(page(body).text)
    # XML: Moodle XML, and the QTI packages' members
    with zipfile.ZipFile(path) if fmt != "moodle" else _no_zip() as package:
        documents = [raw] if package is None else [package.read(n) for n in package.namelist() if n.endswith(".xml")]
    out = []
    for doc in documents:
        root = ElementTree.fromstring(doc)
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag != "script", f"{path}: a script element"
            chunk = element.text or ""
            holds_html = (tag == "mattext" and element.get("texttype") == "text/html") or (
                fmt == "canvas" and tag == "description") or (
                fmt == "moodle" and tag == "text" and parents.get(element) is not None
                and parents[element].get("format") == "html")
            if holds_html:
                assert_inert(chunk, str(path))
                out.append("".join(page(chunk).text))
            else:  # plain text, or (QTI 2.1 / 3.0) XHTML whose text is what the student reads
                out.append(chunk)
            out.append(element.tail or "")
    return "".join(out)


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


class _no_zip:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    bank, spec, roster = write_hostile(work)
    args = ["build", str(spec), "--no-builtin", "--bank", str(bank), "--roster", str(roster), "-q"]
    result = CliRunner().invoke(cli, [*args, "-o", str(work / "out")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, [*args, "-o", str(work / "selfcheck"), "-f", "html", "--self-check"])
    assert result.exit_code == 0, result.output
    return work


def files_of(out: Path, fmt: str) -> list[Path]:
    if fmt in ("md", "html"):
        suffix = f".{fmt}"
        return sorted(p for p in out.rglob(f"*{suffix}"))
    return sorted((out / "lms").glob(f"*-{fmt}.*"))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_hostile_text_reaches_the_student_intact_and_inert(built: Path, fmt: str) -> None:
    paths = files_of(built / "out", fmt)
    assert paths, fmt
    for path in paths:
        shown = visible(fmt, path)
        for token in TOKENS:
            assert token in shown, f"{path}: {token[:40]!r} is not shown as written"
        assert LONG in shown
        assert "49" not in shown.replace(LONG, ""), f"{path}: template syntax in static text was evaluated"


def test_nothing_in_the_text_adds_a_question_to_a_line_based_format(built: Path) -> None:
    """GIFT and Aiken start a question at a line; a title or stem must not start one."""
    gift = files_of(built / "out", "gift")[0].read_text(encoding="utf-8")
    assert len(re.findall(r"^::", gift, flags=re.M)) == 2  # the two items, nothing injected
    aiken = files_of(built / "out", "aiken")[0].read_text(encoding="utf-8")
    assert aiken.count("\nANSWER: ") + aiken.startswith("ANSWER: ") == 1  # the one single-choice item


def test_the_self_check_page_carries_the_hostile_text_as_data_not_code(built: Path) -> None:
    for path in sorted((built / "selfcheck").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert_inert(text, str(path))
        for script in page(text).scripts:
            # The page's own script holds the items as JSON; a bank's "</script>" cannot end it.
            assert "</script" not in script.lower()


@pytest.mark.slow
def test_lms_files_with_hostile_text_pass_the_validators(built: Path) -> None:
    validator = validator_path()
    if validator is None:
        pytest.skip("the LMS validator is not available (QBANK_LMS_VALIDATE or ../shared/lms/validate)")
    lms = [f for f in ALL_FORMATS if f not in ("md", "html", "json")]
    # Two runs (the validator's start-up is the slow part): Aiken named, the rest detected.
    groups = {"aiken": files_of(built / "out", "aiken"),
              "auto": [p for f in lms if f != "aiken" for p in files_of(built / "out", f)]}
    assert len(groups["auto"]) == len(lms) - 1
    for name, paths in groups.items():
        done = subprocess.run([str(validator), "--format", name, *map(str, paths)], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.count(": VALID (") == len(paths), done.stdout


@pytest.mark.parametrize("char", ["\x0c", "\x01", "\x1b", "\ud800", "\uffff"])
def test_a_character_no_export_can_carry_is_refused_with_its_place(tmp_path: Path, char: str) -> None:
    """YAML escapes can spell any character; a form feed in a stem broke the QTI export with a traceback."""
    import yaml

    bank = tmp_path / "bank.yaml"
    escaped = json.dumps(f"Stem {char} here")  # JSON escapes are YAML double-quoted escapes
    bank.write_text(yaml.safe_dump({"templates": [{"id": "x", "title": "X", "tags": {"topics": ["cross-entropy"], "bloom": "remember"},
                                                   "content": {"type": "true_false", "stem": "S", "answer": True}}]})
                    .replace("stem: S", f"stem: {escaped}"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bank)])
    assert result.exit_code == 2, result.output
    assert f"{bank}:" in result.output and "templates[0].content.stem: the text holds the control character U+" in result.output
