"""Bad input: the file, the line (or zip member) and the question, exit 2, nothing written;
and nothing in an input is ever expanded, fetched or run."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import cli
from qbank.errors import BankError, InputError
from qbank.importers import import_files, write_bank

MOODLE_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'


def _mc(name: str, text: str = "2+2?") -> str:
    return (f'<question type="multichoice"><name><text>{name}</text></name>'
            f'<questiontext format="html"><text>{text}</text></questiontext><single>true</single>'
            '<answer fraction="100"><text>4</text></answer><answer fraction="0"><text>5</text></answer></question>\n')


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["import", *args])


def test_malformed_xml_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.xml", MOODLE_HEAD + _mc("A") + "<question type='truefalse'>\n</quiz>\n")
    out = tmp_path / "bank"
    result = _run(str(path), "-o", str(out))
    assert result.exit_code == 2
    assert f"Error: {path}:5: not well-formed XML" in result.output
    assert not out.exists()


def test_unknown_type_and_duplicate_names_are_all_reported_and_nothing_is_written(tmp_path: Path) -> None:
    body = _mc("Same") + _mc("Same", "3+1?") + '<question type="hotpotato"><name><text>Odd</text></name></question>\n'
    path = _write(tmp_path, "q.xml", MOODLE_HEAD + body + "</quiz>\n")
    out = tmp_path / "bank"
    result = _run(str(path), "-o", str(out))
    assert result.exit_code == 2
    assert f"{path}:5: question 'Odd': unknown question type 'hotpotato'" in result.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["q.xml"]
    path = _write(tmp_path, "q.xml", MOODLE_HEAD + _mc("Same") + _mc("Same", "3+1?") + "</quiz>\n")
    result = _run(str(path), "-o", str(out))
    assert result.exit_code == 2
    assert f"{path}:4: question 'Same': duplicate name: 'Same'" in result.output and f"already used at {path}:3" in result.output
    assert not out.exists()


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.gift", "::A:: ok {=yes ~no}\n\n::B:: caf\xe9? {=yes ~no}\n".encode("latin-1"))
    with pytest.raises(BankError, match=rf"{path}:3: wrong encoding: not UTF-8"):
        import_files([path])
    xml = _write(tmp_path, "q.xml", (MOODLE_HEAD + _mc("Caf\xe9") + "</quiz>\n").encode("latin-1"))
    with pytest.raises(BankError, match=rf"{xml}:3: wrong encoding"):
        import_files([xml])


def test_zip_without_manifest(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("items/a.xml", "<assessmentItem/>")
    path = _write(tmp_path, "p.zip", buf.getvalue())
    result = _run(str(path), "-o", str(tmp_path / "bank"))
    assert result.exit_code == 2
    assert f"Error: {path}: the zip has no imsmanifest.xml" in result.output


def test_broken_member_names_the_member_and_line(tmp_path: Path) -> None:
    manifest = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
                '<resource identifier="i" type="imsqti_item_xmlv2p1" href="items/a.xml"><file href="items/a.xml"/></resource>'
                '</resources></manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("items/a.xml", "<assessmentItem>\n<itemBody>\n</assessmentItem>")
    path = _write(tmp_path, "p.zip", buf.getvalue())
    with pytest.raises(BankError, match=rf"{path}!items/a.xml:3: not well-formed XML"):
        import_files([path])


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = _write(tmp_path, "secret.txt", "TOP-SECRET")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>\n<quiz>\n'
           + _mc("Leak", "&x;") + "</quiz>\n")
    path = _write(tmp_path, "xxe.xml", xxe)
    with pytest.raises(BankError) as info:
        import_files([path])
    assert "TOP-SECRET" not in str(info.value)
    assert "declares XML entities" in str(info.value)


def test_entity_expansion_bombs_are_refused(tmp_path: Path) -> None:
    # "billion laughs": each entity is ten of the one before, 10^9 "lol"s in all
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = _write(tmp_path, "bomb.xml", f'<?xml version="1.0"?>\n<!DOCTYPE quiz [{lol}]>\n<quiz>{_mc("Bomb", "&l9;")}</quiz>')
    with pytest.raises(BankError, match="entit"):  # libxml2's amplification guard, or our refusal of entities
        import_files([path])


def test_existing_bank_is_never_overwritten(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.xml", MOODLE_HEAD + _mc("A") + "</quiz>\n")
    out = tmp_path / "bank"
    out.mkdir()
    (out / "mine.yaml").write_text("templates: []\n")
    result = _run(str(path), "-o", str(out))
    assert result.exit_code == 2
    assert "already exists and is not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["mine.yaml"]


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qbank.importers import _writer

    result = import_files([_write(tmp_path, "q.xml", MOODLE_HEAD + _mc("A") + "</quiz>\n")])

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(_writer.os, "rename", boom)  # everything is written, the final rename fails
    with pytest.raises(OSError):
        write_bank(result, tmp_path / "bank")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["q.xml"]


def test_cannot_tell_the_format(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.txt", "just some notes\n")
    with pytest.raises(InputError, match="cannot tell the format.*--format"):
        import_files([path])


def test_html_in_a_question_is_text_never_markup(tmp_path: Path) -> None:
    text = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick='x()'&gt;bold&lt;/b&gt; &amp;lt;tag&amp;gt;"
    path = _write(tmp_path, "q.xml", MOODLE_HEAD + _mc("Hostile", text) + "</quiz>\n")
    stem = import_files([path]).questions[0].content["stem"]
    assert "alert" not in stem and "onclick" not in stem
    assert stem == "**bold** <tag>"
